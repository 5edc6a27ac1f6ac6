"""Each mined library version installed on its own (`npm install` into
var/mine/js/libs/<lib>@<version>/), so one process can load the versions of one release."""

from __future__ import annotations

import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
HERE = Path(__file__).resolve().parent
VAR = ROOT / "var" / "mine" / "js"
LIBS = VAR / "libs"


def ensure_tools() -> None:
    """The SDKs, frameworks and esbuild pinned by lab/mine/js/package-lock.json."""
    if not (HERE / "node_modules" / "@sentry" / "node").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--prefer-offline"], cwd=HERE,
                       check=True, capture_output=True, timeout=600)


def lib_dir(lib: str, version: str) -> Path:
    return LIBS / f"{lib.replace('/', '+')}@{version}"


def install(lib: str, version: str) -> Path:
    folder = lib_dir(lib, version)
    stamp = folder / ".installed"
    if not stamp.exists():
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["npm", "install", "--prefix", str(folder), f"{lib}@{version}", "--no-audit",
             "--no-fund", "--prefer-offline", "--ignore-scripts", "--omit=dev"],
            check=True, capture_output=True, timeout=300,
        )
        stamp.write_text(version)
    return folder / "node_modules"


def install_all(pairs: set[tuple[str, str]]) -> None:
    with ThreadPoolExecutor(max_workers=3) as pool:
        list(pool.map(lambda pair: install(*pair), sorted(pairs)))


def node_path(versions: dict[str, str]) -> str:
    """NODE_PATH for one release: its library versions, then the SDKs and frameworks."""
    folders = [lib_dir(lib, version) / "node_modules" for lib, version in sorted(versions.items())]
    return ":".join(str(f) for f in [*folders, HERE / "node_modules"])
