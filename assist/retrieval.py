"""Similar resolved issues given to the model as examples: the ONE place that decides which
other issues' text may enter a prompt. Same organisation only, enforced here and nowhere else.

Candidates come from pgvector through `embeddings.store.nearest`, which never leaves one project;
this asks each project of the issue's own organisation, then keeps only resolved issues that
have resolution notes and, again in the database, belong to that organisation.
"""

from __future__ import annotations

from django.conf import settings

from assist.brief import Resolved
from assist.models import ResolutionNote
from assist.prompt import Example
from embeddings import store
from grouping.policy import reading_policy
from monitor import limits
from monitor.models import Event, Issue, Project

CANDIDATES_PER_PROJECT = 20
NOTES_PER_EXAMPLE = 3
EXAMPLE_LINES = 4
BRIEF_RESOLVED = 3


def same_organization(issue_ids: list[int], organization_id: int) -> list[int]:
    """The filter every example passes: issues of this organisation, resolved, in that order."""
    allowed = set(
        Issue.objects.filter(
            id__in=issue_ids,
            project__organization_id=organization_id,
            status=Issue.Status.RESOLVED,
        ).values_list("id", flat=True)
    )
    return [i for i in issue_ids if i in allowed]


def _ranked_neighbours(issue: Issue) -> list[int]:
    """Resolved issues of the issue's own organisation nearest to it (pgvector), nearest first,
    within ASSIST_EXAMPLE_MAX_DISTANCE."""
    model = reading_policy(issue.project).model
    vector = store.vector_of(issue.id, model) if model else None
    if vector is None:
        return []
    organization_id = issue.project.organization_id
    projects = Project.objects.filter(organization_id=organization_id).order_by("-id")
    neighbours = []
    for project_id in projects.values_list("id", flat=True)[:limits.ASSIST_EXAMPLE_PROJECTS]:
        neighbours += store.nearest(
            project_id, model, vector, k=CANDIDATES_PER_PROJECT, exclude=(issue.id,)
        )
    neighbours = [n for n in neighbours if n.distance <= settings.ASSIST_EXAMPLE_MAX_DISTANCE]
    ranked = [n.issue_id for n in sorted(neighbours, key=lambda n: n.distance)]
    return same_organization(ranked, organization_id)


def _notes(issue_id: int) -> tuple[str, ...]:
    return tuple(ResolutionNote.objects.filter(issue_id=issue_id).values_list("text", flat=True)[
        :NOTES_PER_EXAMPLE])


def similar_resolved(issue: Issue, parts: frozenset[str], k: int | None = None) -> list[Example]:
    """Up to `k` resolved issues of the issue's organisation nearest to it, with their notes."""
    from assist.prompt import trace_text

    k = settings.ASSIST_EXAMPLES if k is None else k
    if k <= 0 or "examples" not in parts:
        return []
    examples = []
    for other_id in _ranked_neighbours(issue):
        notes = _notes(other_id)
        event = Event.objects.filter(issue_id=other_id).order_by("-timestamp", "-id").first()
        if not notes or event is None:
            continue
        text = "\n  ".join(trace_text(event.data, parts).splitlines()[:EXAMPLE_LINES])
        examples.append(Example(issue_id=other_id, text=text or event.title, notes=notes))
        if len(examples) >= k:
            break
    return examples


def resolved_neighbours(issue: Issue, k: int = BRIEF_RESOLVED) -> list[Resolved]:
    """For the brief: the nearest resolved issues of the same organisation with their notes
    and fix release (those with neither say nothing about how they were resolved)."""
    out = []
    ranked = _ranked_neighbours(issue)[: k * 4]
    rows = {row[0]: row[1:] for row in Issue.objects.filter(id__in=ranked).values_list(
        "id", "project__slug", "title", "resolved_in_release")}
    notes_of: dict[int, list[str]] = {}
    for other_id, text in ResolutionNote.objects.filter(issue_id__in=ranked).values_list(
            "issue_id", "text"):
        notes_of.setdefault(other_id, []).append(text)
    for other_id in ranked:
        notes = tuple(notes_of.get(other_id, [])[:NOTES_PER_EXAMPLE])
        slug, title, release = rows[other_id]
        if notes or release:
            out.append(Resolved(other_id, slug, title, notes, release or ""))
        if len(out) >= k:
            break
    return out
