"""A suggestion offered for a Node issue before Node was its own family recorded "javascript"
(MergeSuggestion.family). Answered now, its label must count where the Node issue's threshold
adapts ("node", grouping.adapt), not in the browser family's labels: else, once Node has a
threshold of its own, answers to older suggestions are lost to it and move JavaScript's."""

import pytest

from grouping import suggestions
from grouping.models import MergeSuggestion, ProjectLabel
from monitor.models import GroupHash, Issue
from tests.grouping.test_node_entry_frame_fingerprint import APP, EXPRESS, XML, frame
from tests.helpers.events import ingest

pytestmark = pytest.mark.django_db


def _node(function: str) -> dict:
    return {"platform": "node", "exception": {"values": [
        {"type": "Error", "value": "bad", "stacktrace": {"frames": [
            EXPRESS, frame(f"{APP}/feed.js", function, f"return {function}Parse(text);"),
            XML]}}]}}


def test_an_answer_to_a_suggestion_made_before_the_split_counts_for_node(project, no_breaker):
    project.grouping_mode = project.GroupingMode.FINGERPRINT
    project.save(update_fields=["grouping_mode"])
    ingest(project, _node("readFeed"))
    ingest(project, _node("readItem"))
    first, second = Issue.objects.order_by("id")
    row = MergeSuggestion.objects.create(
        project=project, group_hash=GroupHash.objects.get(issue=second), candidate=first,
        family="javascript", distance=0.1, threshold=0.09, model="")
    suggestions.answer(row, MergeSuggestion.Answer.APART)
    assert list(ProjectLabel.objects.values_list("family", flat=True)) == ["node"]
