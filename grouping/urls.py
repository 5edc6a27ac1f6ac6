from django.urls import path

from grouping import api

urlpatterns = [
    path("api/0/issues/<int:issue_id>/similar/", api.similar, name="issue-similar"),
    path("api/0/issues/<int:issue_id>/merge/", api.merge, name="issue-merge"),
    path(
        "api/0/issues/<int:issue_id>/hashes/<str:hash>/unmerge/", api.unmerge, name="issue-unmerge"
    ),
]
