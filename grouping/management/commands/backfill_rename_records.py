"""Fill the rename path's records for data stored before they were written (an installation
upgraded from before the path): each fingerprint's site function, each issue vector's statement
and site function, and the releases each fingerprint's events came in, from the stored events
(grouping.rename_backfill). Run once after the upgrade's migrations; safe beside ingest (a
batch per transaction), resumable and idempotent: stopped, run it again; a second run writes
nothing."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from grouping import rename_backfill

PASSES = (rename_backfill.fingerprints, rename_backfill.vectors, rename_backfill.releases)
EVERY_SECONDS = 5.0  # a progress line at most this often (each batch's with --verbosity 2)


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--project", type=int, help="only this project id")
        parser.add_argument("--batch-size", type=int, default=1000,
                            help="fingerprints, vectors or events per transaction (1000)")

    def handle(self, *args, project=None, batch_size=1000, verbosity=1, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        started, done = time.monotonic(), []
        for run in PASSES:
            shown = time.monotonic()
            for progress in run(project, batch_size):
                if verbosity > 1 or (verbosity and time.monotonic() - shown >= EVERY_SECONDS):
                    self.stdout.write(str(progress))
                    shown = time.monotonic()
            if verbosity == 1:
                self.stdout.write(str(progress))
            done.append(f"{progress.what} {progress.written}")
        self.stdout.write(self.style.SUCCESS(
            f"written: {', '.join(done)} ({time.monotonic() - started:.1f} s)"))
