"""Payment cards as typed by a customer, checked before any charge. Never stored or logged."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from domain.errors import BusinessRuleError


class CardError(BusinessRuleError):
    """The card can be rejected before asking the gateway (like Stripe's `card_error`)."""


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def card_brand(digits: str) -> str:
    """The card network, from the number's leading digits (IIN ranges)."""
    two, four = int(digits[:2]), int(digits[:4])
    if digits.startswith("4"):
        return "visa"
    if 51 <= two <= 55 or 2221 <= four <= 2720:
        return "mastercard"
    if two in (34, 37):
        return "amex"
    if digits.startswith(("6011", "65")) or 644 <= int(digits[:3]) <= 649:
        return "discover"
    if 3528 <= four <= 3589:
        return "jcb"
    if two in (36, 38, 39) or 300 <= int(digits[:3]) <= 305:
        return "diners"
    return "unknown"


@dataclass(frozen=True, slots=True)
class PaymentCard:
    """A card for one payment attempt. Its repr never shows the number or the CVC."""

    number: str = field(repr=False)
    exp_month: int
    exp_year: int
    cvc: str = field(repr=False)
    name: str

    @classmethod
    def parse(cls, number: str, exp_month: int, exp_year: int, cvc: str, name: str) -> PaymentCard:
        digits = "".join(char for char in number if char not in " -")
        year = exp_year + 2000 if 0 <= exp_year < 100 else exp_year
        return cls(digits, exp_month, year, cvc.strip(), " ".join(name.split()))

    @property
    def brand(self) -> str:
        digits = self.number[:4]
        return card_brand(self.number) if digits.isascii() and digits.isdigit() else "unknown"

    @property
    def last4(self) -> str:
        return self.number[-4:]

    def check(self, today: date) -> None:
        """Refuse what no gateway would accept: a bad number, a past expiry, a bad CVC, no name."""
        # isdigit() alone also accepts non-ASCII digits (superscripts, full-width digits), which
        # int() cannot always read and no gateway accepts.
        digits_only = self.number.isascii() and self.number.isdigit()
        if not (digits_only and 12 <= len(self.number) <= 19 and luhn_valid(self.number)):
            raise CardError(
                "incorrect_number",
                "The card number is incorrect.",
                "Check the number on your card and type it again.",
            )
        if not 1 <= self.exp_month <= 12:
            raise CardError(
                "invalid_expiry_month", "The expiry month is not a month.", "Enter it as 1 to 12."
            )
        if self.exp_year > today.year + 20:
            raise CardError(
                "invalid_expiry_year",
                "The expiry year is too far ahead.",
                "Check the year on your card.",
            )
        if (self.exp_year, self.exp_month) < (today.year, today.month):
            raise CardError(
                "expired_card", "The card has expired.", "Use a card that is still valid."
            )
        expected = 4 if self.brand == "amex" else 3
        if not (self.cvc.isdigit() and len(self.cvc) == expected):
            raise CardError(
                "invalid_cvc",
                f"The security code must be {expected} digits.",
                "It is printed on the back of the card (on the front for American Express).",
            )
        if not self.name:
            raise CardError(
                "invalid_name",
                "The name on the card is missing.",
                "Enter the name as printed on the card.",
            )
