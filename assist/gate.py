"""Consent is the only door: which parts of an issue may enter a prompt, for whom the feature
exists at all. Every answer comes from `consent.policy`; nothing here reads consent itself."""

from __future__ import annotations

from consent import policy
from consent.models import CATEGORIES, Category, Purpose

GENERATIVE = Purpose.GENERATIVE

# What each part of a prompt is, in consent's categories. Tags travel with the message (free
# text the SDK sets beside it); context lines are source code, so they also need code consent.
PART_CATEGORIES: dict[str, tuple[str, ...]] = {
    "message": (Category.ERROR_MESSAGES,),
    "tags": (Category.ERROR_MESSAGES,),
    "stack_trace": (Category.STACK_TRACES,),
    "context_lines": (Category.STACK_TRACES, Category.REPOSITORY_CODE),
    "breadcrumbs": (Category.DOM_INTERACTIONS,),
    "examples": (Category.STACK_TRACES,),  # retrieval searches stack-trace vectors
}


def allowed_categories(organization_id: int) -> frozenset[str]:
    """The generative categories the organisation consents to now (empty when hidden/locked)."""
    return frozenset(
        str(category)
        for category in CATEGORIES[GENERATIVE]
        if policy.allowed(organization_id, GENERATIVE, category)
    )


def allowed_parts(categories: frozenset[str]) -> frozenset[str]:
    return frozenset(part for part, needs in PART_CATEGORIES.items() if set(needs) <= categories)


def visible(organization_id: int) -> bool:
    """False when the organisation hides AI features: then no UI, no API, no trace."""
    return not policy.ai_features_hidden(organization_id)


def enabled(categories: frozenset[str]) -> bool:
    """A summary needs at least the stack trace or the message."""
    return bool({"stack_trace", "message"} & allowed_parts(categories))


def still_allowed(organization_id: int, categories: list[str]) -> bool:
    """Asked again right before a prompt leaves: every category it uses must still be allowed."""
    return all(policy.allowed(organization_id, GENERATIVE, c) for c in categories)
