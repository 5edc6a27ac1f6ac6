"""Peak memory of reading artifact-bundle zip bombs (tests/helpers/bombs.py: 200 MiB of zeros from
~200 KiB, with lying or honest sizes), each in a fresh process whose peak RSS (VmHWM) is reset
just before the read: through sourcemaps.bundles.read_bundle with the default limits, and
through plain `ZipFile.read()` of every member (what bundles.py did before safezip).

Prints, per bomb, the upload size, the peak RSS growth and the outcome of each reader.

    .venv/bin/python bench/bundle_bombs.py
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.helpers.bombs import KINDS, MiB, bomb  # noqa: E402

READ = r"""
import json, os, re, sys, zipfile

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "faultline.settings")
import django

django.setup()
from sourcemaps.bundles import BundleError, BundleLimits, read_bundle


def rss(field):
    return int(re.search(field + r":\s+(\d+) kB", open("/proc/self/status").read())[1]) * 1024


mode, path = sys.argv[1:3]
with open("/proc/self/clear_refs", "w") as clear:
    clear.write("5")
before = rss("VmRSS")
with open(path, "rb") as file:
    try:
        if mode == "read_bundle":
            read_bundle(file, BundleLimits.from_settings())
            outcome = "accepted"
        else:
            archive = zipfile.ZipFile(file)
            sizes = [len(archive.read(info)) for info in archive.infolist()]
            outcome = f"read {sum(sizes)} bytes"
    except (BundleError, zipfile.BadZipFile) as exc:
        outcome = f"refused: {exc}"
print(json.dumps({"grew": rss("VmHWM") - before, "outcome": outcome}))
"""


def measure(mode: str, path: Path) -> dict:
    result = subprocess.run([sys.executable, "-c", READ, mode, str(path)], cwd=ROOT,
                            capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        for kind in KINDS:
            path = Path(folder) / "bomb.zip"
            path.write_bytes(bomb(kind))
            print(f"{kind}: {path.stat().st_size / 1024:.0f} KiB uploaded")
            for mode in ("read_bundle", "zipfile.read"):
                report = measure(mode, path)
                print(f"  {mode:13} peak RSS +{report['grew'] / MiB:6.1f} MiB  "
                      f"{report['outcome'][:110]}")


if __name__ == "__main__":
    main()
