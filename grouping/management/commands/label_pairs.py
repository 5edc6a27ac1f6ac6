"""Label pairs of stack traces "same issue" / "different issue" to build a golden set.

Offers the pairs a human judgement is worth most on: ML merges (two fingerprints joined by
distance) and the nearest issues that were kept apart. Answers are stored as LabelledPair rows;
--export writes them as JSON lines for `grouping_eval --pairs`.

    manage.py label_pairs --project 1 --count 20
    manage.py label_pairs --export var/golden-pairs.jsonl --organization acme
"""

from __future__ import annotations

import json
import sys
from itertools import islice

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from consent import policy
from consent.models import Category, Purpose
from consent.pii import scrub_text
from embeddings import store
from grouping.clean import clean_event
from grouping.models import LabelledPair
from grouping.policy import reading_policy
from monitor.models import Event, GroupHash, Issue, Organization

ANSWERS = {"y": True, "yes": True, "s": None, "skip": None, "n": False, "no": False}


def first_event(**filters) -> Event | None:
    return Event.objects.filter(**filters).order_by("timestamp", "id").first()


class Command(BaseCommand):
    help = __doc__
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("--project", type=int)
        parser.add_argument("--count", type=int, default=20)
        parser.add_argument("--user", help="username recorded as the labeller")
        parser.add_argument("--export", help="write labelled pairs to this JSON-lines file")
        parser.add_argument("--organization", help="with --export: the organisation's slug")

    def handle(self, *args, **options):
        if options["export"]:
            return self.export(options["export"], options["organization"])
        if not options["project"]:
            raise CommandError("--project is required to label (or use --export)")
        user = None
        if options["user"]:
            user = get_user_model().objects.get(username=options["user"])
        stdin = options.get("stdin") or sys.stdin
        labelled = 0
        for a, b, why in islice(self.candidates(options["project"]), options["count"]):
            self.stdout.write(
                f"\n=== {why}\n--- A (event {a.event_id.hex[:12]}, issue {a.issue_id})"
            )
            self.stdout.write(clean_event(a.data))
            self.stdout.write(f"--- B (event {b.event_id.hex[:12]}, issue {b.issue_id})")
            self.stdout.write(clean_event(b.data))
            self.stdout.write("Same bug? [y]es / [n]o / [s]kip / [q]uit: ", ending="")
            self.stdout.flush()
            answer = stdin.readline().strip().lower()
            if answer in ("q", "quit", ""):
                break
            if answer not in ANSWERS:
                self.stdout.write("  (not an answer; skipped)")
                continue
            if ANSWERS[answer] is None:
                continue
            LabelledPair.objects.update_or_create(
                event_a=a, event_b=b, defaults={"same_issue": ANSWERS[answer], "labelled_by": user}
            )
            labelled += 1
        self.stdout.write(f"\n{labelled} pairs labelled; {LabelledPair.objects.count()} in all.")

    def candidates(self, project_id: int):
        """ML merges first (was the merge right?), then nearest issues kept apart."""
        seen = set(LabelledPair.objects.values_list("event_a_id", "event_b_id"))
        for group_hash in GroupHash.objects.filter(project_id=project_id, decided_by="ml"):
            a = first_event(project_id=project_id, grouping_hash=group_hash.hash)
            b = first_event(issue_id=group_hash.issue_id)
            if a and b and a != b and (b.id, a.id) not in seen:
                yield b, a, f"joined by ML at distance {group_hash.ml_distance:.3f}"
        model = reading_policy().model
        if model is None:
            return
        for issue in Issue.objects.filter(project_id=project_id).order_by("-last_seen")[:500]:
            for neighbour in store.similar_issues(issue.id, project_id, model, k=1):
                a, b = first_event(issue=issue), first_event(issue_id=neighbour.issue_id)
                if a and b and (a.id, b.id) not in seen and (b.id, a.id) not in seen:
                    seen.add((a.id, b.id))
                    yield a, b, f"different issues at distance {neighbour.distance:.3f}"

    def export(self, target: str, organization: str | None) -> None:
        """One organisation's labelled pairs, only with its training consent, PII scrubbed."""
        if not organization:
            raise CommandError("--export needs --organization (exports never mix organisations)")
        org = Organization.objects.filter(slug=organization).first()
        if org is None:
            raise CommandError(f"no organisation {organization!r}")
        if not policy.allowed(org.id, Purpose.TRAINING, Category.STACK_TRACES):
            raise CommandError(f"{organization} has not consented to training on stack traces")
        with_messages = policy.allowed(org.id, Purpose.TRAINING, Category.ERROR_MESSAGES)
        pairs = LabelledPair.objects.select_related("event_a", "event_b").filter(
            event_a__project__organization=org, event_b__project__organization=org
        )
        count = 0
        with open(target, "w") as handle:
            for pair in pairs:
                a, b = (scrubbed(e.data, with_messages) for e in (pair.event_a, pair.event_b))
                handle.write(json.dumps({"same": pair.same_issue, "a": a, "b": b}) + "\n")
                count += 1
        self.stdout.write(f"wrote {count} labelled pairs of {organization} to {target}")


MESSAGE_FIELDS = {"message", "value", "logentry", "title", "formatted"}


def scrubbed(value, with_messages: bool, key: str = ""):
    """Every string through the PII scrubber; messages dropped without consent to them."""
    if isinstance(value, dict):
        return {
            k: scrubbed(v, with_messages, k)
            for k, v in value.items()
            if with_messages or k not in MESSAGE_FIELDS
        }
    if isinstance(value, list):
        return [scrubbed(v, with_messages, key) for v in value]
    if isinstance(value, str):
        return scrub_text(value)
    return value
