"""The `assist` queue: the model runs here, never in a web request."""

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from assist import service


@shared_task(name="assist.generate", acks_late=True,
             soft_time_limit=settings.ASSIST_TIMEOUT_SECONDS + 180)
def generate(generation_id: int) -> str:
    try:
        return service.run(generation_id).status
    except SoftTimeLimitExceeded:
        from assist.models import Generation

        Generation.objects.filter(pk=generation_id, status=Generation.Status.RUNNING).update(
            status=Generation.Status.FAILED, error="The model took too long and was stopped."
        )
        return "failed"


@shared_task(name="assist.upkeep")
def upkeep() -> dict[str, int]:
    return service.upkeep()
