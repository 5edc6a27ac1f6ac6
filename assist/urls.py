from django.urls import path

from assist import api, views

app_name = "assist"
issue = "<slug:org>/<slug:project>/issues/<int:issue_id>/assist/"
urlpatterns = [
    path(issue, views.card, name="card"),
    path(issue + "summarize/", views.summarize, name="summarize"),
    path(issue + "notes/", views.add_note, name="add-note"),
    path("<slug:org>/assist/log/", views.log, name="log"),
    path("api/0/organizations/<slug:slug>/assist-log/", api.organization_log, name="api-log"),
]
