"""Idempotency keys kept in process memory (the memory profile)."""

from __future__ import annotations

import threading
from datetime import datetime

from application.ports.idempotency import IdempotencyRecord, StoredResponse

PURGE_EVERY = 1024


class MemoryIdempotencyStore:
    """Claims are atomic under one lock; expired records are purged as new ones arrive."""

    def __init__(self) -> None:
        self._records: dict[tuple[str, str], IdempotencyRecord] = {}
        self._lock = threading.Lock()
        self._claims = 0

    def claim(
        self, scope: str, key: str, fingerprint: str, now: datetime, expire_before: datetime
    ) -> IdempotencyRecord | None:
        with self._lock:
            self._claims += 1
            if self._claims % PURGE_EVERY == 0:
                self._purge(expire_before)
            record = self._records.get((scope, key))
            if record is not None and record.created_at > expire_before:
                return record
            self._records[(scope, key)] = IdempotencyRecord(scope, key, fingerprint, now, None)
            return None

    def complete(self, scope: str, key: str, response: StoredResponse) -> None:
        with self._lock:
            record = self._records.get((scope, key))
            if record is not None:
                self._records[(scope, key)] = IdempotencyRecord(
                    scope, key, record.fingerprint, record.created_at, response
                )

    def release(self, scope: str, key: str) -> None:
        with self._lock:
            self._records.pop((scope, key), None)

    def _purge(self, expire_before: datetime) -> None:
        for record_key in [k for k, r in self._records.items() if r.created_at <= expire_before]:
            del self._records[record_key]
