"""Beat: retrain the grouping models that deletion or withdrawn consent made stale."""

from celery import shared_task

from training import lifecycle


@shared_task(name="training.retrain_stale")
def retrain_stale() -> list[int]:
    return lifecycle.retrain_stale()
