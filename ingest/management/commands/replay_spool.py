"""Replay a spool directory into PostgreSQL now (web processes do it by themselves)."""

from pathlib import Path

from django.core.management.base import BaseCommand

from ingest import replay, spool


class Command(BaseCommand):
    help = "Move spooled events into PostgreSQL (this host's spool, or --directory)."

    def add_arguments(self, parser):
        parser.add_argument("--directory", type=Path, help="a host directory under SPOOL_DIR")
        parser.add_argument("--batch", type=int, help="events per transaction")

    def handle(self, *args, directory: Path | None = None, batch: int | None = None, **options):
        directory = directory or spool.host_dir()
        result = replay.replay(directory, batch)
        if result.busy:
            self.stderr.write(f"{directory}: another process is replaying it")
            return
        self.stdout.write(
            f"replayed {result.replayed} events from {result.segments} segments"
            f" ({result.dropped} of deleted projects, {result.expired} past their retention and"
            f" {result.erased} of erased end users dropped,"
            f" {len(result.skipped)} segments still being written)"
        )
