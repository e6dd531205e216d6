"""A reasoner that prefers a language model and falls back to the rules while it fails.

Each failure of the primary (`ReasoningUnavailableError`) is counted by a circuit breaker (the
`circuitbreaker` package's, on our Clock); once it opens, the primary is not called at all until
its recovery time has passed, then one call tests it again. Meanwhile the fallback answers: its
reply carries `fallback=True`, so that the caller flags the conversation for a person, and its
answer says in plain words that a simpler assistant answered.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace

from adapters.payments.resilient import ClockedCircuitBreaker
from application.ports.clock import Clock
from application.ports.reasoning import (
    Message,
    Reasoner,
    ReasoningUnavailableError,
    Reply,
    StopReason,
    ToolSpec,
)

log = logging.getLogger(__name__)

FALLBACK_NOTICE = (
    "(Our main assistant is unavailable, so a simpler one is answering; a member of our team "
    "will review this conversation.)"
)


def reasoning_breaker(
    clock: Clock, failure_threshold: int = 3, recovery_timeout: float = 60.0
) -> ClockedCircuitBreaker:
    """A breaker that counts only the reasoner being unavailable."""
    return ClockedCircuitBreaker(
        clock,
        failure_threshold,
        recovery_timeout,
        expected_exception=ReasoningUnavailableError,
        name="reasoner",
    )


class FallbackReasoner:
    """A `Reasoner`: `primary` while it works, `fallback` while it fails or its breaker is open."""

    def __init__(
        self, primary: Reasoner, fallback: Reasoner, breaker: ClockedCircuitBreaker
    ) -> None:
        self._primary = primary
        self._fallback = fallback
        self.breaker = breaker

    def reply(self, system: str, messages: Sequence[Message], tools: Sequence[ToolSpec]) -> Reply:
        if not self.breaker.opened:
            try:
                with self.breaker:
                    return self._primary.reply(system, messages, tools)
            except ReasoningUnavailableError as error:
                log.warning(
                    "reasoner unavailable, answering with the fallback",
                    extra={"code": error.code, "breaker": str(self.breaker.state)},
                )
        reply = self._fallback.reply(system, messages, tools)
        text = reply.text
        if reply.stop_reason is not StopReason.TOOL_USE and FALLBACK_NOTICE not in text:
            text = f"{text} {FALLBACK_NOTICE}".strip()
        return replace(reply, text=text, fallback=True)
