"""Bounded formatting of SDK log templates (`logentry.message` % `logentry.params`).

SDKs send the template and its parameters separately; the formatted text is built here, from
input an attacker controls. Python's `%` and `str.format` would happily build a 100 MB string
from `%99999999d`, walk attributes (`{0.__class__}`) or index into parameters, so both styles
are parsed here and each placeholder is formatted on its own with a bounded width and
precision, a bounded parameter, and a bounded total. A template that asks for more is left
unformatted (the template itself is still a fine message).
"""

from __future__ import annotations

import re
import string
from typing import Any

from monitor import limits

_PRINTF = re.compile(
    r"%(?:\((?P<key>[^()]{0,64})\))?(?P<flags>[-#0 +]{0,5})(?P<width>\*|\d{1,12})?"
    r"(?:\.(?P<precision>\*|\d{1,12}))?[hlL]?(?P<conv>[diouxXeEfFgGcrsa%])"
)
_DIGITS = re.compile(r"\d+")


class Unformattable(Exception):
    """The template asks for more than the budget allows, or does not fit its parameters."""


def _bounded_param(value: Any) -> Any:
    """Scalars pass (strings cut); containers become a short repr."""
    if isinstance(value, str):
        return value[:limits.LOG_PARAM_CHARS]
    if value is None or isinstance(value, (bool, int, float)):
        if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 256:
            raise Unformattable("integer parameter too large")
        return value
    return repr(value)[:limits.LOG_PARAM_CHARS]


def _width_ok(*numbers: str | None) -> bool:
    return all(n is None or (n != "*" and int(n) <= limits.LOG_PLACEHOLDER_WIDTH) for n in numbers)


def format_printf(template: str, params: list | dict) -> str:
    """`template % params` with every placeholder bounded."""
    out: list[str] = []
    size = 0
    pos = 0
    index = 0
    for count, match in enumerate(_PRINTF.finditer(template)):
        if count >= limits.LOG_PLACEHOLDERS:
            raise Unformattable("too many placeholders")
        out.append(template[pos : match.start()])
        pos = match.end()
        if match["conv"] == "%":
            out.append("%")
            continue
        if not _width_ok(match["width"], match["precision"]):
            raise Unformattable("width or precision too large")
        spec = match.group(0)
        if match["key"] is not None:
            if not isinstance(params, dict) or match["key"] not in params:
                raise Unformattable("missing named parameter")
            value = params[match["key"]]
            spec = "%" + spec[len(match["key"]) + 3 :]
        else:
            if not isinstance(params, list) or index >= len(params):
                raise Unformattable("not enough parameters")
            value = params[index]
            index += 1
        try:
            text = spec % (_bounded_param(value),)
        except (TypeError, ValueError, OverflowError) as exc:
            raise Unformattable(str(exc)) from exc
        out.append(text)
        size += len(text)
        if size > limits.LOG_OUTPUT_CHARS:
            break
    out.append(template[pos:])
    return "".join(out)[:limits.LOG_OUTPUT_CHARS]


def format_braces(template: str, params: list | dict) -> str:
    """`template.format(*params)` with plain positional or named fields only, bounded."""
    out: list[str] = []
    size = 0
    auto = 0
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise Unformattable(str(exc)) from exc
    if len(parsed) > limits.LOG_PLACEHOLDERS:
        raise Unformattable("too many placeholders")
    for literal, field, spec, conversion in parsed:
        out.append(literal)
        if field is None:
            continue
        widths = _DIGITS.findall(spec or "")
        if "{" in (spec or "") or any(int(n) > limits.LOG_PLACEHOLDER_WIDTH for n in widths):
            raise Unformattable("nested or oversized format spec")
        if field == "":
            key: int | str = auto
            auto += 1
        elif field.isascii() and field.isdigit() and len(field) <= 9:  # not `²`, not 5,000 digits
            key = int(field)
        elif field.isidentifier():
            key = field
        else:
            raise Unformattable("attribute or index access in a field")
        try:
            value = params[key]  # type: ignore[index]
        except (KeyError, IndexError, TypeError) as exc:
            raise Unformattable("missing parameter") from exc
        value = _bounded_param(value)
        if conversion == "r":
            value = repr(value)
        elif conversion in ("s", "a"):
            value = str(value) if conversion == "s" else ascii(value)
        try:
            text = format(value, spec or "")
        except (TypeError, ValueError, OverflowError) as exc:
            raise Unformattable(str(exc)) from exc
        out.append(text)
        size += len(text)
        if size > limits.LOG_OUTPUT_CHARS:
            break
    return "".join(out)[:limits.LOG_OUTPUT_CHARS]


def format_logentry(template: str, params: Any) -> str | None:
    """The formatted message, or None when the template cannot be formatted within bounds."""
    if len(template) > limits.LOG_TEMPLATE_CHARS or not isinstance(params, (list, dict)):
        return None
    try:
        if "%" in template:
            return format_printf(template, params)
        if "{" in template:
            return format_braces(template, params)
    except Unformattable:
        return None
    return None
