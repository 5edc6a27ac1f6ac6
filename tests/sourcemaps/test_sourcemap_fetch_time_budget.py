"""A project's fetching is bounded in seconds per minute as well as in files, shared by every
worker through Valkey: a site that answers each file slowly, yet within the per-file deadline,
could otherwise take its 60 files a minute at 5 s each, 300 s of dialling a minute, more than
every drain worker has, stalling processing for every other tenant. A real loopback site
stands for it; the assertions are on dials, not on time."""

import time

import pytest

from monitor import limits
from sourcemaps.fetch import FetchCache, Fetcher, FetchPolicy
from tests.helpers.fetch_sites import Site
from tests.helpers.sourcemaps import MINIFIED

MIB = 1024 * 1024
ANSWER_AFTER = 1.5  # seconds: past the budget set below, well within the per-file deadline


class Slow(Site):
    """Answers every file, each after ANSWER_AFTER seconds."""

    def __init__(self, files: dict):
        super().__init__(files)
        serve = self.RequestHandlerClass.do_GET

        class Late(self.RequestHandlerClass):
            def do_GET(handler):  # noqa: N805
                time.sleep(ANSWER_AFTER)
                serve(handler)

        self.RequestHandlerClass = Late


@pytest.mark.django_db
def test_a_projects_dialling_time_per_minute_is_bounded(fetching, redis_client, monkeypatch):
    monkeypatch.setattr(limits, "SOURCE_FETCH_PROJECT_SECONDS_PER_MINUTE", 1, raising=False)
    fetching.SOURCEMAPS_FETCH_TIMEOUT = 10
    site = Slow({f"/assets/f{n}.js": (200, {}, MINIFIED) for n in range(4)})
    try:
        for _attempt in range(3):  # a run that crossed a minute boundary is run again
            minute = int(time.time() // 60)
            site.asked.clear()
            for key in redis_client.keys("faultline:sourcefetch*:104:*"):  # files, seconds
                redis_client.delete(key)
            base = FetchPolicy.for_project(True, site.origin)
            policy = FetchPolicy(**{**base.__dict__, "project_id": 104})
            workers = [FetchCache(MIB, 300), FetchCache(MIB, 300)]
            results = [Fetcher(policy, workers[n % 2]).get(f"{site.origin}/assets/f{n}.js",
                                                            "minified_source")
                       for n in range(4)]
            if int(time.time() // 60) == minute:
                break
        assert results[0][0] is not None  # the first file is fetched, and spends the budget
        assert [why for _, why in results[1:]] == ["fetch rate of the project reached"] * 3
        assert len(site.asked) == 1
    finally:
        site.shutdown()
        site.server_close()
