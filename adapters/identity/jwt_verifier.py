"""Verifies RS256 bearer tokens: ours, or Cognito's (through its published JWKS)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

import jwt
from jwt import PyJWK, PyJWKClient, PyJWKClientConnectionError

from application.errors import AuthenticationError, ServiceUnavailableError
from application.ports.clock import Clock
from application.ports.identity import Principal

SigningKeys = Callable[[str], Any]  # kid -> public key


def static_keys(jwks: Mapping[str, Any]) -> SigningKeys:
    """Keys from a JWKS we already hold (the local issuer's)."""
    keys = {entry["kid"]: PyJWK(dict(entry)).key for entry in jwks["keys"]}

    def lookup(kid: str) -> Any:
        return keys[kid]

    return lookup


def remote_keys(jwks_url: str) -> SigningKeys:
    """Keys fetched from a JWKS URL (Cognito's), cached, refetched for an unknown kid.

    When the keys cannot be fetched, that is the provider being unavailable (503), not the
    caller's token being bad: a 401 would send every customer to sign in again, in vain.
    """
    client = PyJWKClient(jwks_url, cache_keys=True, lifespan=3600, timeout=10)

    def lookup(kid: str) -> Any:
        try:
            return client.get_signing_key(kid).key
        except PyJWKClientConnectionError:
            raise ServiceUnavailableError(
                "identity_unavailable",
                "The sign-in service's keys cannot be fetched, so tokens cannot be checked.",
                "Please try again in a moment.",
            ) from None

    return lookup


def _unauthenticated(message: str) -> AuthenticationError:
    return AuthenticationError("invalid_token", message, "Sign in again to get a new token.")


class JwtTokenVerifier:
    """Checks signature (RS256 only), issuer, client, token use and expiry against our Clock.

    A verified token is remembered until it expires, so a customer's requests do not pay for
    the RSA check every time; a cached answer is exactly what verifying again would give.
    """

    def __init__(
        self,
        keys: SigningKeys,
        issuer: str,
        client_id: str,
        clock: Clock,
        leeway: timedelta = timedelta(seconds=30),
        cache_size: int = 10_000,
    ) -> None:
        self._keys = keys
        self._issuer = issuer
        self._client_id = client_id
        self._clock = clock
        self._leeway = leeway.total_seconds()
        self._cache: OrderedDict[str, tuple[Principal, int]] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def verify(self, token: str) -> Principal:
        now = self._clock.now().timestamp()
        with self._lock:
            cached = self._cache.get(token)
        if cached is not None:
            principal, expires = cached
            if now < expires + self._leeway:
                return principal
        principal, expires = self._verify(token, now)
        with self._lock:
            self._cache[token] = (principal, expires)
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return principal

    def _verify(self, token: str, now: float) -> tuple[Principal, int]:
        try:
            header = jwt.get_unverified_header(token)
            if header.get("alg") != "RS256":
                raise _unauthenticated("The token is not signed the way we sign tokens.")
            key = self._keys(str(header.get("kid")))
            claims = jwt.decode(
                token,
                key,
                algorithms=["RS256"],
                issuer=self._issuer,
                options={
                    "verify_exp": False,
                    "verify_iat": False,
                    "verify_nbf": False,
                    "verify_aud": False,
                    "require": ["exp", "iss", "sub", "token_use"],
                },
            )
        except (AuthenticationError, ServiceUnavailableError):
            raise
        except (jwt.PyJWTError, KeyError, ValueError, TypeError):
            raise _unauthenticated("The token is not valid.") from None
        expires = claims.get("exp")
        if not isinstance(expires, int) or now >= expires + self._leeway:
            raise _unauthenticated("The token has expired.")
        if isinstance(claims.get("iat"), int) and claims["iat"] > now + self._leeway:
            raise _unauthenticated("The token was issued in the future.")
        token_use = claims.get("token_use")
        # Cognito access tokens name the client in `client_id`; ID tokens in `aud`.
        client_claim = "client_id" if token_use == "access" else "aud"  # noqa: S105
        client = claims.get(client_claim)
        if token_use not in ("access", "id") or client != self._client_id:
            raise _unauthenticated("The token was not issued for this application.")
        principal = Principal(
            subject=str(claims["sub"]),
            email=claims.get("email"),
            token_use=str(token_use),
            client_id=str(client),
        )
        return principal, expires
