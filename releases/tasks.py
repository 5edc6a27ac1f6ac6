from celery import shared_task

from releases import users


@shared_task(name="releases.collect_users")
def collect_users() -> int:
    """Beat: record the users of new events per release (bounded per run)."""
    return users.collect()
