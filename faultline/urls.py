from django.conf import settings
from django.contrib import admin
from django.http import JsonResponse
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView


def health(request):
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", health, name="health"),
    # Browsers ask for /favicon.ico on pages without a link tag (error pages, raw JSON).
    path("favicon.ico", RedirectView.as_view(url=static("web/favicon.svg"), permanent=True),
         name="favicon"),
    path("", include("ingest.urls")),
    path("", include("grouping.urls")),
    path("", include("consent.urls")),
    path("", include("sourcemaps.urls")),
    path("", include("feedback.urls")),
    path("", include("attachments.urls")),  # before api.urls: it answers GET /api/0/ itself
    path("", include("assist.urls")),
    path("", include("releases.urls")),
    path("api/0/", include("faultline.issue_urls")),  # before web: api/0/issues/1/ is no org page
    path("", include("api.urls")),
    path("", include("alerts.urls")),
    path("", include("training.urls")),
    path("", include("web.urls")),
    path("", include("members.urls")),  # after web: its paths never shadow an org's pages
]
if settings.SSO_ENABLED:  # before the org pages would be better, but "oidc" is never an org
    urlpatterns.insert(0, path("oidc/", include("mozilla_django_oidc.urls")))
