"""The public HTTP API (Flask)."""

from flask import Flask, jsonify, request

from invoicedesk import billing, imports

app = Flask("invoicedesk")


@app.post("/invoices")
def create_invoice():
    return jsonify(billing.create_invoice(request.get_json()))


@app.post("/invoices/<int:invoice_id>/payments")
def pay_invoice(invoice_id):
    body = request.get_json()
    return jsonify(billing.apply_payment(invoice_id, body["amount"], body.get("reference")))


@app.post("/invoices/<int:invoice_id>/refunds")
def refund_invoice(invoice_id):
    return jsonify(billing.refund(invoice_id, request.get_json().get("amount")))


@app.post("/invoices/<int:invoice_id>/receipt")
def send_receipt(invoice_id):
    return jsonify(billing.send_receipt(invoice_id))


@app.post("/imports/csv")
def import_csv():
    return jsonify(imports.import_csv(request.get_data(as_text=True)))


@app.post("/imports/json")
def import_json():
    return jsonify(imports.import_json(request.get_data(as_text=True)))
