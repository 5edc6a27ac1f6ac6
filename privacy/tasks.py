from celery import shared_task

from privacy import deletion


@shared_task(name="privacy.purge_expired")
def purge_expired() -> dict[str, int]:
    return deletion.purge_expired()


@shared_task(name="privacy.purge_project")
def purge_project(project_id: int) -> dict[str, int]:
    return deletion.purge_project(project_id)


@shared_task(name="privacy.purge_organization")
def purge_organization(organization_id: int) -> dict[str, int]:
    return deletion.purge_organization(organization_id)
