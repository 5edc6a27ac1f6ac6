"""Move this installation to the grouping model that ships with Faultline (or, with --stock,
back to the stock all-MiniLM-L6-v2) the way any candidate moves: shadow, backfill of every
issue's vector (resumable: run it again after an interruption), promotion. Every issue id and
every user merge and unmerge stays; the model it replaces stays `previous`, so the staff models
page can roll back at once until the promotion is confirmed."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from embeddings import registry
from embeddings.encoder import base_spec
from embeddings.models import EmbeddingModel
from grouping import backfill


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--stock", action="store_true",
                            help="adopt the packaged all-MiniLM-L6-v2 instead")

    def handle(self, *args, **options):
        if options["stock"]:
            spec = base_spec()
            model = EmbeddingModel.objects.filter(name=spec.name, version=spec.version).first()
            if model is None:
                from embeddings.encoder import Encoder

                model = registry.register(spec.name, spec.version, Encoder(spec).dimension,
                                          spec.path)
        else:
            model = registry.shipped()
        before = registry.served()
        change = backfill.adopt(model, progress=options["verbosity"] > 0)
        if change is None:
            self.stdout.write(f"{model.label} already serves")
            return
        covered, _ = registry.coverage(model)
        self.stdout.write(f"{model.label} serves in place of {before.label} ({covered} issues "
                          f"embedded); roll back at /staff/models/ until the promotion is "
                          f"confirmed")
