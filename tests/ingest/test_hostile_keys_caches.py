"""The ingest worker's per-process caches stay bounded whatever keys payloads carry: the jsonb
key orders (monitor.eventstore) and a scrubber's key verdicts (ingest.scrub). A hostile SDK
can send a new key set with every event; the caches start over rather than grow."""

from ingest.scrub import KNOWN_KEY_CHARS, KNOWN_KEYS, Scrubber
from monitor import eventstore


def test_jsonb_key_orders_stay_bounded_under_ever_new_key_sets():
    for n in range(eventstore.ORDER_CACHE_ENTRIES * 3):
        eventstore.encode({f"k{n}": 1, f"j{n}": {"a": 1, f"deep{n}": 2}})
        assert len(eventstore._ORDERS) <= eventstore.ORDER_CACHE_ENTRIES
    long_keys = {("x" * 600) + str(n): n for n in range(3)}  # past ORDER_CACHE_CHARS: not kept
    eventstore._ORDERS.clear()
    eventstore.encode(long_keys)
    assert tuple(long_keys) not in eventstore._ORDERS


def test_scrubber_key_verdicts_stay_bounded_and_long_keys_are_not_kept():
    scrubber = Scrubber()
    for n in range(KNOWN_KEYS * 3):
        assert scrubber.key_is_sensitive(f"field{n}") is False
        assert len(scrubber._known) <= KNOWN_KEYS
    long = "password" + "x" * KNOWN_KEY_CHARS
    assert scrubber.key_is_sensitive(long) is True  # judged, not remembered
    assert long not in scrubber._known
