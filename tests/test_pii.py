"""The training-set PII scrubber (presidio, offline): recall on a seeded corpus it was not tuned
on, and code left intact."""

import socket

import pytest

from consent.pii import scrub_text
from evaluation.pii_corpus import corpus


@pytest.fixture
def no_network(monkeypatch):
    """Anything that tries to reach the network (a model or suffix-list download) fails."""

    def refuse(*args, **kwargs):
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)


def test_recall_on_a_fresh_seed_is_at_least_99_percent(no_network):
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
