"""The ConversationMemory contract: what every conversation memory adapter must do.

One suite, four adapters: in process; PostgreSQL, directly and through the Data API stand-in;
and AgentCore Memory, through the SDK's MemorySessionManager and a real boto3 client talking
to the AgentCore Memory stand-in over HTTP (tests/support/agentcore_memory_server.py). The
tests use only the port, so the local adapters are trusted because they behave as the
AgentCore adapter does over the service's wire format.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import boto3
import pytest
from bedrock_agentcore.memory import MemorySessionManager
from botocore.config import Config
from sqlalchemy import make_url

from adapters.conversation_memory.agentcore import AgentCoreConversationMemory
from adapters.conversation_memory.in_memory import InMemoryConversationMemory
from adapters.conversation_memory.postgres import SqlConversationMemory
from adapters.ids import RandomIdGenerator
from adapters.sql.engines import aurora_engine, postgres_engine
from application.ports.conversation_memory import ConversationMemory, Role, Utterance
from tests.conftest import NOW
from tests.support.agentcore_memory_server import AgentCoreMemoryServer
from tests.support.data_api import CLUSTER_ARN, SECRET_ARN
from tests.support.data_api_server import DataApiServer
from tests.support.postgres import empty_tables

ACTOR = "cust-0001"
SESSION = "sess-0001"
NS = "customers/0001"


def at(seconds: float) -> datetime:
    return NOW + timedelta(seconds=seconds)


def user(text: str) -> Utterance:
    return Utterance(Role.USER, text)


def assistant(text: str) -> Utterance:
    return Utterance(Role.ASSISTANT, text)


def tool(text: str) -> Utterance:
    return Utterance(Role.TOOL, text)


class ConversationMemoryContract:
    """Every conversation memory adapter passes these. Subclasses provide `memory`, a fresh,
    empty memory for each test."""

    @pytest.fixture
    def memory(self) -> ConversationMemory:
        raise NotImplementedError("an adapter's suite provides its memory")

    # -- short-term: events ---------------------------------------------------------------

    def test_an_added_event_comes_back_whole_with_an_agentcore_shaped_id(
        self, memory: ConversationMemory
    ) -> None:
        event = memory.add_turns(ACTOR, SESSION, [user("Hi"), assistant("Hello!")], NOW)

        assert re.fullmatch(r"[0-9]+#[0-9a-fA-F]+", event.id)
        assert (event.actor_id, event.session_id, event.at) == (ACTOR, SESSION, NOW)
        assert event.messages == (user("Hi"), assistant("Hello!"))
        assert memory.list_events(ACTOR, SESSION) == [event]

    def test_events_come_back_oldest_first_with_their_messages_in_order(
        self, memory: ConversationMemory
    ) -> None:
        written = [
            [user("I have ticket TKT-00000042"), tool('{"tier": "general"}'), assistant("Found")],
            [user("Upgrade to Non-stop"), assistant("That is 29.90 USD")],
            [Utterance(Role.OTHER, "note"), user("Yes please")],
        ]
        for index, messages in enumerate(written):
            memory.add_turns(ACTOR, SESSION, messages, at(index))

        events = memory.list_events(ACTOR, SESSION)

        assert [list(event.messages) for event in events] == written
        assert [event.at for event in events] == [at(0), at(1), at(2)]
        assert len({event.id for event in events}) == 3

    def test_events_are_listed_by_their_time_not_by_when_they_were_written(
        self, memory: ConversationMemory
    ) -> None:
        memory.add_turns(ACTOR, SESSION, [user("later")], at(10))
        memory.add_turns(ACTOR, SESSION, [user("earlier")], at(5))

        events = memory.list_events(ACTOR, SESSION)

        assert [event.messages[0].text for event in events] == ["earlier", "later"]

    def test_events_of_the_same_moment_keep_the_order_they_were_written_in(
        self, memory: ConversationMemory
    ) -> None:
        for text in ("one", "two", "three", "four"):
            memory.add_turns(ACTOR, SESSION, [user(text)], NOW)

        events = memory.list_events(ACTOR, SESSION)

        assert [event.messages[0].text for event in events] == ["one", "two", "three", "four"]

    def test_sessions_and_actors_are_isolated(self, memory: ConversationMemory) -> None:
        mine = memory.add_turns("cust-a", "sess-1", [user("mine")], at(0))
        other_session = memory.add_turns("cust-a", "sess-2", [user("my other chat")], at(1))
        theirs = memory.add_turns("cust-b", "sess-1", [user("theirs")], at(2))

        assert memory.list_events("cust-a", "sess-1") == [mine]
        assert memory.list_events("cust-a", "sess-2") == [other_session]
        assert memory.list_events("cust-b", "sess-1") == [theirs]
        assert memory.list_events("cust-b", "sess-2") == []  # another actor's session
        assert memory.last_turns("cust-b", "sess-2", 5) == []

    def test_an_unknown_session_has_no_events_and_no_turns(
        self, memory: ConversationMemory
    ) -> None:
        assert memory.list_events(ACTOR, "sess-never") == []
        assert memory.last_turns(ACTOR, "sess-never", 3) == []

    def test_max_results_keeps_the_newest_events(self, memory: ConversationMemory) -> None:
        for index in range(5):
            memory.add_turns(ACTOR, SESSION, [user(f"message {index}")], at(index))

        def texts(max_results: int) -> list[str]:
            events = memory.list_events(ACTOR, SESSION, max_results=max_results)
            return [event.messages[0].text for event in events]

        assert texts(2) == ["message 3", "message 4"]
        assert texts(1) == ["message 4"]
        assert texts(100) == [f"message {index}" for index in range(5)]

    def test_times_are_kept_timezone_aware_to_the_millisecond(
        self, memory: ConversationMemory
    ) -> None:
        local = datetime(2026, 3, 10, 9, 0, 0, 123456, tzinfo=ZoneInfo("America/Los_Angeles"))

        added = memory.add_turns(ACTOR, SESSION, [user("Hi")], local)
        [listed] = memory.list_events(ACTOR, SESSION)

        assert listed.at == added.at == local.replace(microsecond=123000)
        assert listed.at.utcoffset() == timedelta(0)

    # -- short-term: turns ----------------------------------------------------------------

    def test_a_turn_starts_at_each_user_message_whatever_event_holds_it(
        self, memory: ConversationMemory
    ) -> None:
        memory.add_turns(ACTOR, SESSION, [assistant("Welcome to the park")], at(0))
        memory.add_turns(ACTOR, SESSION, [user("q1"), assistant("a1")], at(1))
        memory.add_turns(ACTOR, SESSION, [user("q2")], at(2))
        memory.add_turns(ACTOR, SESSION, [tool("t2"), assistant("a2")], at(3))
        memory.add_turns(ACTOR, SESSION, [user("q3"), assistant("a3"), assistant("a3+")], at(4))
        q2 = [user("q2"), tool("t2"), assistant("a2")]
        q3 = [user("q3"), assistant("a3"), assistant("a3+")]

        assert memory.last_turns(ACTOR, SESSION, 1) == [q3]
        assert memory.last_turns(ACTOR, SESSION, 2) == [q2, q3]
        assert memory.last_turns(ACTOR, SESSION, 10) == [
            [assistant("Welcome to the park")],
            [user("q1"), assistant("a1")],
            q2,
            q3,
        ]

    def test_the_last_turn_is_found_however_many_events_it_spans(
        self, memory: ConversationMemory
    ) -> None:
        memory.add_turns(ACTOR, SESSION, [user("before")], at(0))
        memory.add_turns(ACTOR, SESSION, [user("tell me everything")], at(1))
        parts = [assistant(f"part {index}") for index in range(40)]
        for index, part in enumerate(parts):
            memory.add_turns(ACTOR, SESSION, [part], at(2 + index))

        assert memory.last_turns(ACTOR, SESSION, 1) == [[user("tell me everything"), *parts]]
        assert memory.last_turns(ACTOR, SESSION, 2)[0] == [user("before")]

    # -- long-term: records ---------------------------------------------------------------

    def test_a_fact_is_kept_once_per_namespace(self, memory: ConversationMemory) -> None:
        fact = "Prefers the Non-stop tier"

        first = memory.put_long_term(NS, fact, at(0))
        again = memory.put_long_term(NS, fact, at(3600))
        elsewhere = memory.put_long_term("customers/0002", fact, at(0))

        assert (first.namespace, first.text) == (NS, fact)
        assert again.id == first.id
        assert elsewhere.id != first.id
        assert [r.text for r in memory.search_long_term(NS, "", top_k=10)] == [fact]
        assert [r.id for r in memory.search_long_term("customers/0002", "", 10)] == [elsewhere.id]

    def test_search_ranks_facts_by_the_share_of_the_query_words_they_hold(
        self, memory: ConversationMemory
    ) -> None:
        owns = memory.put_long_term(NS, "Owns ticket TKT-00000042", at(0))
        prefers = memory.put_long_term(NS, "Prefers the Non-stop tier", at(1))
        upgraded = memory.put_long_term(NS, "Upgraded ticket TKT-00000042 to Non-stop", at(2))
        memory.put_long_term(NS, "Visits with two children", at(3))

        # Five words: non, stop, ticket, tkt, 00000042.
        found = memory.search_long_term(NS, "Non-stop ticket TKT-00000042?", top_k=3)

        assert [(r.id, r.text) for r in found] == [
            (upgraded.id, upgraded.text),
            (owns.id, owns.text),
            (prefers.id, prefers.text),
        ]
        assert [r.score for r in found] == pytest.approx([1.0, 3 / 5, 2 / 5])
        assert all(r.namespace == NS for r in found)

    def test_equal_scores_rank_the_newest_fact_first(self, memory: ConversationMemory) -> None:
        memory.put_long_term(NS, "Likes water rides", at(0))
        memory.put_long_term(NS, "Likes the evening show", at(60))
        memory.put_long_term(NS, "Likes roller coasters", at(30))

        found = memory.search_long_term(NS, "likes", top_k=3)

        assert [r.text for r in found] == [
            "Likes the evening show",
            "Likes roller coasters",
            "Likes water rides",
        ]
        assert [r.score for r in found] == [1.0, 1.0, 1.0]

    def test_search_returns_at_most_top_k_facts(self, memory: ConversationMemory) -> None:
        for index in range(5):
            memory.put_long_term(NS, f"Visited the park on day {index}", at(index))

        assert len(memory.search_long_term(NS, "visited park", top_k=2)) == 2
        assert len(memory.search_long_term(NS, "visited park", top_k=1)) == 1
        assert len(memory.search_long_term(NS, "visited park", top_k=50)) == 5

    def test_facts_sharing_no_word_with_the_query_still_rank_after_the_others(
        self, memory: ConversationMemory
    ) -> None:
        memory.put_long_term(NS, "Prefers the Non-stop tier", at(0))
        memory.put_long_term(NS, "Has two children", at(1))

        found = memory.search_long_term(NS, "which tier?", top_k=3)

        assert [(r.text, r.score) for r in found] == [
            ("Prefers the Non-stop tier", 0.5),
            ("Has two children", 0.0),
        ]

    def test_an_empty_query_gives_every_fact_newest_first(self, memory: ConversationMemory) -> None:
        for index in range(4):
            memory.put_long_term(NS, f"Fact number {index}", at(index))

        assert [r.text for r in memory.search_long_term(NS, "", top_k=10)] == [
            "Fact number 3",
            "Fact number 2",
            "Fact number 1",
            "Fact number 0",
        ]
        assert [r.text for r in memory.search_long_term(NS, "", top_k=2)] == [
            "Fact number 3",
            "Fact number 2",
        ]

    def test_search_ignores_case_and_punctuation(self, memory: ConversationMemory) -> None:
        memory.put_long_term(NS, "Visited on SATURDAY, with the family!", at(0))

        [found] = memory.search_long_term(NS, "saturday... Family", top_k=3)

        assert found.score == 1.0

    def test_namespaces_are_isolated_even_when_one_name_starts_with_another(
        self, memory: ConversationMemory
    ) -> None:
        mine = memory.put_long_term("customers/a", "Prefers Standard", at(0))
        memory.put_long_term("customers/ab", "Prefers Double Fun", at(1))

        assert [r.id for r in memory.search_long_term("customers/a", "", 10)] == [mine.id]
        assert [r.id for r in memory.search_long_term("customers/a", "double fun", 10)] == [mine.id]
        assert memory.search_long_term("customers/zz", "prefers", 10) == []

    # -- both ------------------------------------------------------------------------------

    def test_unicode_text_round_trips(self, memory: ConversationMemory) -> None:
        said = "Grüße! ¿Dónde está la montaña rusa? 🎢 日本語のテキスト"
        memory.add_turns(ACTOR, SESSION, [user(said), assistant("Très bien — 好的 ✅")], NOW)
        memory.put_long_term(NS, said, NOW)

        [event] = memory.list_events(ACTOR, SESSION)
        [found] = memory.search_long_term(NS, "日本語のテキスト", top_k=1)

        assert event.messages == (user(said), assistant("Très bien — 好的 ✅"))
        assert (found.text, found.score) == (said, 1.0)

    @pytest.mark.parametrize(
        ("call", "reason"),
        [
            pytest.param(
                lambda m: m.add_turns(ACTOR, SESSION, [], NOW),
                "1 to 100 messages",
                id="no messages",
            ),
            pytest.param(
                lambda m: m.add_turns(ACTOR, SESSION, [user("")], NOW),
                "text is 1 to",
                id="empty text",
            ),
            pytest.param(
                lambda m: m.add_turns(ACTOR, SESSION, [user("a\x00b")], NOW), "NUL", id="NUL"
            ),
            pytest.param(
                lambda m: m.add_turns(ACTOR, SESSION, [user("x")], datetime(2026, 3, 10)),
                "timezone-aware",
                id="naive time",
            ),
            pytest.param(
                lambda m: m.add_turns(ACTOR, "sess 1", [user("x")], NOW),
                "session id 'sess 1'",
                id="bad session id",
            ),
            pytest.param(
                lambda m: m.add_turns("", SESSION, [user("x")], NOW), "actor id", id="no actor"
            ),
            pytest.param(
                lambda m: m.list_events(ACTOR, SESSION, 0), "max_results", id="max_results 0"
            ),
            pytest.param(lambda m: m.last_turns(ACTOR, SESSION, 0), "k must", id="no turns"),
            pytest.param(lambda m: m.put_long_term(NS, "", NOW), "text is 1 to", id="no fact"),
            pytest.param(lambda m: m.put_long_term(NS, "\x00", NOW), "NUL", id="NUL fact"),
            pytest.param(
                lambda m: m.put_long_term("a namespace", "x", NOW), "namespace", id="namespace"
            ),
            pytest.param(lambda m: m.search_long_term(NS, "x", 0), "top_k", id="top_k 0"),
        ],
    )
    def test_what_agentcore_memory_would_refuse_is_refused_everywhere(
        self,
        memory: ConversationMemory,
        call: Callable[[ConversationMemory], object],
        reason: str,
    ) -> None:
        with pytest.raises(ValueError, match=re.escape(reason)):
            call(memory)
        assert memory.list_events(ACTOR, SESSION) == []


# -- in process ---------------------------------------------------------------------------------


class TestInMemoryConversationMemory(ConversationMemoryContract):
    @pytest.fixture
    def memory(self) -> ConversationMemory:
        return InMemoryConversationMemory(RandomIdGenerator())


# -- PostgreSQL -----------------------------------------------------------------------------------


class TestPostgresConversationMemory(ConversationMemoryContract):
    @pytest.fixture
    def memory(self, postgres_url: str) -> Iterator[ConversationMemory]:
        engine = postgres_engine(postgres_url, pool_size=2, lock_timeout_seconds=2)
        empty_tables(engine)
        yield SqlConversationMemory(engine, RandomIdGenerator())
        engine.dispose()


class TestDataApiConversationMemory(ConversationMemoryContract):
    """The same SQL through the aurora-data-api driver and its SQLAlchemy dialect, against the
    Data API stand-in over the run's PostgreSQL."""

    @pytest.fixture
    def memory(self, postgres_url: str, data_api: DataApiServer) -> Iterator[ConversationMemory]:
        database = make_url(postgres_url).database or ""
        engine = aurora_engine(CLUSTER_ARN, SECRET_ARN, database, "us-east-1", 2)
        empty_tables(engine)
        yield SqlConversationMemory(engine, RandomIdGenerator())
        engine.dispose()
        assert data_api.open_transactions == 0, "a memory call left its transaction open"


# -- AgentCore Memory ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def agentcore_server() -> Iterator[AgentCoreMemoryServer]:
    with AgentCoreMemoryServer() as server:
        yield server


@pytest.fixture(scope="module")
def aws_session() -> boto3.Session:
    """One session for the module: it keeps the loaded service model for every client."""
    return boto3.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )


def agentcore_memory(
    server: AgentCoreMemoryServer, session: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> AgentCoreConversationMemory:
    """The adapter over a new memory resource of the stand-in, through a real boto3 client
    (pointed at it the way any boto3 client is pointed elsewhere: the endpoint variable)."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_AGENTCORE", server.endpoint)
    memory_id = server.create_memory()
    manager = MemorySessionManager(
        memory_id,
        boto3_session=session,
        boto_client_config=Config(retries={"total_max_attempts": 1}),
    )
    return AgentCoreConversationMemory(manager, memory_id)


class TestAgentCoreConversationMemory(ConversationMemoryContract):
    @pytest.fixture
    def memory(
        self,
        agentcore_server: AgentCoreMemoryServer,
        aws_session: boto3.Session,
        monkeypatch: pytest.MonkeyPatch,
    ) -> ConversationMemory:
        return agentcore_memory(agentcore_server, aws_session, monkeypatch)
