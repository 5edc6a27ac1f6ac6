from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import path

from web import grouping_views, project_views, settings_views, views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(extra_context={
        "sso_name": settings.SSO_PROVIDER_NAME if settings.SSO_ENABLED else ""}), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", settings_views.account, name="account"),
    path("<slug:org>/projects/new/", project_views.new_project, name="new-project"),
    path(
        "<slug:org>/settings/", settings_views.organization_settings, name="organization-settings"
    ),
    path(
        "<slug:org>/<slug:project>/settings/",
        settings_views.project_settings,
        name="project-settings",
    ),
    path("<slug:org>/<slug:project>/settings/keys/", settings_views.key_action, name="key-action"),
    path("<slug:org>/<slug:project>/issues/", views.stream, name="stream"),
    path("<slug:org>/<slug:project>/issues/bulk/", views.bulk, name="bulk"),
    path("<slug:org>/<slug:project>/issues/first/", views.first_event, name="first-event"),
    path("<slug:org>/<slug:project>/issues/merge/", views.merge, name="merge"),
    path("<slug:org>/<slug:project>/searches/", views.saved_search, name="saved-search"),
    path("<slug:org>/<slug:project>/searches/suggest/", views.search_suggestions,
         name="search-suggestions"),
    path("<slug:org>/<slug:project>/issues/<int:issue_id>/", views.issue_detail, name="issue"),
    path("<slug:org>/<slug:project>/grouping/suggestions/<int:pk>/answer/",
         grouping_views.answer, name="grouping-answer"),
    path("<slug:org>/<slug:project>/grouping/kept-apart/<int:pk>/lift/", grouping_views.lift,
         name="grouping-lift"),
    path("<slug:org>/<slug:project>/settings/grouping/", grouping_views.threshold_action,
         name="grouping-threshold"),
    path(
        "<slug:org>/<slug:project>/issues/<int:issue_id>/action/",
        views.issue_action,
        name="issue-action",
    ),
]
