"""Embed one representative event (the first) of every issue that has no vector for a model:
the served one by default (after installing Faultline on existing data, after changing
EMBEDDING_MODEL_PATH, after a rollback past confirmation), or `--model ID` (a candidate before
its promotion). Resumable: issues that already have a vector are skipped."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from embeddings.models import EmbeddingModel
from grouping.backfill import backfill
from grouping.policy import policy_for


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--project", type=int, help="only this project id")
        parser.add_argument("--model", type=int, help="registry id (default: the served model)")
        parser.add_argument("--batch", type=int, default=64)

    def handle(self, *args, **options):
        if options["model"]:
            model = EmbeddingModel.objects.get(pk=options["model"])
        else:
            model = policy_for(None).model
        embedded, skipped = backfill(model, options["project"], options["batch"],
                                     progress=options["verbosity"] > 0)
        self.stdout.write(
            f"embedded {embedded} issues with {model.label}; {skipped} without a stack trace"
        )
