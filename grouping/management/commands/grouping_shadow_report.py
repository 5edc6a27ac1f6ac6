"""What ML grouping would have changed in a project running in shadow mode (or in any mode):
the new fingerprints it would have joined to an existing issue, with their distances."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from monitor.models import GroupHash, Issue


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("project", type=int)
        parser.add_argument("--limit", type=int, default=50)

    def handle(self, *args, **options):
        hashes = GroupHash.objects.filter(project_id=options["project"])
        decided = hashes.filter(ml_state=GroupHash.MLState.DONE)
        would_join = decided.filter(decided_by=GroupHash.DecidedBy.FINGERPRINT).exclude(
            ml_matched_issue=None
        )
        joined = decided.filter(decided_by=GroupHash.DecidedBy.ML)
        issues = Issue.objects.filter(project_id=options["project"]).count()
        self.stdout.write(
            f"{decided.count()} new fingerprints decided by the embedder; "
            f"{joined.count()} joined an issue, {would_join.count()} would have (shadow); "
            f"{issues} issues now, {issues - would_join.count()} with ML applied"
        )
        for group_hash in would_join.select_related("issue", "ml_matched_issue")[
            : options["limit"]
        ]:
            issue, target = group_hash.issue, group_hash.ml_matched_issue
            self.stdout.write(
                f"  {group_hash.ml_distance:.3f}  #{issue.id} {issue.title[:60]}"
                f"  →  #{target.id} {target.title[:60]}"
            )
