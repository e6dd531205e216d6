"""The one mapping from use-case outcomes to MCP tool results.

An answer carries its model twice, as MCP asks: `structured_content` (checked against the
tool's output schema) and the same JSON as text. A refusal is a tool error (`is_error`) whose
`structured_content` is `{code, message, guidance, kind}` with the domain's own code, and whose
text starts with the code, so a client that reads only text can still tell what happened.
"""

from __future__ import annotations

from typing import Any

from mcp_types import CallToolResult, TextContent
from pydantic import BaseModel

from application.errors import (
    AuthenticationError,
    CustomerNotRegisteredError,
    ServiceUnavailableError,
)
from domain.errors import (
    BusinessRuleError,
    ConflictError,
    DomainError,
    InvalidInputError,
    NotFoundError,
)

# Most specific first: the first matching class names the kind.
_KINDS: tuple[tuple[type[DomainError], str], ...] = (
    (AuthenticationError, "unauthorized"),
    (CustomerNotRegisteredError, "forbidden"),
    (ServiceUnavailableError, "unavailable"),
    (InvalidInputError, "invalid_input"),
    (NotFoundError, "not_found"),
    (ConflictError, "conflict"),
    (BusinessRuleError, "business_rule"),
)


def answer(model: BaseModel) -> CallToolResult:
    return CallToolResult(
        content=[TextContent(type="text", text=model.model_dump_json())],
        structured_content=model.model_dump(mode="json"),
    )


def refusal(error: DomainError) -> CallToolResult:
    kind = next((name for base, name in _KINDS if isinstance(error, base)), "refused")
    details: dict[str, Any] = {
        "code": error.code,
        "message": error.message,
        "guidance": error.guidance,
        "kind": kind,
    }
    if isinstance(error, ServiceUnavailableError):
        details["retry_after"] = error.retry_after
    text = f"{error.code}: {error.message} {error.guidance}".strip()
    return CallToolResult(
        content=[TextContent(type="text", text=text)], structured_content=details, is_error=True
    )
