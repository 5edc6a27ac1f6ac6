"""Back-office views: returns keyed in by support, restocking and the daily numbers."""

import json

from django.http import JsonResponse
from django.urls import path

from returnsdesk import labels, restock
from returnsdesk.reports import daily
from returnsdesk.returns import create


def open_return(request):
    return JsonResponse(create.create_return(json.loads(request.body)))


def put_away(request, rma_id):
    return JsonResponse(restock.put_away(rma_id, request.POST["bin"]))


def label(request, order_id):
    return JsonResponse(labels.build_label(order_id))


def average(request):
    return JsonResponse({"average": str(daily.average_refund())})


def rate(request):
    return JsonResponse({"rate": daily.return_rate()})


urlpatterns = [
    path("returns/", open_return),
    path("returns/<str:rma_id>/restock/", put_away),
    path("orders/<int:order_id>/label/", label),
    path("reports/average-refund/", average),
    path("reports/return-rate/", rate),
]
