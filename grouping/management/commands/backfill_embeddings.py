"""Embed one representative event (the first) of every issue that has no vector for a model:
the served one by default (after installing Faultline on existing data, after changing
EMBEDDING_MODEL_PATH, after a rollback past confirmation), or `--model ID` (a candidate before
its promotion). Resumable: issues that already have a vector are skipped."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db.models import Exists, OuterRef
from tqdm import tqdm

from embeddings import store
from embeddings.encoder import encoder_for
from embeddings.models import EmbeddingModel, IssueEmbedding
from grouping import ml
from grouping.clean import clean_event, match_key
from monitor.models import Event, Issue


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
            model = ml.registered_model()
        encoder = encoder_for(model)
        issues = Issue.objects.filter(
            ~Exists(IssueEmbedding.objects.filter(issue=OuterRef("pk"), model=model))
        ).order_by("id")
        if options["project"]:
            issues = issues.filter(project_id=options["project"])
        ids = list(issues.values_list("id", flat=True))
        embedded = skipped = 0
        with tqdm(total=len(ids), unit="issue", disable=options["verbosity"] == 0) as bar:
            for start in range(0, len(ids), options["batch"]):
                chunk = ids[start : start + options["batch"]]
                work = []
                for issue_id in chunk:
                    first = Event.objects.filter(issue_id=issue_id).order_by("timestamp", "id")
                    first = first.only("id", "data", "project_id").first()
                    text = clean_event(first.data) if first else ""
                    if text:
                        work.append((issue_id, first, text))
                    else:
                        skipped += 1
                vectors = encoder.encode([text for _, _, text in work])
                for (issue_id, first, text), vector in zip(work, vectors, strict=True):
                    if Issue.objects.filter(pk=issue_id).exists():  # merged away meanwhile
                        store.save(issue_id, first.project_id, model, vector, text,
                                   match_key(first.data), first.id)  # fmt: skip
                        embedded += 1
                bar.update(len(chunk))
        self.stdout.write(
            f"embedded {embedded} issues with {model.label}; {skipped} without a stack trace"
        )
