"""Errors of the application layer: what the outside world did to a use case."""

from __future__ import annotations

from domain.errors import BusinessRuleError, ConflictError, DomainError


class ServiceUnavailableError(DomainError):
    """A dependency cannot answer now; the same request may succeed later."""

    def __init__(self, code: str, message: str, guidance: str, retry_after: int = 5) -> None:
        super().__init__(code, message, guidance)
        self.retry_after = retry_after


class BusyError(ServiceUnavailableError):
    """A lock could not be taken in time: too many people want the same thing at once."""

    def __init__(self, what: str) -> None:
        super().__init__(
            "busy",
            f"We are very busy with {what} right now.",
            "Please try again in a moment.",
            retry_after=1,
        )


class PaymentUnavailableError(ServiceUnavailableError):
    """The payment gateway could not process the charge; nothing was charged."""

    def __init__(
        self, message: str = "Payment is temporarily unavailable.", retry_after: int = 10
    ) -> None:
        super().__init__(
            "payment_unavailable",
            message,
            "Nothing was charged. Please try again in a few moments.",
            retry_after=retry_after,
        )


class PaymentOutcomeUnknownError(ServiceUnavailableError):
    """The gateway did not say what became of the request (a timeout after it was sent): money
    may have moved. The order stays in `processing`, holding its unit, until the same key tells
    (a retry, or reconciliation)."""

    def __init__(self, message: str = "The payment gateway did not answer in time.") -> None:
        super().__init__(
            "payment_unconfirmed",
            message,
            "Do not pay again: we are checking with the payment provider, and will confirm the "
            "upgrade or refund you automatically within minutes.",
            retry_after=30,
        )


class PaymentDeclinedError(BusinessRuleError):
    """The card issuer declined the charge. Declines are final for that attempt."""

    def __init__(
        self, decline_code: str, message: str, guidance: str, attempts_left: int = 0
    ) -> None:
        super().__init__(decline_code, message, guidance)
        self.decline_code = decline_code
        self.attempts_left = attempts_left


class AuthenticationError(DomainError):
    """The caller could not be identified: missing, forged or expired credentials."""


class CustomerNotRegisteredError(DomainError):
    """A valid identity that has no customer record here."""


class IdempotencyKeyReusedError(BusinessRuleError):
    """The same idempotency key came with a different request."""


class IdempotencyKeyInUseError(ConflictError):
    """A request with this idempotency key is still being processed."""
