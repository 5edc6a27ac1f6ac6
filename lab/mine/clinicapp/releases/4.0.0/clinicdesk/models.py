"""Records kept by the database."""

from dataclasses import dataclass, field


@dataclass
class Patient:
    id: int
    name: str
    phone: str
    lang: str = "en"
    insurance: dict = field(default_factory=dict)
