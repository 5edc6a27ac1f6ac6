"""Human labels of stack-trace pairs, the golden set for grouping evaluation."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class LabelledPair(models.Model):
    event_a = models.ForeignKey("monitor.Event", on_delete=models.CASCADE, related_name="+",
                                db_constraint=False)
    event_b = models.ForeignKey("monitor.Event", on_delete=models.CASCADE, related_name="+",
                                db_constraint=False)
    same_issue = models.BooleanField(help_text="True: the same bug; False: different bugs.")
    labelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event_a", "event_b"], name="labelledpair_unique")
        ]

    def __str__(self) -> str:
        return f"{self.event_a_id} {'=' if self.same_issue else '≠'} {self.event_b_id}"


class GroupingFeedback(models.Model):
    """A person's grouping decision as a labelled pair: a merge says two events are one bug, an
    unmerge that they are not. Training sets read it (with consent); deleting an event deletes
    the row."""

    class Kind(models.TextChoices):
        MERGE = "merge", "Merged by a user"
        UNMERGE = "unmerge", "Unmerged by a user"

    project = models.ForeignKey("monitor.Project", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    event_a = models.ForeignKey("monitor.Event", on_delete=models.CASCADE, related_name="+",
                                db_constraint=False)
    event_b = models.ForeignKey("monitor.Event", on_delete=models.CASCADE, related_name="+",
                                db_constraint=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.kind}: {self.event_a_id} / {self.event_b_id}"


class MergedIssue(models.Model):
    """Where an issue merged away now lives, so its links (alert e-mails, bookmarks, the API)
    keep working, as Sentry's group redirects do. Chains are kept flat: merging the target away
    later repoints every row to the new survivor. Deleted with the surviving issue."""

    project = models.ForeignKey("monitor.Project", on_delete=models.CASCADE, related_name="+")
    previous_id = models.BigIntegerField(unique=True, help_text="The merged issue's id.")
    issue = models.ForeignKey("monitor.Issue", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.previous_id} → {self.issue_id}"


class KeptApart(models.Model):
    """Two fingerprints a person said are different faults (an unmerge, or *not the same* on a
    suggestion): no automatic decision joins their issues again (grouping.constraints) until a
    person merges them or lifts this. Lifted rows stay, for the audit."""

    class Source(models.TextChoices):
        UNMERGE = "unmerge", "Unmerged by a user"
        ANSWER = "answer", "Answered “not the same”"

    project = models.ForeignKey("monitor.Project", on_delete=models.CASCADE, related_name="+")
    hash_a = models.CharField(max_length=32, help_text="The lower of the two fingerprints.")
    hash_b = models.CharField(max_length=32)
    source = models.CharField(max_length=8, choices=Source.choices)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    lifted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_because = models.CharField(max_length=16, blank=True,
                                      help_text="`undone` or `merged` (by a person).")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "hash_a", "hash_b"],
                                    condition=models.Q(lifted_at__isnull=True),
                                    name="keptapart_one_active_per_pair"),
            models.CheckConstraint(condition=models.Q(hash_a__lt=models.F("hash_b")),
                                   name="keptapart_ordered_pair"),
        ]
        indexes = [models.Index(fields=["project", "hash_a"], name="keptapart_project_a_idx"),
                   models.Index(fields=["project", "hash_b"], name="keptapart_project_b_idx")]

    def __str__(self) -> str:
        return f"{self.hash_a} ≠ {self.hash_b}"


class MergeSuggestion(models.Model):
    """"Likely the same — merge?": a new fingerprint whose nearest issue was just beyond the
    served threshold (within the policy's band above it). Nothing merges until a person answers.
    """

    class Answer(models.TextChoices):
        MERGE = "merge", "Merge"
        APART = "apart", "Not the same"

    project = models.ForeignKey("monitor.Project", on_delete=models.CASCADE, related_name="+")
    group_hash = models.ForeignKey("monitor.GroupHash", on_delete=models.CASCADE,
                                   related_name="+", help_text="The new fingerprint.")
    candidate = models.ForeignKey("monitor.Issue", on_delete=models.CASCADE, related_name="+",
                                  help_text="The issue it would join.")
    family = models.CharField(max_length=32)
    distance = models.FloatField()
    threshold = models.FloatField(help_text="The threshold in force when it was suggested.")
    model = models.CharField(max_length=200, help_text="name@version")
    created_at = models.DateTimeField(auto_now_add=True)
    answer = models.CharField(max_length=8, choices=Answer.choices, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["group_hash", "candidate"],
                                               name="mergesuggestion_unique")]
        indexes = [models.Index(fields=["project", "answer"], name="mergesuggestion_open_idx")]

    def __str__(self) -> str:
        return f"{self.group_hash_id} → #{self.candidate_id} ({self.distance:.3f})"


class ProjectLabel(models.Model):
    """A labelled pair of one project (an answer, a user merge or unmerge) with the served
    distance between its sides: what the project's threshold adapts to (grouping.adapt)."""

    class Source(models.TextChoices):
        ANSWER = "answer", "Answer to a suggestion"
        MERGE = "merge", "Merged by a user"
        UNMERGE = "unmerge", "Unmerged by a user"

    project = models.ForeignKey("monitor.Project", on_delete=models.CASCADE, related_name="+")
    family = models.CharField(max_length=32)
    distance = models.FloatField(null=True, blank=True,
                                 help_text="Cosine distance in the served model; none: unknown.")
    model = models.CharField(max_length=200, blank=True)
    same = models.BooleanField()
    source = models.CharField(max_length=8, choices=Source.choices)
    hash_a = models.CharField(max_length=32, blank=True)
    hash_b = models.CharField(max_length=32, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                           on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    discounted = models.BooleanField(default=False,
                                     help_text="A reverted change's labels no longer count.")

    def __str__(self) -> str:
        return f"{'same' if self.same else 'apart'} at {self.distance}"


class ProjectAdaptation(models.Model):
    """The project's adapted thresholds per platform family, and whether it adapts at all."""

    project = models.OneToOneField("monitor.Project", on_delete=models.CASCADE,
                                   related_name="grouping_adaptation")
    enabled = models.BooleanField(default=True)
    thresholds = models.JSONField(default=dict, blank=True, help_text="family → threshold")

    def __str__(self) -> str:
        return f"{self.project_id}: {self.thresholds} ({'on' if self.enabled else 'off'})"


class ThresholdChange(models.Model):
    """Every move of a project's adapted threshold, with the labels that caused it."""

    class Cause(models.TextChoices):
        LABELS = "labels", "The project's answers"
        REVERT = "revert", "Reverted by a user"

    project = models.ForeignKey("monitor.Project", on_delete=models.CASCADE, related_name="+")
    family = models.CharField(max_length=32)
    previous = models.FloatField(null=True, blank=True, help_text="None: the policy's own.")
    threshold = models.FloatField(null=True, blank=True, help_text="None: the policy's own.")
    cause = models.CharField(max_length=8, choices=Cause.choices)
    labels = models.ManyToManyField(ProjectLabel, blank=True, related_name="+")
    reverts = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                           on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.family}: {self.previous} → {self.threshold}"


class DecisionRecord(models.Model):
    """What an automatic decision of a fingerprint saw: the threshold in force and the project
    adjustment behind it (the issue page's "why grouped")."""

    group_hash = models.OneToOneField("monitor.GroupHash", on_delete=models.CASCADE,
                                      related_name="decision_record")
    threshold = models.FloatField()
    base_threshold = models.FloatField(help_text="The threshold without the adaptation.")
    adjustment = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"{self.group_hash_id}: {self.threshold}"


class FingerprintRelease(models.Model):
    """A release a fingerprint's events came in, written once at ingest. With the fingerprint's
    site function (GroupHash.site_function) it says which site functions an issue's events
    crashed in per release, the evidence of the rename path (grouping.rename); read through the
    issue's fingerprints, it follows merges and unmerges, and goes with its fingerprint."""

    # no index of its own: the unique pair leads with it (ingest writes a row per new pair)
    group_hash = models.ForeignKey("monitor.GroupHash", on_delete=models.CASCADE,
                                   related_name="+", db_index=False)
    release = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group_hash", "release"],
                                    name="fingerprintrelease_unique")
        ]

    def __str__(self) -> str:
        return f"{self.group_hash_id} in {self.release or '(no release)'}"
