"""The audit log in SQL: appended at commit, never updated (a trigger refuses it)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, bindparam, insert, select

from adapters.sql.session import SqlSession
from adapters.sql.tables import audit_log
from application.audit import AuditEntry

_C = audit_log.c
_INSERT = insert(audit_log)
_FOR_ENTITY = (
    select(audit_log)
    .where(_C.entity == bindparam("entity"), _C.entity_id == bindparam("entity_id"))
    .order_by(_C.seq)
)


def to_row(entry: AuditEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "at": entry.at,
        "actor": entry.actor,
        "action": entry.action,
        "entity": entry.entity,
        "entity_id": entry.entity_id,
        "before": dict(entry.before) if entry.before is not None else None,
        "after": dict(entry.after) if entry.after is not None else None,
    }


def from_row(row: Row[Any]) -> AuditEntry:
    return AuditEntry(
        row.id, row.at, row.actor, row.action, row.entity, row.entity_id, row.before, row.after
    )


class SqlAuditLog:
    def __init__(self, session: SqlSession) -> None:
        self._session = session
        self._staged: list[AuditEntry] = []

    def record(self, entry: AuditEntry) -> None:
        self._staged.append(entry)

    def for_entity(self, entity: str, entity_id: str) -> Sequence[AuditEntry]:
        rows = self._session.execute(_FOR_ENTITY, {"entity": entity, "entity_id": entity_id})
        return [from_row(row) for row in rows]

    def flush(self) -> None:
        if self._staged:
            self._session.execute(_INSERT, [to_row(entry) for entry in self._staged])
        self._staged.clear()

    def discard(self) -> None:
        self._staged.clear()
