"""Conversation memory in the process: the memory profile's, and the reference the other
adapters are held to by the contract tests. Thread-safe (one lock); lost at exit."""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from adapters.conversation_memory import shape
from adapters.conversation_memory.overlap import FULL_MATCH, StoredFact, rank
from adapters.conversation_memory.turns import last_turns
from application.ports.conversation_memory import MemoryEvent, MemoryRecord, Utterance
from application.ports.ids import IdGenerator


def new_record_id(ids: IdGenerator) -> str:
    """An id shaped like AgentCore's memory record ids (`mem-`, 40 characters in all)."""
    return f"mem-{ids.new_id()}"


class InMemoryConversationMemory:
    """Events per (actor, session) in the order they were added, listed by time (ties keep
    that order); facts per namespace, keyed by their text; word-overlap search."""

    def __init__(self, ids: IdGenerator) -> None:
        self._ids = ids
        self._lock = threading.Lock()
        self._events: defaultdict[tuple[str, str], list[MemoryEvent]] = defaultdict(list)
        self._facts: defaultdict[str, dict[str, StoredFact]] = defaultdict(dict)

    def add_turns(
        self, actor_id: str, session_id: str, messages: Sequence[Utterance], at: datetime
    ) -> MemoryEvent:
        key = (shape.actor_id(actor_id), shape.session_id(session_id))
        when = shape.instant(at)
        event = MemoryEvent(
            shape.new_event_id(when, self._ids.new_id().hex),
            actor_id,
            session_id,
            when,
            shape.messages(messages),
        )
        with self._lock:
            self._events[key].append(event)
        return event

    def list_events(
        self, actor_id: str, session_id: str, max_results: int = 100
    ) -> list[MemoryEvent]:
        key = (shape.actor_id(actor_id), shape.session_id(session_id))
        shape.at_least_one(max_results, "max_results")
        with self._lock:
            events = list(self._events.get(key, ()))
        events.sort(key=lambda event: event.at)  # stable: equal times keep the adding order
        return events[-max_results:]

    def last_turns(self, actor_id: str, session_id: str, k: int) -> list[list[Utterance]]:
        shape.at_least_one(k, "k")
        return last_turns(lambda n: self.list_events(actor_id, session_id, n), k)

    def put_long_term(self, namespace: str, text: str, at: datetime) -> MemoryRecord:
        space = shape.namespace(namespace)
        fact = StoredFact(
            new_record_id(self._ids), space, shape.record_text(text), shape.instant(at)
        )
        with self._lock:
            kept = self._facts[space].setdefault(text, fact)
        return MemoryRecord(kept.id, kept.namespace, kept.text, FULL_MATCH)

    def search_long_term(self, namespace: str, query: str, top_k: int = 3) -> list[MemoryRecord]:
        space = shape.namespace(namespace)
        shape.at_least_one(top_k, "top_k")
        with self._lock:
            facts = list(self._facts.get(space, {}).values())
        return rank(facts, query, top_k)
