"""The Ticket Agent as something to invoke: the AgentCore runtime on AWS."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class RuntimeAnswer:
    """What the runtime answered: its HTTP status and JSON body, passed on as they are."""

    status: int
    body: Mapping[str, Any]


class AgentRuntime(Protocol):
    """Runs one conversation turn in the Ticket Agent runtime."""

    def invoke(self, session_id: str | None, payload: Mapping[str, Any]) -> RuntimeAnswer:
        """`session_id` None starts a conversation. Raises `ServiceUnavailableError` when the
        runtime cannot be reached or fails."""
        ...
