from django.contrib import admin
from django.http import JsonResponse
from django.urls import include, path


def health(request):
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", health, name="health"),
    path("", include("ingest.urls")),
    path("", include("grouping.urls")),
    path("", include("consent.urls")),
    path("", include("api.urls")),
    path("", include("training.urls")),
    path("", include("web.urls")),
]
