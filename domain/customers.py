"""Customers: who they are and the rules their details must keep."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from domain.errors import InvalidInputError
from domain.ids import CustomerId

# Deliberately plain: one @, a dotted domain with a letter TLD, no spaces or control characters.
_EMAIL = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)
MAX_NAME_LENGTH = 100
# Zero-width (non-)joiners are part of how many Persian and Indic names are written; every other
# control or format character (bidi overrides included) is refused.
_JOINERS = frozenset({"\u200c", "\u200d"})


@dataclass(frozen=True, slots=True)
class EmailAddress:
    """A valid email address, stored lower-case."""

    value: str

    @classmethod
    def parse(cls, text: str) -> EmailAddress:
        candidate = text.strip().lower()
        local, _, _ = candidate.partition("@")
        if (
            len(candidate) > 254
            or len(local) > 64
            or ".." in candidate
            or local.startswith(".")
            or local.endswith(".")
            or not _EMAIL.fullmatch(candidate)
        ):
            raise InvalidInputError(
                "invalid_email",
                f"{text[:80]!r} is not a valid email address.",
                "Enter an address like name@example.com.",
            )
        return cls(candidate)

    def __str__(self) -> str:
        return self.value


def clean_name(text: str, field_name: str) -> str:
    """A name is trimmed, not empty, at most 100 characters and free of control characters."""
    name = " ".join(text.split())
    if not name:
        raise InvalidInputError(
            f"invalid_{field_name}",
            f"The {field_name.replace('_', ' ')} cannot be empty.",
            "Enter the name as it should appear on your tickets.",
        )
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidInputError(
            f"invalid_{field_name}",
            f"The {field_name.replace('_', ' ')} is longer than {MAX_NAME_LENGTH} characters.",
            "Shorten it.",
        )
    if any(unicodedata.category(char).startswith("C") and char not in _JOINERS for char in name):
        raise InvalidInputError(
            f"invalid_{field_name}",
            f"The {field_name.replace('_', ' ')} contains control characters.",
            "Use printable characters only.",
        )
    return name


@dataclass(frozen=True, slots=True)
class CustomerDetails:
    """The details a customer may change; every field already validated."""

    email: EmailAddress
    first_name: str
    last_name: str

    @classmethod
    def parse(cls, email: str, first_name: str, last_name: str) -> CustomerDetails:
        return cls(
            EmailAddress.parse(email),
            clean_name(first_name, "first_name"),
            clean_name(last_name, "last_name"),
        )


@dataclass(slots=True, eq=False)
class Customer:
    """A park customer. `subject` is the identity provider's id for them (Cognito's `sub`)."""

    id: CustomerId
    email: EmailAddress
    first_name: str
    last_name: str
    subject: str
    created_at: datetime
    updated_at: datetime

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Customer) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)

    @property
    def details(self) -> CustomerDetails:
        return CustomerDetails(self.email, self.first_name, self.last_name)

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def change_details(self, details: CustomerDetails, now: datetime) -> bool:
        """Take already-validated details; says whether anything changed."""
        if details == self.details:
            return False
        self.email, self.first_name, self.last_name = (
            details.email,
            details.first_name,
            details.last_name,
        )
        self.updated_at = now
        return True
