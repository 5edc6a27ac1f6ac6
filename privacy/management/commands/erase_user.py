"""Erase an end user's data from one organisation (an erasure request): their events and
everything derived from them. Prints what was removed."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from monitor.models import Organization
from privacy.erasure import erase_end_user


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--organization", required=True, help="organisation slug")
        parser.add_argument("--email")
        parser.add_argument("--id", dest="user_id")
        parser.add_argument("--ip")

    def handle(self, *args, **options):
        organization = Organization.objects.filter(slug=options["organization"]).first()
        if organization is None:
            raise CommandError(f"no organisation {options['organization']!r}")
        try:
            report = erase_end_user(organization.id, email=options["email"],
                                    user_id=options["user_id"], ip=options["ip"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps({"organization": organization.slug, **report.as_dict()}))
