"""Money: a Decimal amount in one currency, with the one rounding rule of the park."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from domain.errors import CurrencyMismatchError, InvalidInputError

# ISO 4217 minor units for the currencies a park is likely to sell in; anything else has two.
_MINOR_UNITS: dict[str, int] = {
    "JPY": 0,
    "KRW": 0,
    "VND": 0,
    "CLP": 0,
    "ISK": 0,
    "BHD": 3,
    "KWD": 3,
}


def minor_units(currency: str) -> int:
    """How many decimal places the currency's smallest unit has."""
    return _MINOR_UNITS.get(currency, 2)


def _quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-minor_units(currency))


def round_to_minor_unit(amount: Decimal, currency: str) -> Decimal:
    """The park's only rounding rule: half-up to the currency's minor unit."""
    return amount.quantize(_quantum(currency), rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True, order=False)
class Money:
    """An exact amount of one currency. Never built from a float."""

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if isinstance(self.amount, float) or not isinstance(self.amount, Decimal):
            raise TypeError("Money needs a Decimal amount, never a float")
        if not self.amount.is_finite():
            raise InvalidInputError("invalid_amount", "An amount must be a finite number.")
        if len(self.currency) != 3 or not self.currency.isalpha() or not self.currency.isupper():
            raise InvalidInputError(
                "invalid_currency", f"{self.currency!r} is not an ISO 4217 code."
            )
        rounded = round_to_minor_unit(self.amount, self.currency)
        # A tiny negative amount rounds to -0.00: zero has no sign on the wire.
        object.__setattr__(self, "amount", rounded.copy_abs() if rounded.is_zero() else rounded)

    @classmethod
    def of(cls, amount: str | int | Decimal, currency: str) -> Money:
        """Parse an amount written as a string or an int (as on the wire)."""
        if isinstance(amount, float):
            raise TypeError("Money needs a Decimal amount, never a float")
        try:
            return cls(Decimal(amount), currency)
        except InvalidOperation as error:
            raise InvalidInputError("invalid_amount", f"{amount!r} is not an amount.") from error

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(Decimal(0), currency)

    @classmethod
    def from_minor_units(cls, units: int, currency: str) -> Money:
        return cls(Decimal(units).scaleb(-minor_units(currency)), currency)

    def to_minor_units(self) -> int:
        """Integer smallest units, as payment gateways want them (USD 10.00 -> 1000)."""
        return int(self.amount.scaleb(minor_units(self.currency)))

    def _same_currency(self, other: Money) -> None:
        if other.currency != self.currency:
            raise CurrencyMismatchError(self.currency, other.currency)

    def __add__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount - other.amount, self.currency)

    def times(self, factor: Decimal) -> Money:
        """Multiply by an exact factor, rounding half-up to the minor unit."""
        return Money(self.amount * factor, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same_currency(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same_currency(other)
        return self.amount <= other.amount

    def __gt__(self, other: Money) -> bool:
        self._same_currency(other)
        return self.amount > other.amount

    def __ge__(self, other: Money) -> bool:
        self._same_currency(other)
        return self.amount >= other.amount

    def min(self, other: Money) -> Money:
        return self if self <= other else other

    @property
    def is_positive(self) -> bool:
        return self.amount > 0

    def __str__(self) -> str:
        """The wire form: the amount alone, with exactly the minor unit's places ("31.25")."""
        return f"{self.amount:.{minor_units(self.currency)}f}"
