"""Replay corpus splits through the real pipeline on private embedded PostgreSQL and Valkey
(var/eval/), without `make run`: grouping_eval --replay for each split given.

    python bench/grouping_replay.py var/corpus/corpus-seed7.jsonl test heldout_app [--rules old]
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    from faultline.localservices import VAR_DIR, EmbeddedPostgres, EmbeddedValkey

    dataset, *rest = sys.argv[1:]
    extra = [a for a in rest if a.startswith("--")]
    splits = [a for a in rest if not a.startswith("--") and a not in ("old", "current")]
    rules = "old" if "old" in rest else "current"
    postgres = EmbeddedPostgres(VAR_DIR / "eval" / "postgres", durable=False)
    valkey = EmbeddedValkey(VAR_DIR / "eval" / f"valkey-{os.getpid()}")
    postgres.start()
    valkey.start()
    try:
        postgres.ensure_database("faultline_eval")
        os.environ["DATABASE_URL"] = postgres.url("faultline_eval")
        os.environ["REDIS_URL"] = valkey.url
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "faultline.settings")
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0)
        for split in splits:
            call_command("grouping_eval", dataset, split=split, replay=True, cache=True,
                         rules=rules, plot=f"var/grouping_eval_{split}.png",
                         **({"thresholds": "0.1"} if "--quick" in extra else {}))
    finally:
        valkey.stop()
        postgres.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
