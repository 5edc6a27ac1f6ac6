"""Lab tools: the real-code grouping corpus, its miners and the selection that ships, and the
generated corpora (`lab.generate`: the grouping corpus, the dev set, the PII corpora).

Not a Django app and never imported by the product at run time (docs/corpus.md).
"""


def setup_django() -> None:
    """Django for a lab script run from the shell: the project's settings, and no database
    unless DATABASE_URL names one (the lab reads models, rules and corpora; a replay sets up its
    own first, lab.replay.local_database)."""
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "faultline.settings")
    os.environ.setdefault("DATABASE_URL", "postgresql://unused@/unused")
    import django

    django.setup()
