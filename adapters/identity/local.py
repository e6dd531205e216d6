"""A local identity provider that issues RS256 access tokens shaped like Cognito's."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from adapters.identity.logins import Login, LoginStore, MemoryLoginStore
from application.ports.clock import Clock
from application.ports.identity import AccessToken, invalid_credentials
from domain.customers import EmailAddress
from domain.errors import InvalidInputError

MIN_PASSWORD = 8
MAX_PASSWORD = 256


@dataclass(frozen=True, slots=True)
class PasswordHasher:
    """scrypt with a per-user salt. `cost` is scrypt's N (a power of two); tests lower it."""

    cost: int = 2**14

    def hash(self, password: str) -> str:
        salt = secrets.token_bytes(16)
        digest = self._digest(password, salt, self.cost)
        return f"scrypt${self.cost}${_b64(salt)}${_b64(digest)}"

    def verify(self, password: str, stored: str) -> bool:
        _, cost, salt, digest = stored.split("$")
        candidate = self._digest(password, _unb64(salt), int(cost))
        return hmac.compare_digest(candidate, _unb64(digest))

    @staticmethod
    def _digest(password: str, salt: bytes, cost: int) -> bytes:
        return hashlib.scrypt(
            password.encode(), salt=salt, n=cost, r=8, p=1, maxmem=2**26, dklen=32
        )


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def check_password_policy(password: str) -> None:
    """At least 8 characters with a letter and a digit (Cognito's default asks for more)."""
    if not (MIN_PASSWORD <= len(password) <= MAX_PASSWORD) or not (
        any(char.isalpha() for char in password) and any(char.isdigit() for char in password)
    ):
        raise InvalidInputError(
            "weak_password",
            "The password is too weak.",
            f"Use at least {MIN_PASSWORD} characters, with letters and digits.",
        )


def load_or_generate_key(pem: str | None) -> rsa.RSAPrivateKey:
    """The signing key from settings, or a fresh one (tokens then last until a restart)."""
    if pem:
        return _parse_key(pem)
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@functools.lru_cache(maxsize=4)
def _parse_key(pem: str) -> rsa.RSAPrivateKey:
    # Parsing checks the key's consistency, which takes tens of milliseconds: once per key is
    # enough for a process that builds several containers (tests, the CLI and its workers).
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("the token signing key must be an RSA private key")
    return key


class LocalIdentityProvider:
    """Logins kept in memory, passwords hashed with scrypt, tokens signed with RS256.

    Tokens carry `sub`, `email`, `token_use` ("access"), `iss`, `client_id` and `aud` (both set
    to the client id), `iat`, `exp`, `jti` and `username`, as Cognito's access tokens do plus
    the email. The JWKS is published so any verifier can check them.
    """

    def __init__(
        self,
        clock: Clock,
        issuer: str,
        client_id: str,
        token_ttl: timedelta,
        signing_key_pem: str | None = None,
        hasher: PasswordHasher | None = None,
        logins: LoginStore | None = None,
    ) -> None:
        self._clock = clock
        self._issuer = issuer
        self._client_id = client_id
        self._ttl = token_ttl
        self._hasher = hasher or PasswordHasher()
        self._key = load_or_generate_key(signing_key_pem)
        public_jwk: dict[str, Any] = RSAAlgorithm.to_jwk(self._key.public_key(), as_dict=True)
        self._kid = _b64(hashlib.sha256(public_jwk["n"].encode()).digest()[:12])
        self._jwks = {"keys": [{**public_jwk, "kid": self._kid, "use": "sig", "alg": "RS256"}]}
        self._logins = logins or MemoryLoginStore()
        # A hash to compare against when the email is unknown, so both cases take as long.
        self._decoy = self._hasher.hash(secrets.token_urlsafe(16))

    def register(self, email: EmailAddress, password: str) -> str:
        check_password_policy(password)
        subject = str(uuid.uuid4())
        self._logins.add(Login(subject, email.value, self._hasher.hash(password)))
        return subject

    def unregister(self, subject: str) -> None:
        self._logins.remove(subject)

    def authenticate(self, email: EmailAddress, password: str) -> AccessToken:
        login = self._logins.by_email(email.value)
        if not self._hasher.verify(password, login.password_hash if login else self._decoy) or (
            login is None
        ):
            raise invalid_credentials()
        return self.issue(login.subject, login.email)

    def issue(self, subject: str, email: str) -> AccessToken:
        now = self._clock.now()
        claims = {
            "sub": subject,
            "email": email,
            "username": email,
            "token_use": "access",
            "scope": "openid email",
            "iss": self._issuer,
            "client_id": self._client_id,
            "aud": self._client_id,
            "iat": int(now.timestamp()),
            "exp": int((now + self._ttl).timestamp()),
            "jti": str(uuid.uuid4()),
        }
        token = jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": self._kid})
        return AccessToken(token, int(self._ttl.total_seconds()))

    def change_email(self, subject: str, email: EmailAddress) -> None:
        self._logins.change_email(subject, email.value)

    def email_of(self, subject: str) -> EmailAddress | None:
        # The local issuer has no verification step: a login's email is what it registered.
        login = self._logins.by_subject(subject)
        return EmailAddress(login.email) if login is not None else None

    def public_keys(self) -> Mapping[str, Any] | None:
        return self._jwks
