from django.contrib import admin
from django.http import JsonResponse
from django.urls import include, path


def health(request):
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", health, name="health"),
    path("", include("ingest.urls")),
    path("", include("consent.urls")),
    path("", include("sourcemaps.urls")),
    path("", include("feedback.urls")),
    path("", include("attachments.urls")),  # before api.urls: it answers GET /api/0/ itself
    path("", include("assist.urls")),
    path("api/0/", include("monitor.issue_urls")),  # before web: api/0/issues/1/ is no org page
    path("", include("api.urls")),
    path("", include("alerts.urls")),
    path("", include("training.urls")),
    path("", include("web.urls")),
    path("", include("members.urls")),  # after web: its paths never shadow an org's pages
]
