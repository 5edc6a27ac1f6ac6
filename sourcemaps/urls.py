from django.urls import path

from sourcemaps import views, web_views

urlpatterns = [
    path("api/0/", views.api_root, name="sentry-cli-root"),
    path("api/0/organizations/<slug:org>/chunk-upload/", views.chunk_upload, name="chunk-upload"),
    path("api/0/organizations/<slug:org>/artifactbundle/assemble/", views.assemble,
         name="artifactbundle-assemble"),
    path("<slug:org>/settings/tokens/", web_views.org_tokens, name="org-tokens"),
]
