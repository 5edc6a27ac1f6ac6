from django.urls import path

from ingest import health, views

urlpatterns = [
    path("api/<int:project_id>/store/", views.store, name="ingest-store"),
    path("api/<int:project_id>/envelope/", views.envelope, name="ingest-envelope"),
    path("api/<int:project_id>/security/", views.security, name="ingest-security"),
    path("_health/", health.health, name="ingest-health"),
    path("staff/spool/", health.spool_page, name="ingest-spool"),
]
