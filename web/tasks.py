from celery import shared_task

from web.keys import retire_due


@shared_task(name="web.retire_rotated_keys", ignore_result=True)
def retire_rotated_keys() -> int:
    return retire_due()
