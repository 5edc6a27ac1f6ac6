"""Build a training set (JSON lines of PII-scrubbed, cleaned stack-trace pairs labelled
same/different issue) from the organisations that consent to training on stack traces now."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand

from training import sets


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--name", default="grouping-pairs")
        parser.add_argument("--directory", default="var/training")
        parser.add_argument("--max-pairs-per-project", type=int, default=200)
        parser.add_argument("--seed", type=int, default=0)

    def handle(self, *args, **options):
        training_set = sets.build(
            options["name"], Path(options["directory"]), options["max_pairs_per_project"],
            options["seed"], progress=options["verbosity"] > 0,
        )
        pairs = training_set.pairs.count()
        orgs = training_set.contributions.count()
        same = training_set.pairs.filter(same_issue=True).count()
        self.stdout.write(f"{pairs} pairs ({same} same issue) from {orgs} consenting "
                          f"organisations written to {training_set.path}")
