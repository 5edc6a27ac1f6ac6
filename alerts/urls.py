from django.urls import path

from alerts import api, views

web_patterns = [
    path("account/notifications/", views.preferences, name="alerts-preferences"),
    path("<slug:org>/<slug:project>/settings/alerts/", views.settings_action,
         name="alerts-settings"),
    path("<slug:org>/<slug:project>/settings/alerts/rules/new/", views.rule_edit,
         name="alerts-rule-new"),
    path("<slug:org>/<slug:project>/settings/alerts/rules/<int:rule_id>/", views.rule_edit,
         name="alerts-rule"),
    path("<slug:org>/<slug:project>/settings/alerts/destinations/<int:destination_id>/",
         views.destination_attempts, name="alerts-attempts"),
    path("<slug:org>/<slug:project>/issues/<int:issue_id>/triage/", views.triage_action,
         name="alerts-triage"),
]

rule_list = api.AlertRuleViewSet.as_view({"get": "list", "post": "create"})
rule_detail = api.AlertRuleViewSet.as_view(
    {"get": "retrieve", "patch": "partial_update", "put": "update", "delete": "destroy"}
)
destination_list = api.AlertDestinationViewSet.as_view({"get": "list", "post": "create"})
destination_detail = api.AlertDestinationViewSet.as_view(
    {"get": "retrieve", "patch": "partial_update", "put": "update", "delete": "destroy"}
)
base = "api/0/projects/<int:project_pk>/"
api_patterns = [
    path(base + "alert-rules/", rule_list, name="alert-rules"),
    path(base + "alert-rules/<int:pk>/", rule_detail, name="alert-rule"),
    path(base + "alert-destinations/", destination_list, name="alert-destinations"),
    path(base + "alert-destinations/<int:pk>/", destination_detail, name="alert-destination"),
    path(base + "alert-destinations/<int:pk>/test/",
         api.AlertDestinationViewSet.as_view({"post": "test"}), name="alert-destination-test"),
    path(base + "alert-destinations/<int:pk>/attempts/",
         api.AlertDestinationViewSet.as_view({"get": "attempts"}),
         name="alert-destination-attempts"),
    path("api/0/notification-preferences/", api.preferences, name="notification-preferences"),
]

urlpatterns = api_patterns + web_patterns
