"""Every project has a DSN key: one is created with the project, however the project is made
(API, admin, web, shell), so no page ever has to show an empty DSN."""

from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import receiver

from monitor.models import Project, ProjectKey


@receiver(post_save, sender=Project, dispatch_uid="monitor.default_key")
def create_default_key(sender, instance: Project, created: bool, raw: bool = False, **kwargs):
    if created and not raw:
        ProjectKey.objects.create(project=instance, label="Default")
