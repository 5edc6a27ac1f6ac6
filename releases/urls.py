from django.urls import path

from releases import api, views

app_name = "releases"
urlpatterns = [
    path("api/0/projects/<int:project_pk>/releases/", api.project_releases, name="api-list"),
    path("<slug:org>/<slug:project>/releases/", views.release_list, name="list"),
    path("<slug:org>/<slug:project>/releases/<path:version>/", views.release_detail,
         name="detail"),
]
