from django.urls import path

from grouping import triage_api

# The issue routes (similar, merge, unmerge) are in faultline.issue_urls.
urlpatterns = [
    path("api/0/projects/<int:project_pk>/grouping/suggestions/", triage_api.suggestion_list,
         name="grouping-suggestions"),
    path("api/0/grouping/suggestions/<int:pk>/answer/", triage_api.suggestion_answer,
         name="grouping-suggestion-answer"),
    path("api/0/projects/<int:project_pk>/grouping/kept-apart/", triage_api.kept_apart_list,
         name="grouping-kept-apart"),
    path("api/0/grouping/kept-apart/<int:pk>/lift/", triage_api.kept_apart_lift,
         name="grouping-kept-apart-lift"),
    path("api/0/projects/<int:project_pk>/grouping/thresholds/", triage_api.thresholds,
         name="grouping-thresholds"),
    path("api/0/projects/<int:project_pk>/grouping/thresholds/<int:pk>/revert/",
         triage_api.threshold_revert, name="grouping-threshold-revert"),
]
