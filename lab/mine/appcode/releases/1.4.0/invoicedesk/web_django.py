"""The back-office views (Django): invoices entered by staff, and reports."""

import json

from django.http import JsonResponse
from django.urls import path

from invoicedesk import billing, reports


def create_invoice(request):
    return JsonResponse(billing.create_invoice(json.loads(request.body)))


def pay_invoice(request, invoice_id):
    body = json.loads(request.body)
    return JsonResponse(billing.apply_payment(invoice_id, body["amount"], body.get("reference")))


def average_invoice(request, customer_id):
    return JsonResponse({"average": reports.average_invoice(customer_id)})


def top_customer(request, region):
    return JsonResponse({"top": reports.top_customer(region)})


def aging(request):
    return JsonResponse(reports.aging(request.GET["today"]))


urlpatterns = [
    path("invoices/", create_invoice),
    path("invoices/<int:invoice_id>/payments/", pay_invoice),
    path("reports/average/<int:customer_id>/", average_invoice),
    path("reports/top/<str:region>/", top_customer),
    path("reports/aging/", aging),
]
