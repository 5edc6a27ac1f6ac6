"""Run each release of the JavaScript applications under node with the real @sentry/node
(js/runner.cjs); bundled applications are built and minified with esbuild first."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from lab.generate.corpus import jsapps
from lab.generate.corpus.pycapture import write_tree

JS = Path(__file__).resolve().parent / "js"


def ensure_node_modules() -> None:
    """`npm ci` into lab/generate/corpus/js/node_modules (pinned by package-lock.json)."""
    if not (JS / "node_modules" / "@sentry" / "node").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=JS, check=True,
                       capture_output=True)


def bundle(src: Path, dist: Path) -> Path:
    subprocess.run(
        [str(JS / "node_modules" / ".bin" / "esbuild"), "entries.js", "--bundle",
         "--minify", "--platform=node", "--format=cjs", f"--outdir={dist}",
         "--entry-names=app.[hash]", "--log-level=warning"],
        check=True, capture_output=True, cwd=src,  # relative input: the hash is the content's
    )
    return next(dist.glob("app.*.js"))


def rows(seed: int, small: bool, build: Path) -> list[dict]:
    ensure_node_modules()
    out = []
    for spec in jsapps.APPS:
        app = jsapps.build_app(spec, seed, 3 if small else spec.min_bugs)
        repeats = 1 if small else 2
        for release in range(1, jsapps.RELEASES + 1):
            p = jsapps.plan(app, release, seed)
            root = build / spec.name / f"r{release}"
            if root.exists():
                shutil.rmtree(root)
            write_tree(root / "src", jsapps.render_release(app, p))
            src = root / "src"
            module = bundle(src, root / "dist") if spec.bundled else src / "entries.js"
            triggers = []
            for fn in app.functions:
                for s, step in enumerate(fn.steps):
                    for b, bug in enumerate(step.bugs):
                        for e in range(fn.entries):
                            for _ in range(repeats):
                                data = jsapps.failing_input(fn, s, b, p.rng.randint(1, 999))
                                triggers.append({"bug": bug, "input": data,
                                                 "entry": jsapps.entry_name(spec, fn, e)})
            plan_file = root / "plan.json"
            output = root / "events.jsonl"
            plan_file.write_text(json.dumps({"app": spec.name, "release": release,
                                             "module": str(module), "output": str(output),
                                             "triggers": triggers}))
            subprocess.run(["node", str(JS / "runner.cjs"), str(plan_file)], cwd=JS, check=True,
                           capture_output=True, timeout=300)
            for line in output.read_text().splitlines():
                row = json.loads(line)
                event = tidy(row["event"], str(root), f"/srv/{spec.name}/releases/{release}")
                out.append({"bug": row["bug"], "app": spec.name, "platform": "javascript",
                            "event": event})
    return out


def tidy(event: dict, root: str, deployed: str) -> dict:
    volatile = ("contexts", "breadcrumbs", "extra", "modules", "timestamp", "event_id")
    for key in volatile:
        event.pop(key, None)
    for exc in (event.get("exception") or {}).get("values", []):
        frames = (exc.get("stacktrace") or {}).get("frames") or []
        exc.setdefault("stacktrace", {})["frames"] = [
            f for f in frames if "runner.cjs" not in str(f.get("filename", ""))
        ]
    text = json.dumps(event).replace(root, deployed).replace(str(JS), "/srv/node")
    return json.loads(text)
