from django.contrib.auth import views as auth_views
from django.urls import path

from web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("<slug:org>/<slug:project>/issues/", views.stream, name="stream"),
    path("<slug:org>/<slug:project>/issues/bulk/", views.bulk, name="bulk"),
    path("<slug:org>/<slug:project>/issues/<int:issue_id>/", views.issue_detail, name="issue"),
    path(
        "<slug:org>/<slug:project>/issues/<int:issue_id>/action/",
        views.issue_action,
        name="issue-action",
    ),  # fmt: skip
]
