"""Server-side scrubbing of normalized events (pure)."""

from ingest.normalize import normalize_event
from ingest.scrub import FILTERED, scrub_event, scrub_string

VISA = "4111 1111 1111 1111"


def event(**fields):
    return normalize_event(fields, 1_700_000_000.0, "0" * 32)


def test_sensitive_keys_anywhere():
    out = scrub_event(
        event(
            extra={"password": "hunter2", "nested": {"api_key": "k", "ok": "fine"}},
            contexts={"db": {"DB_PASSWD": "p", "host": "db"}},
            user={"id": "1", "password": "x"},
        )
    )
    assert out["extra"]["password"] == FILTERED
    assert out["extra"]["nested"] == {"api_key": FILTERED, "ok": "fine"}
    assert out["contexts"]["db"] == {"DB_PASSWD": FILTERED, "host": "db"}
    assert "password" not in out["user"]


def test_request_headers_cookies_query_and_body():
    out = scrub_event(
        event(
            request={
                "url": "https://u:s3cret@api.example/x?token=abc&page=2",
                "query_string": "token=abc&page=2",
                "headers": {
                    "Authorization": "Bearer abc",
                    "Cookie": "sid=1",
                    "Accept": "*/*",
                    "X-Api-Key": "k",
                },
                "cookies": {"sessionid": "zzz", "theme": "dark"},
                "data": {"card": VISA, "credentials": {"user": "a"}, "name": "Bob"},
            }
        )
    )
    request = out["request"]
    assert "s3cret" not in request["url"] and "abc" not in request["url"]
    assert "page=2" in request["query_string"] and "abc" not in request["query_string"]
    headers = dict(request["headers"])
    assert headers["Authorization"] == FILTERED and headers["Cookie"] == FILTERED
    assert headers["X-Api-Key"] == FILTERED and headers["Accept"] == "*/*"
    assert dict(request["cookies"]) == {"sessionid": FILTERED, "theme": FILTERED}
    assert request["data"] == {"card": FILTERED, "credentials": FILTERED, "name": "Bob"}


def test_frame_vars_and_breadcrumbs():
    out = scrub_event(
        event(
            exception={
                "values": [
                    {
                        "type": "E",
                        "value": f"card {VISA} declined",
                        "stacktrace": {
                            "frames": [{"function": "pay", "vars": {"secret": "s", "amount": 3}}]
                        },
                    }
                ]
            },
            breadcrumbs=[{"message": "login", "data": {"auth_token": "t"}}],
        )
    )
    exc = out["exception"][0]
    assert exc["value"] == f"card {FILTERED} declined"
    assert exc["stacktrace"]["frames"][0]["vars"] == {"secret": FILTERED, "amount": 3}
    assert out["breadcrumbs"][0]["data"]["auth_token"] == FILTERED


def test_card_numbers_need_a_valid_luhn_checksum():
    assert scrub_string(f"paid with {VISA}.") == f"paid with {FILTERED}."
    assert scrub_string("order 4111111111111112 failed") == "order 4111111111111112 failed"
    assert scrub_string("id 12345") == "id 12345"


def test_extra_keys_per_project():
    out = scrub_event(event(extra={"customer_ssn": "123-45-6789", "x": 1}), ["ssn"])
    assert out["extra"] == {"customer_ssn": FILTERED, "x": 1}


def test_malformed_extra_keys_never_break_scrubbing():
    """Scrub_extra_keys = [1] made every event of the project fail after the 200."""
    for bad in ([1], [None, {"a": 1}], "ssn", {"ssn": 1}, [""]):
        out = scrub_event({"extra": {"password": "x", "ssn": "1"}}, bad)
        assert out["extra"]["password"] == "[Filtered]"
    assert scrub_event({"extra": {"ssn": "1"}}, [1, "ssn"])["extra"]["ssn"] == "[Filtered]"


def test_form_bodies_breadcrumb_urls_and_csp_reports_are_scrubbed_by_key():
    event = {
        "request": {"data": "user=ann&password=hunter2&next=%2F"},
        "breadcrumbs": [{"category": "http", "data": {"url": "https://api.example/x?token=abc&q=1",
                                                       "method": "GET"}}],
        "csp": {"document-uri": "https://app.example/reset?secret=s3&x=1",
                "blocked-uri": "https://cdn.example/a.js?api_key=k"},
        "tags": [["url", "https://app.example/?session=abc"]],
    }
    out = scrub_event(event)
    assert "hunter2" not in out["request"]["data"] and "user=ann" in out["request"]["data"]
    url = out["breadcrumbs"][0]["data"]["url"]
    assert "abc" not in url and "q=1" in url
    assert "s3" not in out["csp"]["document-uri"] and "x=1" in out["csp"]["document-uri"]
    assert "api_key=k" not in out["csp"]["blocked-uri"]
    assert "abc" not in out["tags"][0][1]
