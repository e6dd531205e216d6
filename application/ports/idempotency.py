"""The idempotency store port."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class StoredResponse:
    """The first answer to a request, kept to be replayed."""

    status: int
    body: bytes
    content_type: str


@dataclass(frozen=True, slots=True)
class IdempotencyRecord:
    scope: str
    key: str
    fingerprint: str
    created_at: datetime
    response: StoredResponse | None  # None while the first request is still running


class IdempotencyStore(Protocol):
    """Remembers requests by (scope, key) for at least the retention period.

    `claim` is atomic: exactly one of concurrent claimers of a new key gets None (go ahead);
    the others get the existing record. Records older than `expire_before` count as absent.
    """

    def claim(
        self, scope: str, key: str, fingerprint: str, now: datetime, expire_before: datetime
    ) -> IdempotencyRecord | None: ...

    def complete(self, scope: str, key: str, response: StoredResponse) -> None: ...

    def release(self, scope: str, key: str) -> None:
        """Forget a claim whose request must be retryable (it failed before doing anything)."""
        ...
