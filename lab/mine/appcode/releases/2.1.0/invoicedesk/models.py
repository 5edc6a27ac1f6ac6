"""Records kept by the store."""

from dataclasses import dataclass


@dataclass
class Customer:
    id: int
    name: str
    email: str
    currency: str = "EUR"
    locale: str = "en"
    region: str = "eu"
