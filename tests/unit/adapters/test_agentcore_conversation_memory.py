"""The AgentCore Memory adapter's requests and its reading of the answers, exactly, with
botocore's Stubber on the SDK's own client (which checks both against the service model); and
its failures, each in the application's words. The contract suite runs the same adapter against
a stand-in of the service over HTTP."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from bedrock_agentcore.memory import MemorySessionManager
from botocore.config import Config
from botocore.stub import ANY, Stubber

from adapters.conversation_memory.agentcore import AgentCoreConversationMemory
from application.errors import ServiceUnavailableError
from application.ports.conversation_memory import MemoryEvent, MemoryRecord, Role, Utterance
from tests.conftest import NOW

MEMORY_ID = "TicketMemory-abcdef1234"
ACTOR, SESSION, NS = "cust-42", "sess-1", "customers/42"
RECORD_ID = "mem-" + "a" * 36
OTHER_RECORD_ID = "mem-" + "b" * 36


@pytest.fixture(scope="module")
def aws_session() -> boto3.Session:
    """One session for the module: it loads the service model once for every client."""
    return boto3.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )


@pytest.fixture
def manager(aws_session: boto3.Session) -> MemorySessionManager:
    return MemorySessionManager(MEMORY_ID, boto3_session=aws_session)


@pytest.fixture
def stub(manager: MemorySessionManager) -> Iterator[Stubber]:
    with Stubber(manager._data_plane_client) as stubber:  # the SDK's boto3 client
        yield stubber
        stubber.assert_no_pending_responses()


@pytest.fixture
def memory(manager: MemorySessionManager) -> AgentCoreConversationMemory:
    return AgentCoreConversationMemory(manager, MEMORY_ID)


def event(event_id: str, at: datetime, *payload: dict[str, Any]) -> dict[str, Any]:
    return {
        "memoryId": MEMORY_ID,
        "actorId": ACTOR,
        "sessionId": SESSION,
        "eventId": event_id,
        "eventTimestamp": at,
        "payload": list(payload),
    }


def said(role: str, text: str) -> dict[str, Any]:
    return {"conversational": {"content": {"text": text}, "role": role}}


def record(record_id: str, text: str, namespace: str, at: datetime, **more: Any) -> dict[str, Any]:
    return {
        "memoryRecordId": record_id,
        "content": {"text": text},
        "memoryStrategyId": "explicit",
        "namespaces": [namespace],
        "createdAt": at,
        "timestamp": at,
        **more,
    }


def test_add_turns_is_one_create_event_with_the_messages_as_conversational_payload(
    stub: Stubber, memory: AgentCoreConversationMemory
) -> None:
    at = NOW + timedelta(microseconds=123456)  # kept to the millisecond, as the service does
    sent_at = NOW + timedelta(milliseconds=123)
    payload = [said("USER", "Upgrade TKT-00000042"), said("ASSISTANT", "To which tier?")]
    stub.add_response(
        "create_event",
        {"event": event("1773158400123#ab12", sent_at, *payload)},
        {
            "memoryId": MEMORY_ID,
            "actorId": ACTOR,
            "sessionId": SESSION,
            "eventTimestamp": sent_at,
            "payload": payload,
        },
    )

    stored = memory.add_turns(
        ACTOR,
        SESSION,
        [Utterance(Role.USER, "Upgrade TKT-00000042"), Utterance(Role.ASSISTANT, "To which tier?")],
        at,
    )

    assert stored == MemoryEvent(
        "1773158400123#ab12",
        ACTOR,
        SESSION,
        sent_at,
        (Utterance(Role.USER, "Upgrade TKT-00000042"), Utterance(Role.ASSISTANT, "To which tier?")),
    )


def test_the_services_newest_first_listing_comes_back_oldest_first_without_blob_events(
    stub: Stubber, memory: AgentCoreConversationMemory
) -> None:
    listed = [  # as ListEvents answers: newest first
        event("3#c", NOW + timedelta(seconds=2), said("ASSISTANT", "third")),
        event("2#b", NOW + timedelta(seconds=1), said("USER", "second, written later")),
        event("2#a", NOW + timedelta(seconds=1), said("USER", "second")),
        event("1#f", NOW, {"blob": {"state": "not a message"}}),
        event("1#e", NOW, said("TOOL", "first"), {"blob": "ignored"}),
    ]
    stub.add_response(
        "list_events",
        {"events": listed},
        {
            "memoryId": MEMORY_ID,
            "actorId": ACTOR,
            "sessionId": SESSION,
            "maxResults": 100,
            "includePayloads": True,
        },
    )

    events = memory.list_events(ACTOR, SESSION)

    assert [(e.id, [m.text for m in e.messages]) for e in events] == [
        ("1#e", ["first"]),
        ("2#a", ["second"]),
        ("2#b", ["second, written later"]),
        ("3#c", ["third"]),
    ]
    assert all(e.at.tzinfo is not None for e in events)


def test_a_new_fact_is_one_record_created_in_the_namespace_after_looking_for_it(
    stub: Stubber, memory: AgentCoreConversationMemory
) -> None:
    # The same text in a longer namespace: the service matches `namespace` by prefix.
    lookalike = record(OTHER_RECORD_ID, "Prefers Non-stop", f"{NS}0", NOW)
    stub.add_response(
        "list_memory_records",
        {"memoryRecordSummaries": [lookalike]},
        {"memoryId": MEMORY_ID, "namespace": NS},
    )
    stub.add_response(
        "batch_create_memory_records",
        {
            "successfulRecords": [
                {"memoryRecordId": RECORD_ID, "status": "SUCCEEDED", "requestIdentifier": "fact-1"}
            ],
            "failedRecords": [],
        },
        {
            "memoryId": MEMORY_ID,
            "records": [
                {
                    "requestIdentifier": ANY,
                    "namespaces": [NS],
                    "content": {"text": "Prefers Non-stop"},
                    "timestamp": NOW,
                }
            ],
        },
    )

    kept = memory.put_long_term(NS, "Prefers Non-stop", NOW)

    assert kept == MemoryRecord(RECORD_ID, NS, "Prefers Non-stop", 1.0)


def test_a_fact_already_kept_is_not_created_again(
    stub: Stubber, memory: AgentCoreConversationMemory
) -> None:
    stub.add_response(
        "list_memory_records",
        {"memoryRecordSummaries": [record(RECORD_ID, "Prefers Non-stop", NS, NOW)]},
        {"memoryId": MEMORY_ID, "namespace": NS},
    )

    kept = memory.put_long_term(NS, "Prefers Non-stop", NOW + timedelta(days=1))

    assert kept.id == RECORD_ID  # and no BatchCreateMemoryRecords: the stubber allows none


def test_a_search_is_a_semantic_retrieval_in_the_namespace_with_the_services_scores(
    stub: Stubber, memory: AgentCoreConversationMemory
) -> None:
    third = "mem-" + "c" * 36
    stub.add_response(
        "retrieve_memory_records",
        {
            "memoryRecordSummaries": [
                record(RECORD_ID, "Prefers Non-stop", NS, NOW, score=0.91),
                record(OTHER_RECORD_ID, "Prefers Standard", f"{NS}/x", NOW, score=0.9),
                record(third, "Prefers Non-stop", NS, NOW - timedelta(days=1), score=0.91),
            ]
        },
        {
            "memoryId": MEMORY_ID,
            "namespace": NS,
            "searchCriteria": {"searchQuery": "which tier?", "topK": 3},
            "maxResults": 3,
        },
    )

    found = memory.search_long_term(NS, "which tier?", top_k=3)

    # Another namespace's record dropped; the text kept twice (indexing lag) returned once.
    assert found == [MemoryRecord(RECORD_ID, NS, "Prefers Non-stop", 0.91)]


def test_a_query_without_words_lists_the_namespace_newest_first(
    stub: Stubber, memory: AgentCoreConversationMemory
) -> None:
    stub.add_response(
        "list_memory_records",
        {
            "memoryRecordSummaries": [
                record(RECORD_ID, "older", NS, NOW),
                record(OTHER_RECORD_ID, "newer", NS, NOW + timedelta(hours=1)),
            ]
        },
        {"memoryId": MEMORY_ID, "namespace": NS},
    )

    found = memory.search_long_term(NS, " ?! ", top_k=5)

    assert [(r.text, r.score) for r in found] == [("newer", 0.0), ("older", 0.0)]


@pytest.mark.parametrize(
    ("code", "status", "retry_after"),
    [
        ("ThrottledException", 429, 2),
        ("ServiceQuotaExceededException", 402, 2),
        ("AccessDeniedException", 403, 5),
        ("ResourceNotFoundException", 404, 5),
        ("ServiceException", 500, 5),
    ],
)
def test_a_failing_service_is_unavailable_in_plain_words(
    stub: Stubber,
    memory: AgentCoreConversationMemory,
    code: str,
    status: int,
    retry_after: int,
) -> None:
    stub.add_client_error("list_events", code, "it failed", status)

    with pytest.raises(ServiceUnavailableError) as raised:
        memory.list_events(ACTOR, SESSION)

    assert raised.value.code == "memory_unavailable"
    assert raised.value.message == (
        f"Conversation memory is unavailable right now (ListEvents: {code})."
    )
    assert raised.value.retry_after == retry_after


def test_a_request_the_service_refuses_is_a_value_error(
    stub: Stubber, memory: AgentCoreConversationMemory
) -> None:
    stub.add_client_error("create_event", "ValidationException", "payload too large", 400)

    with pytest.raises(ValueError, match="AgentCore Memory refused CreateEvent: payload too large"):
        memory.add_turns(ACTOR, SESSION, [Utterance(Role.USER, "hi")], NOW)


def test_a_record_the_service_did_not_create_is_unavailable(
    stub: Stubber, memory: AgentCoreConversationMemory
) -> None:
    stub.add_response("list_memory_records", {"memoryRecordSummaries": []})
    failed = {
        "memoryRecordId": RECORD_ID,
        "status": "FAILED",
        "errorCode": 500,
        "errorMessage": "internal error",
    }
    stub.add_response(
        "batch_create_memory_records", {"successfulRecords": [], "failedRecords": [failed]}
    )

    with pytest.raises(ServiceUnavailableError, match=r"\(500: internal error\)"):
        memory.put_long_term(NS, "Prefers Non-stop", NOW)


def test_an_unreachable_service_is_unavailable(
    aws_session: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as probe:  # a loopback port that nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_AGENTCORE", f"http://127.0.0.1:{port}")
    manager = MemorySessionManager(
        MEMORY_ID,
        boto3_session=aws_session,
        boto_client_config=Config(retries={"total_max_attempts": 1}),
    )
    memory = AgentCoreConversationMemory(manager, MEMORY_ID)

    with pytest.raises(ServiceUnavailableError, match="EndpointConnectionError"):
        memory.search_long_term(NS, "tier")


def test_times_are_read_back_in_utc(stub: Stubber, memory: AgentCoreConversationMemory) -> None:
    stub.add_response("list_events", {"events": [event("1#a", NOW, said("USER", "hi"))]})

    [listed] = memory.list_events(ACTOR, SESSION)

    assert listed.at == NOW
    assert listed.at.tzinfo is UTC
