"""Confirmation codes: 8 characters of Crockford base32, easy to read out and type back."""

from __future__ import annotations

from dataclasses import dataclass

from domain.errors import InvalidInputError

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # no I, L, O, U
LENGTH = 8
SPACE = len(ALPHABET) ** LENGTH  # 2**40 codes
# Crockford decoding forgives the letters people confuse with digits.
_TYPED = {"I": "1", "L": "1", "O": "0"}


@dataclass(frozen=True, slots=True)
class ConfirmationCode:
    value: str

    def __post_init__(self) -> None:
        if len(self.value) != LENGTH or any(char not in ALPHABET for char in self.value):
            raise InvalidInputError(
                "invalid_confirmation_code",
                f"{self.value!r} is not a confirmation code.",
                "A confirmation code is 8 letters and digits, as in your email.",
            )

    @classmethod
    def from_int(cls, number: int) -> ConfirmationCode:
        """Encode a number in [0, 32**8) as a code (the IdGenerator supplies the randomness)."""
        if not 0 <= number < SPACE:
            raise ValueError("a confirmation code encodes 40 bits")
        chars = []
        for _ in range(LENGTH):
            number, digit = divmod(number, len(ALPHABET))
            chars.append(ALPHABET[digit])
        return cls("".join(reversed(chars)))

    @classmethod
    def parse(cls, text: str) -> ConfirmationCode:
        """Read a code as a person types it: any case, dashes or spaces, I/L for 1, O for 0."""
        cleaned = "".join(_TYPED.get(char, char) for char in text.upper() if char not in "- ")
        return cls(cleaned)

    def __str__(self) -> str:
        return self.value
