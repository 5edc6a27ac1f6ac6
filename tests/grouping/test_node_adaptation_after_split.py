"""A Node project's threshold adapted before Node was its own family is stored under
"javascript" (ProjectAdaptation.thresholds), and still serves Node by the fallback
(grouping.families.for_family). Its next answers are recorded under "node": the threshold they
move from, the one a change records as `previous`, and the one a choice equal to the base is
compared with must be that served one, not the base. Before, answers that chose the base left
the old "javascript" threshold in force, silently, and no change was recorded."""

import pytest

from grouping import adapt, ml
from grouping.models import ProjectAdaptation, ThresholdChange
from grouping.policy import reading_policy
from tests.helpers.events import A, event, ingest

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def stock_model(settings):
    settings.EMBEDDING_MODEL = "stock"


def test_node_answers_that_choose_the_base_undo_the_javascript_adaptation(project, no_breaker):
    ingest(project, event(**A))
    ml.drain(wait_ms=0)  # the served model has a row now
    project.platform = "node"
    project.save(update_fields=["platform"])
    policy = reading_policy(project)
    base = policy.base_threshold("node")
    adapted = round(base + 0.02, 4)
    assert policy.bounds("node")[1] >= adapted
    ProjectAdaptation.objects.create(project=project, thresholds={"javascript": adapted})
    assert reading_policy(project).threshold("node") == pytest.approx(adapted)  # the fallback

    for i in range(adapt.MIN_LABELS):  # "not the same" just past the base: the base is chosen
        adapt.record(project, "node", False, "answer", base + 0.01,
                     reading_policy(project).model.label, (f"{i}", ""))

    assert reading_policy(project).threshold("node") == pytest.approx(base)
    change = ThresholdChange.objects.get(family="node")
    assert change.previous == pytest.approx(adapted) and change.threshold == pytest.approx(base)
    assert reading_policy(project).threshold("javascript") == pytest.approx(adapted)  # browser
