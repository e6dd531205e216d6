"""The domain's errors. Each carries a stable `code`, a message for people and guidance.

The kind of error (its base class) tells an entrypoint how to answer: bad input, unknown
resource, a business rule, a conflict. The code tells a client exactly what happened.
"""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error the domain and the use cases raise on purpose."""

    code: str = "domain_error"

    def __init__(self, code: str, message: str, guidance: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.guidance = guidance

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code!r}, {self.message!r})"


class InvalidInputError(DomainError):
    """A value that can never be right: a malformed email, a blank name, a bad date."""


class NotFoundError(DomainError):
    """Nothing with that reference exists for this customer (never says which)."""


class BusinessRuleError(DomainError):
    """The request is well formed but a business rule refuses it."""


class ConflictError(DomainError):
    """The request collides with the current state (a taken email, a request in flight)."""


class CurrencyMismatchError(BusinessRuleError):
    """Money of two currencies was combined."""

    def __init__(self, left: str, right: str) -> None:
        super().__init__(
            "currency_mismatch", f"Cannot combine {left} with {right}.", "Use one currency."
        )


class PriceTableError(InvalidInputError):
    """A price table that breaks the ladder (each tier dearer than the one below, every day)."""


class InvalidTransitionError(BusinessRuleError):
    """An upgrade order was asked to move to a state its lifecycle does not allow."""
