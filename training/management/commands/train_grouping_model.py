"""Fine-tune the base embedder contrastively on the corpus's train split, the consenting
organisations' training set and release-variation augmentations; score validation and test;
register the result as a new model version with its manifest (it serves only once promoted)."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from embeddings import registry
from training import fit, lifecycle
from training.models import TrainingSet


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        defaults = fit.Hyperparameters()
        parser.add_argument("corpus", nargs="+",
                            help="labelled corpus files (JSON lines with bug ids and splits); "
                                 "several are pooled, each one its own project")
        parser.add_argument("--validation-corpus", nargs="+", default=[],
                            help="more corpora whose validation splits join the choice of key "
                                 "rules and thresholds (and whose test and held-out splits are "
                                 "reported); their train splits are not trained on")
        parser.add_argument("--name", default="faultline-grouping")
        parser.add_argument("--training-set", default="latest",
                            help="TrainingSet id, 'latest' or 'none'")
        parser.add_argument("--directory", default=None, help="default FAULTLINE_MODEL_DIR")
        parser.add_argument("--max-steps", type=int, default=defaults.max_steps)
        parser.add_argument("--batch-size", type=int, default=defaults.batch_size)
        parser.add_argument("--learning-rate", type=float, default=defaults.learning_rate)
        parser.add_argument("--max-pairs", type=int, default=defaults.max_pairs)
        parser.add_argument("--margin", type=float, default=defaults.margin)
        parser.add_argument("--matryoshka-dims", default="384,128")
        parser.add_argument("--dimension", type=int, default=None,
                            help="serve at this Matryoshka dimension (default: the full one)")
        parser.add_argument("--seed", type=int, default=defaults.seed)
        parser.add_argument("--trainable-layers", type=int, default=defaults.trainable_layers,
                            help="top transformer layers trained (0: all)")
        parser.add_argument("--fitted", default=None,
                            help="weights fitted on a GPU machine from the same pairs "
                                 "(bench/cuda.py graft): score and register them instead of "
                                 "training here; refused unless fitted on these pairs with "
                                 "these hyperparameters from this base model")
        parser.add_argument("--relabel-share", type=float, default=defaults.relabel_share,
                            help="share of pairs whose application words are renamed alike on "
                                 "both sides (training.augment.relabel)")
        parser.add_argument("--shadow", action="store_true", help="start it in shadow at once")
        parser.add_argument("--ship", action="store_true",
                            help="then write it as the shipped model (ship_grouping_model; "
                                 "only with --training-set none)")

    def handle(self, *args, **options):
        if options["fitted"] and not (Path(options["fitted"]) / "fitted.json").exists():
            raise CommandError(f"{options['fitted']} has no fitted.json (bench/cuda.py graft)")
        if options["ship"] and options["training_set"] != "none":
            raise CommandError("--ship: only a model of the public corpus ships "
                               "(--training-set none)")
        for path in options["corpus"] + options["validation_corpus"]:
            if not Path(path).exists():
                raise CommandError(f"{path} does not exist")
        hp = fit.Hyperparameters(
            max_steps=options["max_steps"], batch_size=options["batch_size"],
            learning_rate=options["learning_rate"], max_pairs=options["max_pairs"],
            margin=options["margin"], dimension=options["dimension"], seed=options["seed"],
            relabel_share=options["relabel_share"], trainable_layers=options["trainable_layers"],
            matryoshka_dims=[int(d) for d in options["matryoshka_dims"].split(",") if d],
        )
        choice = options["training_set"]
        if choice == "none":
            training_set = None
        elif choice == "latest":
            training_set = TrainingSet.objects.order_by("-id").first()
        else:
            training_set = TrainingSet.objects.get(pk=int(choice))
        directory = Path(options["directory"]) if options["directory"] else None
        model = lifecycle.train_model(options["name"], options["corpus"], training_set, hp,
                                      directory, progress=options["verbosity"] > 0,
                                      validation_paths=options["validation_corpus"],
                                      fitted=options["fitted"])
        if options["shadow"]:
            registry.start_shadow(model.embedding_model)
        m = model.manifest
        self.stdout.write(f"trained {model.embedding_model.label} in {m['training_seconds']} s "
                          f"on {m['device']} from {m['pairs']['total']} pairs; "
                          f"saved to {model.path}")
        chosen = m["metrics"]["trained"]
        self.stdout.write(f"  chosen on validation: key rules {chosen.get('keys')}, "
                          f"thresholds {chosen['thresholds']}")
        for who, metrics in (("trained", m["metrics"]["trained"]),
                             ("served " + m["metrics"]["served"]["model"], m["metrics"]["served"])):
            for split in ("validation", "test", "heldout_app"):
                s = metrics.get(split)
                if s:
                    self.stdout.write(f"  {who:<40} {split:<10} issues/bug "
                                      f"{s['issues_per_bug']:.2f}  pair-P "
                                      f"{s['pair_precision']:.3f}  pair-R {s['pair_recall']:.3f}"
                                      f"  B3-F1 {s['bcubed_f1']:.3f}")
        if options["verbosity"] > 1:
            self.stdout.write(json.dumps(m, indent=2))
        if options["ship"]:
            call_command("ship_grouping_model", str(model.id), stdout=self.stdout)
