"""Idempotent requests: the same key and request replay the first answer, never redo it."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import timedelta

from application.errors import IdempotencyKeyInUseError, IdempotencyKeyReusedError
from application.ports.clock import Clock
from application.ports.idempotency import IdempotencyStore, StoredResponse
from domain.errors import InvalidInputError

MAX_KEY_LENGTH = 255


@dataclass(frozen=True, slots=True)
class IdempotentRequests:
    """Claims, replays and completes idempotency keys (DOMAIN.md, "API idempotency").

    `begin` returns the stored response to replay, or None when the caller should execute the
    request and then `finish` (keep the answer) or `abandon` (let a retry run it again).
    Raises `IdempotencyKeyReusedError` for a key reused with another request and
    `IdempotencyKeyInUseError` while the first request is still running.
    """

    store: IdempotencyStore
    clock: Clock
    secret: bytes = field(repr=False)
    retention: timedelta = timedelta(hours=24)

    def fingerprint(self, *parts: str) -> str:
        """A keyed digest of everything that makes two requests the same request.

        Keyed (HMAC), because the parts may include a card number: a plain hash of one can be
        reversed by trying every number, a keyed one cannot without the secret.
        """
        digest = hmac.new(self.secret, digestmod=hashlib.sha256)
        for part in parts:
            data = part.encode()
            digest.update(len(data).to_bytes(8, "big"))
            digest.update(data)
        return digest.hexdigest()

    def begin(self, scope: str, key: str, request_fingerprint: str) -> StoredResponse | None:
        if not key or len(key) > MAX_KEY_LENGTH or not key.isascii() or not key.isprintable():
            raise InvalidInputError(
                "invalid_idempotency_key",
                "The Idempotency-Key header must be 1 to 255 printable ASCII characters.",
                "Send a fresh random value (a UUID works well) for each new attempt.",
            )
        now = self.clock.now()
        record = self.store.claim(scope, key, request_fingerprint, now, now - self.retention)
        if record is None:
            return None
        if record.fingerprint != request_fingerprint:
            raise IdempotencyKeyReusedError(
                "idempotency_key_reused",
                "This Idempotency-Key was already used for a different request.",
                "Use a new key for a new request; reuse a key only to retry the same request.",
            )
        if record.response is None:
            raise IdempotencyKeyInUseError(
                "idempotency_key_in_use",
                "A request with this Idempotency-Key is still being processed.",
                "Wait for it to finish, then retry with the same key to get its answer.",
            )
        return record.response

    def finish(self, scope: str, key: str, response: StoredResponse) -> None:
        self.store.complete(scope, key, response)

    def abandon(self, scope: str, key: str) -> None:
        self.store.release(scope, key)
