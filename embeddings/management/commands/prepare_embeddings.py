"""Make the served embedding models ready before the workers start (embeddings.readiness)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from embeddings.readiness import prepare_active


class Command(BaseCommand):
    help = "Make the served embedding models ready to serve (the ONNX export on CPU)."

    def handle(self, *args, **options):
        for line in prepare_active():
            self.stdout.write(line)
