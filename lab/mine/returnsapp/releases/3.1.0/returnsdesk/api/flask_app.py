"""The shop's returns API, called by the storefront and the dock scanners."""

from flask import Flask, jsonify, request

from returnsdesk import labels, receiving
from returnsdesk.returns import create, grading

app = Flask("returnsdesk")


@app.post("/returns")
def request_return():
    return jsonify(create.create_return(request.get_json()))


@app.post("/returns/<rma_id>/grade")
def grade_received(rma_id):
    return jsonify(grading.grade_return(rma_id, request.get_json()))


@app.post("/dock/scans")
def scan():
    return jsonify(receiving.receive(request.get_json()))


@app.get("/orders/<int:order_id>/label")
def label(order_id):
    return jsonify(labels.build_label(order_id))
