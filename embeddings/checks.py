"""Start-up check (`migrate`, `check`, `runserver`): the shipped model, when it is the
configured one, is intact and fits the installed base model, so a bad checkout or base fails
before the first event instead of at it."""

from __future__ import annotations

from pathlib import Path

from django.core import checks


@checks.register()
def shipped_model_usable(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    from embeddings import shipped
    from embeddings.encoder import default_model_path, uses_shipped

    if not uses_shipped():
        return []
    try:
        shipped.check_base(shipped.load(shipped.SHIPPED_DIR), Path(default_model_path()))
    except shipped.ShippedModelError as exc:
        return [checks.Error(str(exc), hint="restore embeddings/shipped/ from the release, or "
                             "set EMBEDDING_MODEL=stock", id="embeddings.E001")]
    return []
