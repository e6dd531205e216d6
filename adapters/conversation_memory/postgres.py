"""Conversation memory in PostgreSQL (directly or through the RDS Data API): the same SQL
machinery as the repositories (SqlSession: errors translated, the direct psycopg path where
there is one), and the same word-overlap search as the in-memory adapter, run in Python over
the namespace's records (a customer has a handful of them)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Row, bindparam, insert, select
from sqlalchemy.dialects.postgresql import insert as upsert

from adapters.conversation_memory import shape
from adapters.conversation_memory.in_memory import new_record_id
from adapters.conversation_memory.overlap import FULL_MATCH, StoredFact, rank
from adapters.conversation_memory.turns import last_turns
from adapters.sql.session import SqlSession
from adapters.sql.tables import memory_events, memory_records
from application.ports.conversation_memory import MemoryEvent, MemoryRecord, Role, Utterance
from application.ports.ids import IdGenerator

_E = memory_events.c
_R = memory_records.c
_ADD_EVENT = insert(memory_events)
_NEWEST_EVENTS = (
    select(_E.id, _E.actor_id, _E.session_id, _E.at, _E.messages)
    .where(_E.actor_id == bindparam("actor_id"), _E.session_id == bindparam("session_id"))
    .order_by(_E.at.desc(), _E.seq.desc())
    .limit(bindparam("max_results"))
)
_ADD_RECORD = (
    upsert(memory_records)
    .values(
        id=bindparam("id"),
        namespace=bindparam("namespace"),
        text=bindparam("text"),
        text_sha256=bindparam("text_sha256"),
        at=bindparam("at"),
    )
    .on_conflict_do_nothing(index_elements=[_R.namespace, _R.text_sha256])
    .returning(_R.id)
)
_RECORD_ID = select(_R.id).where(
    _R.namespace == bindparam("namespace"), _R.text_sha256 == bindparam("text_sha256")
)
_RECORDS_OF = select(_R.id, _R.namespace, _R.text, _R.at).where(
    _R.namespace == bindparam("namespace")
)


def _event(row: Row[Any]) -> MemoryEvent:
    messages = tuple(Utterance(Role(m["role"]), m["text"]) for m in row.messages)
    return MemoryEvent(row.id, row.actor_id, row.session_id, row.at, messages)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class SqlConversationMemory:
    """Each call is one short transaction of its own: memory is written after the business
    work of a turn, and must not hold a connection while the agent reasons."""

    def __init__(self, engine: Engine, ids: IdGenerator) -> None:
        self._engine = engine
        self._ids = ids

    @contextmanager
    def _session(self) -> Iterator[SqlSession]:
        session = SqlSession(self._engine)
        try:
            yield session
            session.commit()
        finally:
            session.rollback()

    def add_turns(
        self, actor_id: str, session_id: str, messages: Sequence[Utterance], at: datetime
    ) -> MemoryEvent:
        when = shape.instant(at)
        event = MemoryEvent(
            shape.new_event_id(when, self._ids.new_id().hex),
            shape.actor_id(actor_id),
            shape.session_id(session_id),
            when,
            shape.messages(messages),
        )
        row = {
            "id": event.id,
            "actor_id": event.actor_id,
            "session_id": event.session_id,
            "at": event.at,
            "messages": [{"role": m.role.value, "text": m.text} for m in event.messages],
        }
        with self._session() as session:
            session.execute(_ADD_EVENT, row)
        return event

    def list_events(
        self, actor_id: str, session_id: str, max_results: int = 100
    ) -> list[MemoryEvent]:
        wanted = {
            "actor_id": shape.actor_id(actor_id),
            "session_id": shape.session_id(session_id),
            "max_results": shape.at_least_one(max_results, "max_results"),
        }
        with self._session() as session:
            rows = session.execute(_NEWEST_EVENTS, wanted).all()
        return [_event(row) for row in reversed(rows)]

    def last_turns(self, actor_id: str, session_id: str, k: int) -> list[list[Utterance]]:
        shape.at_least_one(k, "k")
        return last_turns(lambda n: self.list_events(actor_id, session_id, n), k)

    def put_long_term(self, namespace: str, text: str, at: datetime) -> MemoryRecord:
        key = {"namespace": shape.namespace(namespace), "text_sha256": _digest(text)}
        new = {"id": new_record_id(self._ids), "text": shape.record_text(text)}
        with self._session() as session:
            added = session.execute(_ADD_RECORD, {**key, **new, "at": shape.instant(at)}).first()
            # Already kept (perhaps by a concurrent call, whose commit the insert waited for):
            # the statement after it sees that row.
            record_id = (
                added.id if added is not None else session.execute(_RECORD_ID, key).scalar_one()
            )
        return MemoryRecord(record_id, namespace, text, FULL_MATCH)

    def search_long_term(self, namespace: str, query: str, top_k: int = 3) -> list[MemoryRecord]:
        space = shape.namespace(namespace)
        shape.at_least_one(top_k, "top_k")
        with self._session() as session:
            rows = session.execute(_RECORDS_OF, {"namespace": space}).all()
        return rank((StoredFact(r.id, r.namespace, r.text, r.at) for r in rows), query, top_k)
