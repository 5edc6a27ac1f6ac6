# ruff: noqa: E501  (tables of fault sites and source templates read better unwrapped)
"""A small third-party library (installed into a site-packages directory) whose 2.x release
renames its internal functions and modules: the frames a library upgrade changes."""

from __future__ import annotations

V1 = {
    "__init__.py": "from recordkit.convert import coerce\nfrom recordkit.errors import CoercionError\n",
    "errors.py": "class CoercionError(ValueError):\n    pass\n",
    "convert.py": '''from recordkit.errors import CoercionError

__version__ = "1.4.2"


def coerce(value, kind, strict=False):
    return _convert(value, kind, strict)


def _convert(value, kind, strict):
    if kind == "int":
        return _to_int(value)
    return value


def _to_int(text):
    try:
        return int(text)
    except (TypeError, ValueError):
        raise CoercionError(f"cannot coerce {text!r} to int") from None
''',
}

V2 = {
    "__init__.py": "from recordkit.core.coercion import coerce\n"
    "from recordkit.core.exceptions import CoercionError\n",
    "core/__init__.py": "",
    "core/exceptions.py": "class CoercionError(ValueError):\n    pass\n",
    "core/coercion.py": '''from recordkit.core.exceptions import CoercionError

__version__ = "2.0.1"


def coerce(value, kind, strict=False):
    converter = CONVERTERS[kind]
    return apply_converter(converter, value, strict=strict)


def apply_converter(converter, value, strict=False):
    return converter(value)


def parse_int(text):
    try:
        return int(str(text).strip())
    except ValueError:
        raise CoercionError(f"cannot coerce {text!r} to int") from None


CONVERTERS = {"int": parse_int}
''',
}


def files(version: int) -> dict[str, str]:
    return V1 if version == 1 else V2
