"""Conversation memory in Amazon Bedrock AgentCore Memory, through the SDK's
`MemorySessionManager` (data plane only; the memory resource and its strategies are made by
the infrastructure code).

How the port maps onto the service:
- `add_turns` is CreateEvent (the SDK's `add_turns`), one event per call.
- `list_events` is ListEvents (the SDK's `list_events`, which pages). The service lists the
  newest events first and the SDK does not reorder them: they are put oldest first here, by
  `eventTimestamp`, equal times in the service's order. Payload items other than
  conversational messages (blobs) are not part of the port and are left out.
- `last_turns` is built here from `list_events` rather than taken from the SDK's
  `get_last_k_turns`, which groups messages in the service's newest-first order: a turn whose
  messages are stored in two events comes out reversed (aws/bedrock-agentcore-sdk-python#253),
  and its turns come newest first.
- `put_long_term` is BatchCreateMemoryRecords, one record in the namespace, after a
  ListMemoryRecords that finds the same text already kept. The service extracts records from
  events by itself through the memory's strategies, into the strategies' namespaces; the facts
  of this port are the ones the application decides to keep, written directly, so that a
  customer's facts are the same here as in the local adapters. The service indexes a new record
  asynchronously: one put moments ago may not be found yet, and the same fact put twice within
  that moment may be kept twice (searches here return each text once).
- `search_long_term` is RetrieveMemoryRecords (semantic search; its scores are the service's)
  and, for a query without words, which the service does not take, ListMemoryRecords, newest
  first. The service matches `namespace` by prefix during its namespace redesign's grace
  period; records of other namespaces are dropped here.

Errors: input the service would refuse raises ValueError before any call; a refusal by the
service (ValidationException) raises ValueError too; every other failure (throttling, access,
a missing memory, the network, credentials) raises ServiceUnavailableError. The SDK's manager
is documented as not thread-safe: calls go through it one at a time.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bedrock_agentcore.memory import MemorySessionManager
from bedrock_agentcore.memory.constants import BlobMessage, ConversationalMessage, MessageRole
from botocore.exceptions import BotoCoreError, ClientError, ParamValidationError

from adapters.conversation_memory import shape
from adapters.conversation_memory.overlap import FULL_MATCH, words
from adapters.conversation_memory.turns import last_turns
from application.errors import ServiceUnavailableError
from application.ports.conversation_memory import MemoryEvent, MemoryRecord, Role, Utterance

log = logging.getLogger(__name__)

# How many of a namespace's records are read to find a fact already kept, or to list them all
# for a query without words. A customer's namespace holds a handful.
MAX_RECORDS_SCANNED = 1000
_MAX_TOP_K = 100  # RetrieveMemoryRecords' topK and maxResults
_REFUSALS = {"ValidationException", "InvalidInputException"}
_THROTTLING = {"ThrottledException", "ThrottlingException", "ServiceQuotaExceededException"}


class AgentCoreConversationMemory:
    """The ConversationMemory port over one AgentCore memory resource."""

    def __init__(self, session_manager: MemorySessionManager, memory_id: str) -> None:
        # The manager keeps its memory id private; BatchCreateMemoryRecords (a raw data-plane
        # call through the manager) needs it, so it is given here, the same as the manager's.
        self._manager = session_manager
        self._memory_id = memory_id
        self._lock = threading.Lock()

    @contextmanager
    def _calling(self, operation: str) -> Iterator[None]:
        with self._lock:
            try:
                yield
            except ParamValidationError as error:
                raise ValueError(f"AgentCore Memory {operation}: {error}") from error
            except ClientError as error:
                raise _translated(operation, error) from error
            except BotoCoreError as error:
                log.warning("agentcore memory unreachable", extra={"operation": operation})
                raise _unavailable(operation, type(error).__name__) from error

    def add_turns(
        self, actor_id: str, session_id: str, messages: Sequence[Utterance], at: datetime
    ) -> MemoryEvent:
        turns: list[ConversationalMessage | BlobMessage] = [
            ConversationalMessage(m.text, MessageRole(m.role.value))
            for m in shape.messages(messages)
        ]
        with self._calling("CreateEvent"):
            event = self._manager.add_turns(
                actor_id=shape.actor_id(actor_id),
                session_id=shape.session_id(session_id),
                messages=turns,
                event_timestamp=shape.instant(at),
            )
        stored = _event(event)
        if stored is None:
            raise ServiceUnavailableError(
                "memory_unavailable",
                "Conversation memory did not keep the messages it was given.",
                "Please try again in a moment.",
            )
        return stored

    def list_events(
        self, actor_id: str, session_id: str, max_results: int = 100
    ) -> list[MemoryEvent]:
        with self._calling("ListEvents"):
            listed = self._manager.list_events(
                actor_id=shape.actor_id(actor_id),
                session_id=shape.session_id(session_id),
                max_results=shape.at_least_one(max_results, "max_results"),
            )
        events = [event for raw in reversed(listed) if (event := _event(raw)) is not None]
        events.sort(key=lambda event: event.at)  # stable: equal times keep the service's order
        return events

    def last_turns(self, actor_id: str, session_id: str, k: int) -> list[list[Utterance]]:
        shape.at_least_one(k, "k")
        return last_turns(lambda n: self.list_events(actor_id, session_id, n), k)

    def put_long_term(self, namespace: str, text: str, at: datetime) -> MemoryRecord:
        space, when = shape.namespace(namespace), shape.instant(at)
        shape.record_text(text)
        for kept in self._records_of(space):
            if kept.text == text:
                return MemoryRecord(kept.id, space, text, FULL_MATCH)
        digest = hashlib.sha256(f"{space}\n{text}".encode()).hexdigest()[:40]
        with self._calling("BatchCreateMemoryRecords"):
            answer = self._manager.batch_create_memory_records(
                memoryId=self._memory_id,
                records=[
                    {
                        "requestIdentifier": f"fact-{digest}",
                        "namespaces": [space],
                        "content": {"text": text},
                        "timestamp": when,
                    }
                ],
            )
        created = answer.get("successfulRecords") or []
        if not created or created[0].get("status") != "SUCCEEDED":
            failed = (answer.get("failedRecords") or [{}])[0]
            raise ServiceUnavailableError(
                "memory_unavailable",
                "Conversation memory did not keep the fact "
                f"({failed.get('errorCode', 'no code')}: "
                f"{failed.get('errorMessage', 'no reason given')}).",
                "Please try again in a moment.",
            )
        return MemoryRecord(created[0]["memoryRecordId"], space, text, FULL_MATCH)

    def search_long_term(self, namespace: str, query: str, top_k: int = 3) -> list[MemoryRecord]:
        space = shape.namespace(namespace)
        shape.at_least_one(top_k, "top_k")
        if not words(query):
            found = self._records_of(space)
        else:
            asked = min(top_k, _MAX_TOP_K)
            with self._calling("RetrieveMemoryRecords"):
                summaries = self._manager.search_long_term_memories(
                    query=query, namespace=space, top_k=asked, max_results=asked
                )
            found = [record for raw in summaries if (record := _record(raw, space)) is not None]
        found.sort(key=lambda record: record.text)
        found.sort(key=lambda record: (record.score, record.at), reverse=True)
        unique: dict[str, MemoryRecord] = {}
        for record in found:
            unique.setdefault(
                record.text, MemoryRecord(record.id, space, record.text, record.score)
            )
        return list(unique.values())[:top_k]

    def _records_of(self, space: str) -> list[_Found]:
        with self._calling("ListMemoryRecords"):
            listed = self._manager.list_long_term_memory_records(
                namespace=space, max_results=MAX_RECORDS_SCANNED
            )
        return [record for raw in listed if (record := _record(raw, space)) is not None]


@dataclass(frozen=True, slots=True)
class _Found:
    """A record the service returned, with what the ranking needs."""

    id: str
    text: str
    score: float
    at: datetime


def _record(raw: Any, space: str) -> _Found | None:
    text = (raw.get("content") or {}).get("text")
    if space not in (raw.get("namespaces") or ()) or not text:
        return None
    at = raw.get("timestamp") or raw.get("createdAt")
    return _Found(raw["memoryRecordId"], text, float(raw.get("score") or 0.0), _utc(at))


def _event(raw: Any) -> MemoryEvent | None:
    messages = tuple(
        Utterance(Role(item["conversational"]["role"]), item["conversational"]["content"]["text"])
        for item in raw.get("payload") or ()
        if "conversational" in item
    )
    if not messages:
        return None
    return MemoryEvent(
        raw["eventId"], raw["actorId"], raw["sessionId"], _utc(raw["eventTimestamp"]), messages
    )


def _utc(at: datetime) -> datetime:
    return at.astimezone(UTC)


def _translated(operation: str, error: ClientError) -> Exception:
    code = error.response.get("Error", {}).get("Code", "Unknown")
    if code in _REFUSALS:
        message = error.response.get("Error", {}).get("Message", "")
        return ValueError(f"AgentCore Memory refused {operation}: {message}")
    log.warning("agentcore memory call failed", extra={"operation": operation, "code": code})
    return _unavailable(operation, code, retry_after=2 if code in _THROTTLING else 5)


def _unavailable(operation: str, reason: str, retry_after: int = 5) -> ServiceUnavailableError:
    return ServiceUnavailableError(
        "memory_unavailable",
        f"Conversation memory is unavailable right now ({operation}: {reason}).",
        "Please try again in a moment.",
        retry_after=retry_after,
    )
