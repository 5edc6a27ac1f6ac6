"""Copy the events of an installation upgraded to partitioned storage, in batches."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from monitor import eventstore


class Command(BaseCommand):
    help = ("Move events from monitor_event_legacy into the partitioned tables, a batch per "
            "transaction (resumable; drops the legacy table when it is empty).")

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=5000)

    def handle(self, *args, batch: int, **options):
        total = 0
        while moved := eventstore.copy_legacy(batch):
            total += moved
            self.stdout.write(f"{total} events copied")
        self.stdout.write(self.style.SUCCESS(f"done: {total} events copied"))
