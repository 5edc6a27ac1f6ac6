from django.contrib.auth import views as auth_views
from django.urls import path

from members import passwords, views

app_name = "members"
urlpatterns = [
    path("invitations/<str:token>/", views.accept, name="accept"),
    path("<slug:org>/settings/invitations/", views.invitation_action, name="invitations"),
    path("password-reset/", passwords.PasswordResetView.as_view(), name="password-reset"),
    path("password-reset/sent/", auth_views.PasswordResetDoneView.as_view(
        template_name="registration/password_reset_done.html"), name="password-reset-done"),
    path("password-reset/<uidb64>/<token>/", passwords.PasswordResetConfirmView.as_view(),
         name="password-reset-confirm"),
    path("password-reset/complete/", auth_views.PasswordResetCompleteView.as_view(
        template_name="registration/password_reset_complete.html"),
        name="password-reset-complete"),
]
