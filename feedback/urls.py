from django.urls import path

from feedback import api

urlpatterns = [
    path("api/0/projects/<int:pk>/feedback/", api.project_feedback, name="project-feedback"),
    path("api/0/projects/<slug:org>/<slug:project>/user-feedback/", api.legacy_user_feedback,
         name="legacy-user-feedback"),
]
