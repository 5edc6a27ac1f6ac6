"""Site labels closed under drift (lab.corpus.drift_labels), on the mined corpus: an upgrade that
changes a bug's exception type makes two site labels one bug; labels that never share a site,
a raised type and a release stay apart."""

from pathlib import Path

from lab.corpus import drift_labels, read_rows, site_label

CORPUS = Path(__file__).resolve().parents[2] / "lab" / "corpus"
DOMAIN = "contact-book/contacts.address_domain/"


def test_a_type_changed_by_an_upgrade_joins_the_bug_it_now_looks_like():
    rows = list(read_rows(CORPUS / "python-contact-book.jsonl.zst"))
    labels = drift_labels(rows)
    idna = {label for row, label in zip(rows, labels, strict=True)
            if site_label(row) == DOMAIN + "IDNAError"}
    syntax = {label for row, label in zip(rows, labels, strict=True)
              if site_label(row) == DOMAIN + "EmailSyntaxError"}
    assert idna == syntax and len(idna) == 1
    # fewer bugs, never more, and every other codebase's site labels where nothing drifted
    assert len(set(labels)) < len({site_label(row) for row in rows})


def test_labels_without_drift_are_the_site_labels():
    rows = list(read_rows(CORPUS / "python-phone-directory.jsonl.zst"))
    assert drift_labels(rows) == [site_label(row) for row in rows]
