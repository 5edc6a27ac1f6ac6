"""A title and an exception type go into one-line places (the stream, mail subjects, chat
messages). Bidirectional controls an SDK sends (U+202E RIGHT-TO-LEFT OVERRIDE and the rest)
would reverse what follows them there, so a title can show text the event does not say; they are
dropped, as line breaks become spaces."""

from ingest.normalize import normalize_event

BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def normalized(exc_type: str, value: str) -> dict:
    return normalize_event({"platform": "python", "exception": {"values": [
        {"type": exc_type, "value": value}]}}, 1_700_000_000.0, "0" * 32)


def test_bidi_controls_leave_the_title_and_the_type():
    event = normalized("Value\u202eError", "invoice \u202eexe.fdp\u202c paid\u2066 twice\u2069")
    assert event["title"] == "ValueError: invoice exe.fdp paid twice"
    assert event["exception"][0]["type"] == "ValueError"
    assert not set(BIDI) & set(event["title"])


def test_other_text_keeps_its_characters():
    """Hebrew, and an emoji joined by U+200D ZERO WIDTH JOINER (a format character too)."""
    event = normalized("KeyError", "'clé' \u05e9\u05dc\u05d5\u05dd 👩‍💻")
    assert event["title"] == "KeyError: 'clé' \u05e9\u05dc\u05d5\u05dd 👩‍💻"
