"""Install each codebase's library, at each of its versions, into its own site-packages folder
(``var/mine/site/<codebase>-<version>/site-packages``): the path holds ``site-packages`` so the
SDK marks those frames as not the application's, as it does in a deployment."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from lab.mine.python.codebases import CODEBASES, FASTAPI, Codebase

ROOT = Path(__file__).resolve().parents[3]
SITES = ROOT / "var" / "mine" / "site"


def site_of(codebase: Codebase, index: int) -> Path:
    return SITES / f"{codebase.name}-{codebase.versions[index][0]}" / "site-packages"


def fastapi_site() -> Path:
    return SITES / "_fastapi" / "site-packages"


def _pip(target: Path, requirements: tuple[str, ...]) -> str:
    done = target.parent / ".installed"
    if done.exists() and done.read_text() == "\n".join(requirements):
        return f"cached {target.parent.name}"
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
               "--no-compile", "--prefer-binary", "--target", str(target), *requirements]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    if result.returncode:
        return f"FAILED {target.parent.name}: {result.stderr.strip()[-300:]}"
    done.write_text("\n".join(requirements))
    return f"installed {target.parent.name}"


def install(codebases: list[Codebase] = CODEBASES) -> list[str]:
    jobs = [(fastapi_site(), FASTAPI)]
    for codebase in codebases:
        for index, (_, requirements) in enumerate(codebase.versions):
            jobs.append((site_of(codebase, index), requirements))
    with ThreadPoolExecutor(2) as pool:
        return list(pool.map(lambda job: _pip(*job), jobs))


if __name__ == "__main__":
    for line in install():
        print(line, flush=True)
