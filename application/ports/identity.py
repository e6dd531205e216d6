"""Identity ports: signing people up and in, and recognising their tokens."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from application.errors import AuthenticationError
from domain.customers import EmailAddress
from domain.errors import ConflictError


def email_taken() -> ConflictError:
    """The refusal of an email another login or customer already has (409)."""
    return ConflictError(
        "email_taken",
        "An account with this email already exists.",
        "Sign in instead, or use another email address.",
    )


def invalid_credentials() -> AuthenticationError:
    """The refusal of a sign-in, never saying whether the email or the password was wrong."""
    return AuthenticationError(
        "invalid_credentials", "The email or password is incorrect.", "Check both and try again."
    )


@dataclass(frozen=True, slots=True)
class AccessToken:
    token: str = field(repr=False)
    expires_in: int
    token_type: str = "Bearer"  # noqa: S105


@dataclass(frozen=True, slots=True)
class Principal:
    """Who a verified token speaks for."""

    subject: str
    email: str | None
    token_use: str
    client_id: str | None


@runtime_checkable  # the HTTP layer's dependency checks need isinstance
class IdentityProvider(Protocol):
    """Owns passwords. Our code never stores or logs one.

    `register` raises `ConflictError` (`email_taken`) or `InvalidInputError` (`weak_password`);
    `authenticate` raises `AuthenticationError` without saying whether the email exists. A
    provider reached over the network raises `ServiceUnavailableError` when it cannot answer.
    """

    def register(self, email: EmailAddress, password: str) -> str:
        """Create a login; returns its subject (the `sub` of its tokens)."""
        ...

    def unregister(self, subject: str) -> None:
        """Remove a login made by `register` (undoes a registration whose customer failed)."""
        ...

    def authenticate(self, email: EmailAddress, password: str) -> AccessToken: ...

    def change_email(self, subject: str, email: EmailAddress) -> None: ...

    def email_of(self, subject: str) -> EmailAddress | None:
        """The email of this login as the provider knows it; None when the login is unknown,
        has no email, or the provider says the email is not verified. Reads only."""
        ...

    def public_keys(self) -> Mapping[str, Any] | None:
        """The JWKS that verifies this provider's tokens, if we publish it (None for Cognito)."""
        ...


class TokenVerifier(Protocol):
    """Checks a bearer token's signature, issuer, audience, use and expiry.

    Raises `AuthenticationError` for anything missing, forged, expired or meant for another
    client, and `ServiceUnavailableError` when the keys to check it cannot be fetched.
    Verifying the same token twice gives the same answer until it expires.
    """

    def verify(self, token: str) -> Principal: ...
