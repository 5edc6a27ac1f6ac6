"""Real code with real bugs, raised and captured by the official sentry-sdk in the e2e tests."""

from __future__ import annotations


class Cart:
    def __init__(self, items: list[float]):
        self.items = items

    def average_price(self) -> float:
        return sum(self.items) / len(self.items)  # bug: empty carts


def checkout(cart: Cart) -> float:
    return round(cart.average_price(), 2)


def nightly_summary(cart: Cart) -> str:
    average = cart.average_price()
    return f"average {average:.2f}"


USERS = {"ada": {"plan": "pro"}}


def plan_of(username: str) -> str:
    return USERS[username]["plan"]  # bug: unknown users


def load_config(path: str) -> str:
    try:
        with open(path) as handle:
            return handle.read()
    except FileNotFoundError as exc:
        raise RuntimeError(f"configuration {path} is missing") from exc
