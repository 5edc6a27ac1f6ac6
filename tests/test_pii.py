"""The PII scrubber (consent.pii.scrub_text): recall per kind on the check seed of an independent
corpus, code lines left intact, checksums, offline loading of the real NER model."""

import socket
import subprocess
import sys
from collections import Counter

import pytest

from consent.pii import find_spans, names, scrub_text
from evaluation import pii_corpus_v2
from evaluation.pii_corpus import corpus

# Every kind the issue names, with its target; organisations and free-standing city names are
# measured too but held to a lower floor (see docs/consent.md for their figures).
TARGET = 0.99
FLOORS = {"organisation": 0.75, "city": 0.75}


@pytest.fixture
def no_network(monkeypatch):
    """Anything that tries to reach the network (a model or suffix-list download) fails."""

    def refuse(*args, **kwargs):
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)


@pytest.fixture
def fresh_model():
    """The NER model and word list unloaded, so the test sees them load (and unloaded after,
    so a changed setting does not leak into other tests)."""
    names.nlp.cache_clear()
    names._english_words.cache_clear()
    yield
    names.nlp.cache_clear()
    names._english_words.cache_clear()


@pytest.fixture(scope="module")
def check_results():
    samples = pii_corpus_v2.corpus(per_kind=100, seed=pii_corpus_v2.CHECK_SEED)
    return [(sample, scrub_text(sample.text)) for sample in samples]


def test_recall_per_kind_on_the_check_seed(check_results):
    total, missed = Counter(), Counter()
    for sample, out in check_results:
        total[sample.kind] += 1
        missed[sample.kind] += pii_corpus_v2.leaked(sample, out)
    recall = {kind: 1 - missed[kind] / total[kind] for kind in total}
    failing = {kind: r for kind, r in recall.items() if r < FLOORS.get(kind, TARGET)}
    assert not failing, failing
    assert len(total) == len(pii_corpus_v2.GENERATORS)


def test_code_lines_survive_unchanged():
    lines = pii_corpus_v2.code_lines()
    changed = [line.text for line in lines if scrub_text(line.text) != line.text]
    assert 1 - len(changed) / len(lines) >= 0.99, changed


def test_identifiers_in_code_keep_their_names():
    for text in ("class MariaDBAdapter(BaseAdapter):", "from decimal import Decimal",
                 "django.db.models.fields.FieldDoesNotExist", "SELECT name FROM users ORDER BY 1",
                 "Python 3.12.4, Django 5.2.19, release shop@2.14.1"):  # fmt: skip
        assert scrub_text(text) == text


def test_people_places_and_organisations_are_named_by_type():
    out = scrub_text(
        "billing.errors.ProfileMissing: customer 'Maria Gonzalez' of Hoffmann Bau GmbH has no "
        "profile; ship to 4821 Oak Street Apt. 5 or Hauptstraße 12, Berlin"
    )
    assert "Maria" not in out and "Gonzalez" not in out and "Hoffmann" not in out
    assert "Oak Street" not in out and "Hauptstraße" not in out
    for label in ("<PERSON>", "<ORGANIZATION>", "<STREET_ADDRESS>"):
        assert label in out
    assert out.startswith("billing.errors.ProfileMissing: customer '")


def test_checksums_decide_between_identifier_and_number():
    assert scrub_text("NHS number 943 476 5919 not found") == "NHS number <NHS_NUMBER> not found"
    assert "943 476 5918" in scrub_text("NHS number 943 476 5918 not found")  # bad mod 11
    assert "<US_SSN>" in scrub_text("ssn 123-45-6789 rejected")
    assert "666-45-6789" in scrub_text("ssn 666-45-6789 rejected")  # area 666 is never issued
    assert "<UK_NINO>" in scrub_text("NINO AB 12 34 56 C unknown")
    assert "GB123456A" in scrub_text("NINO GB123456A unknown")  # prefix never allocated
    assert "<CREDIT_CARD>" in scrub_text("card 2221-0000-0000-0009 declined")
    assert "2221-0000-0000-0008" in scrub_text("card 2221-0000-0000-0008 declined")  # Luhn


def test_context_words_gate_ambiguous_values():
    assert "<PASSPORT>" in scrub_text("KYCError: passport number C01X00T47 expired")
    assert "C01X00T47" in scrub_text("build C01X00T47 failed")
    assert "<DATE_OF_BIRTH>" in scrub_text("DOB: 14 March 1987 does not match")
    assert "2024-05-06" in scrub_text("order 1234 of 2024-05-06")


def test_phones_of_every_region_and_unicode_emails():
    text = ("unable to reach +81 3-1234-5678, +55 11 91234-5678 or 020 7946 0958 (phone); "
            "mail josé.müller@bücher.de and 用户@例子.广告")  # fmt: skip
    out = scrub_text(text)
    assert out.count("<PHONE_NUMBER>") == 3 and out.count("<EMAIL_ADDRESS>") == 2, out


def test_a_lone_span_is_never_half_replaced():
    spans = find_spans("customer 'Johannes Kortelainen' at Lindenstraße 5")
    covered = "".join("x" if any(s.start <= i < s.end for s in spans) else "." for i in range(48))
    assert covered[10:30] == "x" * 20


def test_the_model_loads_offline_and_only_when_first_needed(no_network, fresh_model):
    assert names.nlp.cache_info().currsize == 0
    assert scrub_text("PermissionDenied: Aiko Tanaka may not edit invoice 2231") == (
        "PermissionDenied: <PERSON> may not edit invoice 2231"
    )
    assert names.nlp.cache_info().currsize == 1


def test_importing_the_scrubber_loads_no_model():
    code = (
        "import sys, consent.pii; print('spacy' in sys.modules, 'presidio_analyzer' in sys.modules)"  # noqa: E501
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_the_model_is_a_setting(settings, fresh_model):
    settings.PII_NER_MODEL = ""  # NER off: context rules still find a quoted name
    assert names.nlp() is None
    assert "<PERSON>" in scrub_text("customer 'Maria Gonzalez' has no billing profile")
    names.nlp.cache_clear()
    settings.PII_NER_MODEL = "en_core_web_nonexistent"
    with pytest.raises(OSError):
        scrub_text("PermissionDenied: Aiko Tanaka may not edit invoice 2231")


# The original corpus (written with the first recognizers) still passes.
def test_recall_on_the_original_corpus(no_network):
    samples = corpus(size_per_kind=40, seed=99)
    missed = [s for s in samples if s.secret in scrub_text(s.text)]
    assert 1 - len(missed) / len(samples) >= 0.99, missed[:5]


def test_code_and_structure_survive():
    text = (
        'Traceback (most recent call last):\n  File "/srv/app/shop/cart.py", line 41, in total\n'
        "    return sum(self.items) / len(self.items)\nZeroDivisionError: division by zero\n"
        "Python 3.11.7, Django 5.2.19, release shop@1.4.0, took 12.5 ms, order 1234 of 2024-05-06"
    )
    assert scrub_text(text) == text


def test_each_kind_of_secret_is_replaced_by_its_type():
    out = scrub_text(
        "login bob.smith@example.com from 192.168.10.20 with Bearer abcdefghijklmnopqrstuvwxyz0123"
        " via postgres://app:s3cr3t-pw@db:5432/x in /home/alice/app and card 4111 1111 1111 1111"
    )
    for value in ("bob.smith@example.com", "192.168.10.20", "abcdefghijklmnopqrstuvwxyz0123",
                  "s3cr3t-pw", "alice", "4111 1111 1111 1111"):  # fmt: skip
        assert value not in out
    for label in ("<EMAIL_ADDRESS>", "<IP_ADDRESS>", "<BEARER_TOKEN>", "<URL_CREDENTIALS>",
                  "<HOME_USERNAME>", "<CREDIT_CARD>"):  # fmt: skip
        assert label in out
