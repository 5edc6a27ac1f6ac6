"""`{% for key, value in mapping|pairs %}`: iterate a dict's items safely.

Django's template lookup of `mapping.items` tries `mapping["items"]` first, so an event whose
user, tags or contexts contain a key named "items" would render that value (or fail) instead.
"""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def pairs(mapping) -> list:
    return list(mapping.items()) if isinstance(mapping, dict) else []
