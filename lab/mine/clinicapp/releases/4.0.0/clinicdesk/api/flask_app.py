"""The patients' and kiosks' HTTP API (Flask)."""

from flask import Flask, jsonify, request

from clinicdesk import booking, roster

app = Flask("clinicdesk")


@app.post("/appointments")
def book():
    return jsonify(booking.book_visit(request.get_json()))


@app.delete("/appointments/<int:appointment_id>")
def cancel(appointment_id):
    return jsonify(booking.cancel(appointment_id, request.get_json().get("reason")))


@app.post("/appointments/<int:appointment_id>/arrival")
def check_in(appointment_id):
    return jsonify(booking.check_in(appointment_id, request.get_json()["arrived"]))


@app.put("/roster")
def upload_roster():
    return jsonify(roster.import_roster(request.get_data(as_text=True)))
