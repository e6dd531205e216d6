"""AgentCore Memory's limits, applied by every adapter.

The local adapters refuse what the service would refuse (ids outside its patterns, empty
messages, naive times...), so that a caller working against them locally does not meet a
ValidationException only in AWS. The patterns and sizes are those of botocore's
`bedrock-agentcore` service model (CreateEvent, ListEvents, BatchCreateMemoryRecords).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from application.ports.conversation_memory import Utterance

_ACTOR = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_/-]*(?::[a-zA-Z0-9_/-]+)*[a-zA-Z0-9_/-]*")
_SESSION = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_-]*")
# The service allows `*` in a namespace pattern, but its SDK refuses wildcards: one namespace
# here is one exact namespace.
_NAMESPACE = re.compile(r"[a-zA-Z0-9/][a-zA-Z0-9_/-]*(?::[a-zA-Z0-9_/-]+)*[a-zA-Z0-9_/-]*")

MAX_ACTOR = 255
MAX_SESSION = 100
MAX_NAMESPACE = 1024
MAX_MESSAGES = 100  # payload items of one event
MAX_MESSAGE_TEXT = 100_000
MAX_RECORD_TEXT = 16_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _check(value: str, pattern: re.Pattern[str], longest: int, what: str) -> str:
    if not 1 <= len(value) <= longest or pattern.fullmatch(value) is None:
        raise ValueError(f"{what} {value!r} is not one AgentCore Memory accepts")
    return value


def actor_id(value: str) -> str:
    return _check(value, _ACTOR, MAX_ACTOR, "actor id")


def session_id(value: str) -> str:
    return _check(value, _SESSION, MAX_SESSION, "session id")


def namespace(value: str) -> str:
    return _check(value, _NAMESPACE, MAX_NAMESPACE, "namespace")


def instant(at: datetime) -> datetime:
    """An aware time in UTC, to the millisecond: AgentCore keeps event times to the
    millisecond, so every adapter does, and two events one microsecond apart tie everywhere."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("memory times must be timezone-aware")
    return at.astimezone(UTC).replace(microsecond=at.microsecond // 1000 * 1000)


def _text(text: str, longest: int, what: str) -> str:
    if not 1 <= len(text) <= longest:
        raise ValueError(f"{what} is 1 to {longest} characters long")
    # PostgreSQL's text and jsonb cannot hold U+0000; refused everywhere, not only there.
    if "\x00" in text:
        raise ValueError(f"{what} may not contain NUL characters")
    return text


def messages(given: Sequence[Utterance]) -> tuple[Utterance, ...]:
    if not 1 <= len(given) <= MAX_MESSAGES:
        raise ValueError(f"an event holds 1 to {MAX_MESSAGES} messages, not {len(given)}")
    for message in given:
        _text(message.text, MAX_MESSAGE_TEXT, "a message's text")
    return tuple(given)


def record_text(text: str) -> str:
    return _text(text, MAX_RECORD_TEXT, "a long-term record's text")


def at_least_one(value: int, what: str) -> int:
    if value < 1:
        raise ValueError(f"{what} must be at least 1, not {value}")
    return value


def new_event_id(at: datetime, unique_hex: str) -> str:
    """An id shaped like AgentCore's: the event's epoch milliseconds (zero-padded, so ids sort
    by time as strings), `#`, and hex digits."""
    return f"{(at - _EPOCH) // timedelta(milliseconds=1):013d}#{unique_hex}"
