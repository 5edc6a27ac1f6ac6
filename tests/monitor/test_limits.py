"""The fixed bounds have one home (monitor.limits) and one reference (docs/limits.md)."""

import ast
import re
from pathlib import Path

from monitor import limits

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "limits.md"
BEGIN, END = "<!-- limits:begin -->\n", "<!-- limits:end -->\n"
# Not chosen bounds: a column type's range and a fraction of a threshold.
NOT_LIMITS = {("monitor/params.py", "MAX_ID"), ("grouping/policy.py", "MAX_ADAPTATION")}


def test_the_doc_table_is_the_table_in_code():
    text = DOC.read_text()
    documented = text[text.index(BEGIN) + len(BEGIN):text.index(END)]
    assert documented == limits.markdown(), "run `python -m monitor.limits` into docs/limits.md"


def test_every_bound_is_named_once_says_what_it_bounds_and_is_read():
    rows = limits.table()
    names = [name for _, name, _, _ in rows]
    assert len(names) == len(set(names)) > 60
    assert all(what and section for section, _, _, what in rows)
    unread = set(names) - set(limits.users())
    assert not unread, f"bounds no module reads: {sorted(unread)}"


def _local_bounds(path: Path) -> list[str]:
    """Module-level `MAX_X = <number>` (or arithmetic of numbers): a bound written in place."""
    found = []
    for node in ast.parse(path.read_text()).body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
                and re.fullmatch(r"MAX_[A-Z0-9_]+", node.targets[0].id)
                and not any(isinstance(n, ast.Name | ast.Attribute | ast.Call)
                            for n in ast.walk(node.value))):
            found.append(node.targets[0].id)
    return found


def _aliases(path: Path) -> list[str]:
    """Module-level `NAME = limits.BOUND`: a second name that hides where the bound is read."""
    return [node.targets[0].id for node in ast.parse(path.read_text()).body
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Attribute)
            and isinstance(node.value.value, ast.Name) and node.value.value.id == "limits"
            and isinstance(node.targets[0], ast.Name)]


def _sources() -> list[Path]:
    skip = {"tests", "bench", "lab", ".venv", "var", "node_modules", "migrations"}
    return [path for path in sorted(ROOT.rglob("*.py"))
            if not skip & set(path.relative_to(ROOT).parts)]


def test_no_module_writes_a_bound_of_its_own():
    local = []
    for path in _sources():
        relative = str(path.relative_to(ROOT))
        local += [(relative, name) for name in _local_bounds(path)
                  if (relative, name) not in NOT_LIMITS]
    assert not local, f"move these into monitor/limits.py: {local}"


def test_bounds_are_read_where_they_apply_not_through_module_aliases():
    aliased = [(str(path.relative_to(ROOT)), name) for path in _sources()
               for name in _aliases(path)]
    assert not aliased, f"read `limits.NAME` at the use site instead of: {aliased}"
