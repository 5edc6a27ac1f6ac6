from django.urls import path

from attachments import views

urlpatterns = [
    path("api/0/projects/<int:pk>/events/<uuid:event_id>/attachments/", views.api_list,
         name="event-attachments"),
    path("api/0/attachments/<int:pk>/download/", views.api_download, name="attachment-download"),
    path("<slug:org>/<slug:project>/attachments/<int:attachment_id>/", views.download,
         name="attachment"),
]
