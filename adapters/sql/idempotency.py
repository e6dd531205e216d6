"""Idempotency keys in SQL: kept with the data, so a retry after a restart still replays."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Row, bindparam, delete, select, update
from sqlalchemy.dialects.postgresql import insert

from adapters.sql.session import SqlSession
from adapters.sql.tables import idempotency_keys
from application.ports.idempotency import IdempotencyRecord, StoredResponse

_C = idempotency_keys.c
# Named apart from the columns: an UPDATE reserves a column's own name for its SET clause.
_KEY = (_C.scope == bindparam("k_scope")) & (_C.key == bindparam("k_key"))
_CLAIM = (
    insert(idempotency_keys)
    .values(
        scope=bindparam("scope"),
        key=bindparam("key"),
        fingerprint=bindparam("fingerprint"),
        created_at=bindparam("now"),
    )
    .on_conflict_do_nothing()
    .returning(_C.scope)
)
_EXISTING = select(idempotency_keys).where(_KEY)
# Atomic on its own: only a key past its retention is taken over, by exactly one claimer.
_RECLAIM = (
    update(idempotency_keys)
    .where(_KEY, _C.created_at <= bindparam("expire_before"))
    .returning(_C.scope)
    .values(
        fingerprint=bindparam("fingerprint"),
        created_at=bindparam("now"),
        response_status=None,
        response_body=None,
        response_type=None,
    )
)
_COMPLETE = (
    update(idempotency_keys)
    .where(_KEY)
    .values(
        response_status=bindparam("status"),
        response_body=bindparam("body"),
        response_type=bindparam("content_type"),
    )
)
_RELEASE = delete(idempotency_keys).where(_KEY)


def _record(row: Row[Any]) -> IdempotencyRecord:
    response = None
    if row.response_status is not None:
        response = StoredResponse(row.response_status, bytes(row.response_body), row.response_type)
    return IdempotencyRecord(row.scope, row.key, row.fingerprint, row.created_at, response)


class SqlIdempotencyStore:
    """Each call is a short transaction of its own, apart from the business one: a claim must be
    visible to a concurrent retry at once and survive the business transaction failing. On an
    engine whose connections are in autocommit (PostgreSQL) that costs no BEGIN and COMMIT."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @contextmanager
    def _session(self) -> Iterator[SqlSession]:
        session = SqlSession(self._engine)
        try:
            yield session
            session.commit()
        finally:
            session.rollback()

    def claim(
        self, scope: str, key: str, fingerprint: str, now: datetime, expire_before: datetime
    ) -> IdempotencyRecord | None:
        names = {"k_scope": scope, "k_key": key}
        new = {"fingerprint": fingerprint, "now": now}
        with self._session() as session:
            claimed = session.execute(_CLAIM, {"scope": scope, "key": key, **new}).first()
            if claimed is not None:
                return None
            reclaimed = session.execute(
                _RECLAIM, {**names, **new, "expire_before": expire_before}
            ).first()
            if reclaimed is not None:  # it was kept past its retention: free again
                return None
            row = session.execute(_EXISTING, names).first()
        if row is None:  # released between the two statements: try once more
            return self.claim(scope, key, fingerprint, now, expire_before)
        return _record(row)

    def complete(self, scope: str, key: str, response: StoredResponse) -> None:
        answer = {
            "status": response.status,
            "body": response.body,
            "content_type": response.content_type,
        }
        with self._session() as session:
            session.execute(_COMPLETE, {"k_scope": scope, "k_key": key, **answer})

    def release(self, scope: str, key: str) -> None:
        with self._session() as session:
            session.execute(_RELEASE, {"k_scope": scope, "k_key": key})
