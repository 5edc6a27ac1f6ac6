"""The grouping rules ML decisions run on: the candidate key, the shape of the embedding text and
the per-platform thresholds. `python -m lab.select --write-rules` chooses them leaving whole
codebases out (lab/select.py) and writes grouping/tuned_rules.json, with the source of each
family's rule ("default": the fallback for families with no codebase) and the provenance; this
module reads it once.

Key rules (what two events must share before their distance is considered):
- "line": exception type, crash frame function, location and code line (the old rule);
- "function": exception type and crash frame function; "module": type and crash location;
- "type": the exception type only;
- "names": exception type, crash frame function and the string literals of its code line (the
  data the line names: `data["currency"]`), which reformatting, renamed locals, comments,
  `return` vs assignment and wrapping leave alone;
- "site": exception type and the application's own crash site (the innermost application frame
  of the root cause, or of the first exception wrapping it with one): its function's name as
  the application's edits leave it (no line, no module, no `_x_step` helper, no entry point);
  "site+template" adds the message's template, "site+callee" the library function the site
  called, "site+line" what the site's code line does (the functions it calls and the
  attributes it reads: locals, literals and spacing a refactor changes left out), so twin
  faults of one function that fail on different expressions get different keys.
- "statement": exception type and the application's crash site's code line as written, with
  no function and no file (grouping.clean.statement_key): renames and moves leave it alone.
A rule may differ per platform family (`key` maps families to rules, "default" for the rest).

The text's shape, per family too: the most recent `frames`, which frames show their code line
(`context`), how the crash line reads (`line`: as written, "raw"; "normalized", its locals and
literals as placeholders; "operations", the calls and attributes it reads) and how the message
reads (`message`: "raw", its "template", or the exception "type" alone):
grouping.clean.LINE_SHAPES, MESSAGE_SHAPES.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from grouping.families import for_family

TUNED_FILE = Path(__file__).with_name("tuned_rules.json")
# keys anchored on the application's own crash site (grouping.clean.anchored_key)
ANCHORED_KEYS = ("site", "site+template", "site+callee", "site+line")
KEY_RULES = ("line", "function", "module", "type", "names", *ANCHORED_KEYS, "statement")
CONTEXT_RULES = ("all", "crash", "none")  # code lines: every frame's, the crash frame's, none


def _for_family(choice: str | dict[str, str], family: str, fallback: str) -> str:
    """A choice made once for every family, or per family (grouping.families.for_family)."""
    if isinstance(choice, str):
        return choice
    return for_family(choice, family, fallback)


@dataclass(frozen=True)
class Rules:
    key: str | dict[str, str] = "line"
    frames: int | dict[str, int] = 6  # most recent frames in the text (per family: "default")
    context: str = "all"
    # the text's code line and message shapes (grouping.clean.LINE_SHAPES, MESSAGE_SHAPES; per
    # family: "default")
    line: str | dict[str, str] = "raw"
    message: str | dict[str, str] = "raw"
    thresholds: dict[str, float] = field(default_factory=lambda: {
        "python": 0.12, "javascript": 0.20, "java": 0.15, "default": 0.12})
    # per family, for pairs whose texts conflict (grouping.conflict); none: the thresholds
    conflict_thresholds: dict[str, float] = field(default_factory=dict)
    # per family ("default": the fallback), what chose its rule, as the issue page says it
    sources: dict[str, str] = field(default_factory=dict)
    fallback: dict = field(default_factory=dict)  # the fallback's choice and its evidence
    provenance: dict = field(default_factory=dict)  # corpus digest, command, date

    def key_for(self, family: str) -> str:
        return _for_family(self.key, family, "function")

    def frames_for(self, family: str) -> int:
        if isinstance(self.frames, int):
            return self.frames
        return for_family(self.frames, family, self.frames["default"])

    def line_for(self, family: str) -> str:
        return _for_family(self.line, family, "raw")

    def message_for(self, family: str) -> str:
        return _for_family(self.message, family, "raw")

    def threshold(self, family: str) -> float:
        return for_family(self.thresholds, family, self.thresholds["default"])

    def source_for(self, family: str) -> str:
        """Which choice decides the family: its own (or the family's it falls back to), else
        the fallback ("default")."""
        if source := for_family(self.sources, family, ""):
            return source
        return f"grouping rules: {for_family({f: f for f in self.thresholds}, family, 'default')}"

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True) + "\n"


OLD = Rules()  # the rules before the corpus (dev-set thresholds, exact code-line key)


def load(path: Path = TUNED_FILE) -> Rules:
    if not path.exists():
        return OLD
    data = json.loads(path.read_text())
    frames = data["frames"]
    return Rules(key=data["key"], context=data["context"],
                 frames={k: int(v) for k, v in frames.items()} if isinstance(frames, dict)
                 else int(frames),
                 line=data.get("line", "raw"), message=data.get("message", "raw"),
                 thresholds={k: float(v) for k, v in data["thresholds"].items()},
                 conflict_thresholds={k: float(v) for k, v in
                                      data.get("conflict_thresholds", {}).items()},
                 sources=dict(data.get("sources", {})), fallback=dict(data.get("fallback", {})),
                 provenance=dict(data.get("provenance", {})))


CURRENT = load()


def use(rules: Rules) -> Rules:
    """Switch the rules in this process (evaluation replays); returns the previous ones."""
    global CURRENT
    previous, CURRENT = CURRENT, rules
    return previous
