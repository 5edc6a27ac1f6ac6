"""A web process reads which model serves (the issue page's similar issues, the assist's
retrieval) without writing the shipped model out: in a container its root is read-only and only
the model workers mount the models folder."""

import pytest

from embeddings import registry
from grouping.policy import reading_policy

pytestmark = pytest.mark.django_db


def test_the_served_model_is_named_where_no_model_folder_can_be_written(project, settings,
                                                                        tmp_path):
    served = registry.served()  # registered where it is served (a worker, here the test)
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    settings.FAULTLINE_SHIPPED_MODEL_DIR = str(blocked / "models")  # cannot be made

    assert registry.serving().pk == served.pk
    assert registry.is_stock(served)
    reading_policy(project)
    assert not (blocked / "models").exists()


def test_the_staff_models_page_renders_before_any_model_is_registered(admin_client, settings,
                                                                      tmp_path):
    from embeddings.models import EmbeddingModel

    blocked = tmp_path / "a-file"
    blocked.write_text("")
    settings.FAULTLINE_SHIPPED_MODEL_DIR = str(blocked / "models")
    response = admin_client.get("/staff/models/")
    assert response.status_code == 200
    assert b"none yet" in response.content
    assert not EmbeddingModel.objects.exists()  # the page registered nothing
