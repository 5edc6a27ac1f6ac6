"""The shipped severity head scores the vector the grouping worker makes for a new issue, so it
is trained on texts in the shape that worker embeds for the shipped model (its manifest's
frames, lines and messages), not the grouping rules' own."""

import pytest

from grouping.policy import event_text, policy_for
from lab.priority.train_severity import served_rules
from tests.helpers.events import normalized

pytestmark = pytest.mark.django_db


def test_the_head_trains_on_the_text_the_grouping_worker_embeds(project):
    data = normalized(value="could not read 'settings.yaml' at line 3")
    embedded = policy_for(project).text(data)
    assert event_text(data, served_rules()) == embedded
    assert event_text(data) != embedded  # the shipped manifest shapes Python's text its own way
