from django.urls import path

from training import views

app_name = "training"
urlpatterns = [
    path("staff/models/", views.models_page, name="models"),
    path("staff/models/<int:model_id>/", views.model_action, name="model-action"),
]
