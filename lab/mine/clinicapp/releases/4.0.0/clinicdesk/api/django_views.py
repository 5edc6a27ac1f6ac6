"""The managers' dashboard (Django): bookings by staff, and statistics."""

import json

from django.http import JsonResponse
from django.urls import path

from clinicdesk import booking, stats


def book(request):
    return JsonResponse(booking.book_visit(json.loads(request.body)))


def no_show(request, clinic_id):
    return JsonResponse({"rate": stats.no_show_rate(clinic_id)})


def busiest(request, clinic_id):
    return JsonResponse({"doctor": stats.top_doctor(clinic_id)})


def utilization(request):
    return JsonResponse({"utilization": stats.utilization(request.GET["day"])})


urlpatterns = [
    path("appointments/", book),
    path("stats/no-show/<str:clinic_id>/", no_show),
    path("stats/busiest/<str:clinic_id>/", busiest),
    path("stats/utilization/", utilization),
]
