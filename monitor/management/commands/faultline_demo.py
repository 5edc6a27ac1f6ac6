"""Create (idempotently) a demo organisation, project, DSN key and admin user, and print them."""

import os

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from alerts import default_rule
from monitor.models import Membership, Organization, Project, ProjectKey

DEFAULT_PASSWORD = "faultline-admin"


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args, **options):
        org, _ = Organization.objects.get_or_create(slug="demo", defaults={"name": "Demo"})
        project, created = Project.objects.get_or_create(
            organization=org, slug="demo", defaults={"name": "Demo", "platform": "python"}
        )
        if created:
            default_rule.create_for(project)
        key = project.keys.filter(is_active=True).order_by("id").first()
        if key is None:
            key = ProjectKey.objects.create(project=project)
        username = os.environ.get("FAULTLINE_ADMIN_USER", "admin")
        password = os.environ.get("FAULTLINE_ADMIN_PASSWORD", DEFAULT_PASSWORD)
        user_model = get_user_model()
        user = user_model.objects.filter(username=username).first()
        if user is None:
            user = user_model.objects.create_superuser(username, f"{username}@localhost", password)
            shown_password = password
        else:
            shown_password = "(unchanged; set when the user was created)"
        Membership.objects.get_or_create(
            user=user, organization=org, defaults={"role": Membership.Role.OWNER}
        )
        self.stdout.write(
            "\n".join(
                [
                    "",
                    "Faultline is ready.",
                    f"  URL:      {settings.FAULTLINE_URL}/",
                    f"  Login:    {username} / {shown_password}",
                    f"  DSN:      {key.dsn}",
                    f"  Project:  {org.slug}/{project.slug} (id {project.id})",
                    "",
                ]
            )
        )
