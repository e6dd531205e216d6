"""The Ticket Agent's view of the Data Agent: a set of tools it can list and call, each call
made for one customer (whose bearer token it carries)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from application.ports.reasoning import ToolResult, ToolSpec


class DataAgentTools(Protocol):
    """The Data Agent's tools, reached over MCP in every build."""

    def list_tools(self, bearer_token: str | None = None) -> Sequence[ToolSpec]:
        """The tools on offer, with their argument schemas. The Data Agent wants a customer's
        token on every request, listing included: the first listing goes out with
        `bearer_token` (later ones may be remembered). Raises `AuthenticationError` if the
        Data Agent refuses the token, `ServiceUnavailableError` if it cannot be reached."""
        ...

    def call(
        self, call_id: str, name: str, arguments: Mapping[str, Any], bearer_token: str
    ) -> ToolResult:
        """Call one tool as the customer `bearer_token` identifies. A refusal (bad input, a
        business rule, not found) comes back as a `ToolResult` with `is_error` and the
        domain's code; raises `ServiceUnavailableError` when the Data Agent cannot be reached."""
        ...
