from django.urls import path

from consent import api

urlpatterns = [
    path(
        "api/0/organizations/<slug:slug>/consent/",
        api.organization_consent,
        name="organization-consent",
    ),
]
