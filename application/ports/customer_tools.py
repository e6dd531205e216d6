"""The Data Agent's own structured tools as its natural-language tool reaches them: in the same
process, every call made for the one customer whose request it is."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from application.ports.reasoning import ToolCall, ToolResult, ToolSpec


class CustomerTools(Protocol):
    """The structured tools, bound to one customer: every call acts for that customer, and no
    argument can name another (someone else's ticket or order is simply not found)."""

    def specs(self) -> Sequence[ToolSpec]:
        """The tools, each with what it does and its arguments' JSON Schema."""
        ...

    def call(self, call: ToolCall) -> ToolResult:
        """Run one call for the bound customer; the result carries `call.id`. A refusal
        (arguments that do not fit the tool's schema, a business rule, not found) is an error
        `ToolResult` with the domain's code, not an exception; raises only when the tools
        cannot answer at all (`ServiceUnavailableError`)."""
        ...
