"""The shape both generated applications share (Python in pyapps, JavaScript in jsapps): an app
of functions, each a chain of steps, each step a fault family reading one field, with one bug id
per failing input. `family` and `spec` hold each language's own family and app types."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Step:
    family: Any  # families.Family or jsapps.JsFamily
    field: str
    bugs: list[str]  # one bug id per failing input


@dataclass
class Function:
    module: str
    name: str
    steps: list[Step]
    entries: int


@dataclass
class App:
    spec: Any  # pyapps.AppSpec or jsapps.JsAppSpec
    functions: list[Function] = field(default_factory=list)

    @property
    def bugs(self) -> list[str]:
        return [bug for fn in self.functions for step in fn.steps for bug in step.bugs]
