"""Delete a project or an organisation with all its data, in chunks; or run the retention purge
now (beat runs it daily)."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from privacy import deletion


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--project", type=int)
        group.add_argument("--organization", type=int)
        group.add_argument("--expired", action="store_true")

    def handle(self, *args, **options):
        if options["project"]:
            counts = deletion.purge_project(options["project"])
        elif options["organization"]:
            counts = deletion.purge_organization(options["organization"])
        elif options["expired"]:
            counts = deletion.purge_expired()
        else:
            raise CommandError("nothing to purge")
        self.stdout.write(json.dumps(counts))
