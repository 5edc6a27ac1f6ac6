"""Every /api/0/issues/… route, whichever app answers it; included once, under api/0/, by the
root URL conf (faultline.urls)."""

from django.urls import path
from rest_framework.routers import SimpleRouter
from rest_framework.urlpatterns import format_suffix_patterns

from alerts import api as alerts_api
from api import views as api_views
from assist import api as assist_api
from feedback import api as feedback_api
from grouping import api as grouping_api

# list, detail (status changes by PATCH) and events, with the `.json` suffixes the API has
router = SimpleRouter(trailing_slash=True)
router.register("issues", api_views.IssueViewSet, basename="issue")

issue = "issues/<int:issue_id>/"
urlpatterns = [
    *format_suffix_patterns(router.urls),
    # state and triage (monitor.state)
    path(issue + "assign/", alerts_api.assign, name="issue-assign"),
    path(issue + "ignore/", alerts_api.ignore, name="issue-ignore"),
    path(issue + "resolve/", alerts_api.resolve, name="issue-resolve"),
    path(issue + "comments/", alerts_api.comments, name="issue-comments"),
    path(issue + "activity/", alerts_api.activity, name="issue-activity"),
    # grouping
    path(issue + "similar/", grouping_api.similar, name="issue-similar"),
    path(issue + "merge/", grouping_api.merge, name="issue-merge"),
    path(issue + "hashes/<str:hash>/unmerge/", grouping_api.unmerge, name="issue-unmerge"),
    # what end users and the assistant say about it
    path("issues/<int:pk>/feedback/", feedback_api.issue_feedback, name="issue-feedback"),
    path(issue + "brief/", assist_api.issue_brief, name="issue-brief"),
    path(issue + "summary/", assist_api.summary, name="issue-summary"),
    path(issue + "resolution-notes/", assist_api.notes, name="issue-resolution-notes"),
]
