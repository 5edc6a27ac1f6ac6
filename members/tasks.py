from celery import shared_task

from members import passwords


@shared_task(name="members.send_password_reset")
def send_password_reset(email: str) -> None:
    passwords.send(email)
