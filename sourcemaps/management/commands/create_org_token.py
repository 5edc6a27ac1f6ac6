from django.core.management.base import BaseCommand, CommandError

from monitor.models import Organization
from sourcemaps.tokens import create_org_token


class Command(BaseCommand):
    help = "Create an organisation auth token for sentry-cli (printed once)."

    def add_arguments(self, parser):
        parser.add_argument("organization", help="organisation slug")
        parser.add_argument("--name", default="CI")
        parser.add_argument("--url", help="public URL embedded in the token (FAULTLINE_URL)")

    def handle(self, organization, name, url, **options):
        org = Organization.objects.filter(slug=organization).first()
        if org is None:
            raise CommandError(f"no organisation {organization!r}")
        self.stdout.write(create_org_token(org, name, url=url)[1])
