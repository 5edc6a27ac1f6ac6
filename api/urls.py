from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from api import views

router = DefaultRouter(trailing_slash=True)
router.register("organizations", views.OrganizationViewSet, basename="organization")
router.register("projects", views.ProjectViewSet, basename="project")

key_list = views.ProjectKeyViewSet.as_view({"get": "list", "post": "create"})
key_detail = views.ProjectKeyViewSet.as_view(
    {"get": "retrieve", "patch": "partial_update", "put": "update", "delete": "destroy"}
)

dead_letters = views.DeadLetterViewSet.as_view({"get": "list"})

urlpatterns = [
    path("api/0/projects/<int:project_pk>/dead-letters/", dead_letters,
         name="project-dead-letters"),
    path("api/0/projects/<int:project_pk>/keys/", key_list, name="project-keys"),
    path("api/0/projects/<int:project_pk>/keys/<int:pk>/", key_detail, name="project-key"),
    path("api/0/tokens/", views.tokens, name="api-token"),
    path("api/0/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/0/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/0/", include(router.urls)),
]
