"""Property 4 on the conversation memory: whatever turns are written, across sessions and
actors, each session gives back exactly its own turns, in order, after every turn; whatever
facts are kept, in whatever order and however often, each is found once in its namespace.

Run on the in-memory adapter and on PostgreSQL. The PostgreSQL examples share one database
(emptied once per test function): every example writes under actor, session and namespace
names of its own. The expected turns come from a plain oracle written here, not from the
adapters' turn-splitting code.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine

from adapters.conversation_memory.in_memory import InMemoryConversationMemory
from adapters.conversation_memory.postgres import SqlConversationMemory
from adapters.ids import RandomIdGenerator
from adapters.sql.engines import postgres_engine
from application.ports.conversation_memory import ConversationMemory, Role, Utterance
from tests.conftest import NOW
from tests.support.postgres import empty_tables

ACTORS = ("ana", "ben", "chloe")
SESSIONS = ("s1", "s2")
NAMESPACES = ("facts", "facts-extra")  # one name a prefix of the other, on purpose
WORDS = ("Non-stop", "Standard", "ticket", "TKT-00000042", "Saturday", "famille", "日本", "🎢")

# Any text but NUL (refused by every adapter: PostgreSQL cannot hold it) and lone surrogates.
texts = st.text(
    st.characters(codec="utf-8", exclude_characters="\x00"),
    min_size=1,
    max_size=30,
)
utterances = st.builds(Utterance, st.sampled_from(Role), texts)


@dataclass(frozen=True)
class Turn:
    actor: str
    session: str
    messages: tuple[Utterance, ...]
    after_ms: int  # since the previous turn (0: the same millisecond)


turns = st.lists(
    st.builds(
        Turn,
        st.sampled_from(ACTORS),
        st.sampled_from(SESSIONS),
        st.lists(utterances, min_size=1, max_size=4).map(tuple),
        st.integers(0, 90_000),
    ),
    min_size=1,
    max_size=12,
)
facts = st.lists(
    st.tuples(
        st.sampled_from(NAMESPACES),
        st.lists(st.sampled_from(WORDS), min_size=1, max_size=4).map(" ".join),
    ),
    max_size=10,
)


def expected_turns(messages: list[Utterance]) -> list[list[Utterance]]:
    """The oracle: cut before every USER message; what comes before the first is a turn."""
    cut: list[list[Utterance]] = []
    for message in messages:
        if not cut or (message.role is Role.USER and cut[-1]):
            cut.append([])
        cut[-1].append(message)
    return cut


def check_memory_persistence(
    memory: ConversationMemory, written: list[Turn], kept: list[tuple[str, str]]
) -> None:
    tag = uuid.uuid4().hex[:12]  # this example's own names

    def actor(name: str) -> str:
        return f"{name}-{tag}"

    def session(name: str) -> str:
        return f"sess-{name}-{tag}"

    def namespace(name: str) -> str:
        return f"customers/{tag}/{name}"

    # Short-term: after every turn, its session's last turn is what was just said (joined to
    # the turn it continues when it holds no USER message).
    history: dict[tuple[str, str], list[tuple[datetime, tuple[Utterance, ...]]]] = {}
    moment = NOW
    for turn in written:
        moment += timedelta(milliseconds=turn.after_ms)
        key = (actor(turn.actor), session(turn.session))
        memory.add_turns(*key, turn.messages, moment)
        history.setdefault(key, []).append((moment, turn.messages))
        said = [m for _, messages in history[key] for m in messages]
        assert memory.last_turns(*key, 1) == expected_turns(said)[-1:]

    # ... and at the end each session holds exactly its own events, in order.
    for name in ACTORS:
        for session_name in SESSIONS:
            key = (actor(name), session(session_name))
            events = memory.list_events(*key, max_results=100)
            assert [(e.at, e.messages) for e in events] == history.get(key, [])
            assert all((e.actor_id, e.session_id) == key for e in events)
            said = [m for _, messages in history.get(key, []) for m in messages]
            for k in (1, 2, 100):
                assert memory.last_turns(*key, k) == expected_turns(said)[-k:]

    # Long-term: every fact is found, once, in its namespace only.
    for offset, (space, text) in enumerate(kept):
        memory.put_long_term(namespace(space), text, NOW + timedelta(seconds=offset))
    for space in NAMESPACES:
        mine = {text for s, text in kept if s == space}
        everything = memory.search_long_term(namespace(space), "", top_k=100)
        assert sorted(r.text for r in everything) == sorted(mine)
        assert all(r.namespace == namespace(space) for r in everything)
        for text in mine:
            found = {r.text: r.score for r in memory.search_long_term(namespace(space), text, 100)}
            # A fact holds all of its own words ("🎢" alone has none: it is found, scoring 0).
            assert found[text] == (1.0 if re.search(r"\w", text) else 0.0)


@given(turns, facts)
def test_memory_persists_every_turn_and_fact_in_process(
    written: list[Turn], kept: list[tuple[str, str]]
) -> None:
    """Feature: ticket-auto-process, Property 4: For any conversation session, the AgentCore Runtime should maintain both short-term and long-term memory consistently across all conversation turns

    In process: any turns across actors and sessions, any facts in any order."""  # noqa: E501
    check_memory_persistence(InMemoryConversationMemory(RandomIdGenerator()), written, kept)


@pytest.fixture(scope="module")
def postgres_memory(postgres_url: str) -> Iterator[Callable[[], ConversationMemory]]:
    engine: Engine = postgres_engine(postgres_url, pool_size=2, lock_timeout_seconds=2)
    empty_tables(engine)
    yield lambda: SqlConversationMemory(engine, RandomIdGenerator())
    empty_tables(engine)
    engine.dispose()


@pytest.mark.slow
@given(written=turns, kept=facts)
def test_memory_persists_every_turn_and_fact_in_postgres(
    postgres_memory: Callable[[], ConversationMemory],
    written: list[Turn],
    kept: list[tuple[str, str]],
) -> None:
    """Feature: ticket-auto-process, Property 4: For any conversation session, the AgentCore Runtime should maintain both short-term and long-term memory consistently across all conversation turns

    In PostgreSQL: the same, each example under names of its own in one database."""  # noqa: E501
    check_memory_persistence(postgres_memory(), written, kept)
