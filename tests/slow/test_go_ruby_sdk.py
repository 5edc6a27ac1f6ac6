"""The official Go and Ruby SDKs, as Debian packages them (golang-github-getsentry-sentry-go-dev,
ruby-sentry-ruby, ruby-sentry-rails), against the test web server and ingest worker.

Each scenario is a real process: tests/go/shop built with GO111MODULE=off against Debian's
GOPATH (offline), tests/ruby/app/shop.rb and the one-file Rails app tests/ruby/app/rails_shop.rb.
The same error twice must make one issue, two different errors two, and application frames must
keep their file, function, line and in-app flag (sentry-go sends `abs_path` and no `filename`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.models import Event, Issue, Project
from tests.helpers.go_ruby import GO_SHOP, RUBY, go_shop, require_ruby, run, sdk_project, stored

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def line_of(source: Path, code: str) -> int:
    """The line number of the one line of `source` that holds `code`."""
    (number,) = [n for n, line in enumerate(source.read_text().splitlines(), 1) if code in line]
    return number


def frames(event: Event) -> list[dict]:
    return event.data["exception"][-1]["stacktrace"]["frames"]


def issue_counts(project: Project) -> dict[str, int]:
    return {issue.title: issue.times_seen for issue in Issue.objects.filter(project=project)}


def test_sentry_go_errors_keep_their_frames_and_group(web, worker):
    binary = go_shop()
    project, dsn = sdk_project(web, "goshop", "go")
    for scenario in ("divide", "divide", "nil"):
        assert run([str(binary), scenario], dsn, GO_SHOP).strip() == f"sent {scenario}"
    run([str(binary), "message", "run-1"], dsn, GO_SHOP)
    events = stored(project, 4)

    assert issue_counts(project) == {
        "runtime.errorString: runtime error: integer divide by zero": 2,
        "runtime.errorString: runtime error: invalid memory address or nil pointer dereference": 1,
        "Go shop started run-1": 1,
    }
    divide = next(e for e in events if "divide" in e.title)
    assert divide.platform == "go" and divide.release == "shop-go@1.0.0"
    source = GO_SHOP / "main.go"
    app = {f["function"]: f for f in frames(divide) if f.get("in_app")}
    assert {"checkout", "averagePrice", "main"} <= set(app), list(app)
    crash = app["averagePrice"]
    assert crash["filename"] == crash["abs_path"] == str(source)  # sentry-go sent only abs_path
    assert crash["module"] == "main" and crash["in_app"] is True
    assert crash["lineno"] == line_of(source, "return total / len(c.items)")
    assert app["checkout"]["lineno"] == line_of(source, "return averagePrice(c)")
    assert all(f.get("filename") for f in frames(divide) if f.get("abs_path")), frames(divide)


def test_sentry_ruby_errors_keep_their_frames_and_group(web, worker):
    require_ruby("sentry-ruby")
    project, dsn = sdk_project(web, "rubyshop", "ruby")
    shop = RUBY / "app" / "shop.rb"
    for scenario in ("divide", "divide", "missing"):
        assert run(["ruby", str(shop), scenario], dsn, RUBY).strip().endswith(f"sent {scenario}")
    events = stored(project, 3)

    assert issue_counts(project) == {
        "ZeroDivisionError: divided by 0": 2,
        'KeyError: key not found: "grace"': 1,
    }
    divide = next(e for e in events if e.title.startswith("ZeroDivisionError"))
    assert divide.platform == "ruby" and divide.release == "shop-ruby@1.0.0"
    app = {f["function"]: f for f in frames(divide) if f.get("in_app")}
    assert {"checkout", "average_price"} <= set(app), list(app)
    crash = app["average_price"]
    assert crash["filename"] == "app/shop.rb" and crash["abs_path"] == str(shop)
    assert crash["lineno"] == line_of(shop, "items.sum / items.size") and crash["in_app"] is True
    assert crash["context_line"].strip() == "items.sum / items.size"


def test_sentry_rails_reports_a_controller_error_once_per_bug(web, worker):
    require_ruby("sentry-ruby", "sentry-rails", "action_controller/railtie")
    project, dsn = sdk_project(web, "railsshop", "ruby")
    app_file = RUBY / "app" / "rails_shop.rb"
    for path in ("/orders/7", "/orders/8"):  # two requests, one bug
        assert "status 500" in run(["ruby", str(app_file), path], dsn, RUBY)
    assert "status 200" in run(["ruby", str(app_file), "/orders/1"], dsn, RUBY)
    events = stored(project, 2)

    (issue,) = Issue.objects.filter(project=project)
    assert issue.times_seen == 2 and issue.title.startswith("NoMethodError: undefined method")
    assert {e.data.get("transaction") for e in events} == {"OrdersController#show"}
    assert {e.data["request"]["url"] for e in events} == {
        "http://example.org/orders/7", "http://example.org/orders/8"}
    app = [f for f in frames(events[0]) if f.get("in_app")]  # the request, then the action
    assert [(f["function"], f["filename"]) for f in app] == [
        ("<main>", "app/rails_shop.rb"), ("show", "app/rails_shop.rb")]
    assert app[-1]["lineno"] == line_of(app_file, 'render plain: "total')
    assert app[-1]["abs_path"].endswith("app/rails_shop.rb")  # Rails' cleaner makes it relative
    framework = [f for f in frames(events[0]) if not f.get("in_app")]
    assert framework and all(f["filename"] and f["in_app"] is False for f in framework)
