"""The conversation memory port, shaped like AgentCore Memory.

Short-term memory is a list of events per actor (the customer) and session, each holding the
turns of one exchange; long-term memory is a set of text records per namespace, searched by a
query. The AgentCore adapter is a thin wrapper around `MemorySessionManager`; the in-memory and
PostgreSQL adapters behave the same, with a simple word-overlap search standing in for the
service's semantic search.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Protocol


class Role(Enum):
    USER = "USER"
    ASSISTANT = "ASSISTANT"
    TOOL = "TOOL"
    OTHER = "OTHER"


@dataclass(frozen=True, slots=True)
class Utterance:
    """One message of a stored turn."""

    role: Role
    text: str


@dataclass(frozen=True, slots=True)
class MemoryEvent:
    """One stored exchange: its messages, in order, and when it happened."""

    id: str
    actor_id: str
    session_id: str
    at: datetime
    messages: tuple[Utterance, ...]


@dataclass(frozen=True, slots=True)
class MemoryRecord:
    """A long-term fact, with how well it matched the query (higher is better)."""

    id: str
    namespace: str
    text: str
    score: float


class ConversationMemory(Protocol):
    """Short-term turns per actor and session; long-term records per namespace."""

    def add_turns(
        self, actor_id: str, session_id: str, messages: Sequence[Utterance], at: datetime
    ) -> MemoryEvent:
        """Store one event holding `messages` (at least one); returns it with its id."""
        ...

    def list_events(
        self, actor_id: str, session_id: str, max_results: int = 100
    ) -> list[MemoryEvent]:
        """The session's events, oldest first (the newest `max_results` of them); empty for
        an unknown session or one of another actor."""
        ...

    def last_turns(self, actor_id: str, session_id: str, k: int) -> list[list[Utterance]]:
        """The last `k` turns, oldest first; a turn starts at each USER message."""
        ...

    def put_long_term(self, namespace: str, text: str, at: datetime) -> MemoryRecord:
        """Keep a fact; the same text in the same namespace is kept once."""
        ...

    def search_long_term(self, namespace: str, query: str, top_k: int = 3) -> list[MemoryRecord]:
        """The namespace's records best matching `query`, best first (all of them, newest
        first, for an empty query); at most `top_k`."""
        ...
