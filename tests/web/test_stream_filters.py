"""The stream's environment and release filters have one home (monitor.search.EVENT_FILTERS): the
selects offer the project's values, the search accepts a term for them before any issue has it,
and the events column follows them."""

import pytest
from django.http import QueryDict

from monitor.search import EVENT_FILTERS, SearchError, parse, select_values, stream_query
from tests.helpers.events import event, ingest
from web import queries

pytestmark = pytest.mark.django_db


def test_each_event_filter_is_offered_accepted_and_counted(project):
    ingest(project, {**event(), "environment": "production", "release": "shop@1.0"})

    assert queries.filter_choices(project) == {"environment": ["production"],
                                               "release": ["shop@1.0"]}
    for key in EVENT_FILTERS:
        search = parse(stream_query(QueryDict(f"{key}=not-yet")))
        assert list(queries.stream(project, search, None)) == []  # an answer, not an error
        assert select_values(search)[key] == "not-yet"
        assert queries.event_filters(search) == {key: "not-yet"}
    with pytest.raises(SearchError):  # other tags are checked against the project's keys
        queries.stream(project, parse("browser:not-yet"), None)
