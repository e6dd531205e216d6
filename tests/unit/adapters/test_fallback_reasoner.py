"""The fallback reasoner: Bedrock (on a stubbed client) first, the rules while it fails, and a
circuit breaker on a fixed clock that stops calling a failing model and tries it again later.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import timedelta

import boto3
import pytest
from botocore.stub import Stubber

from adapters.clock import FixedClock
from adapters.reasoning.bedrock_converse import BedrockConverseReasoner
from adapters.reasoning.fallback import FALLBACK_NOTICE, FallbackReasoner, reasoning_breaker
from adapters.reasoning.rule_based import RuleBasedReasoner
from application.ports.reasoning import Message, Reply, StopReason, ToolSpec
from tests.support.reasoning import TOOL_SPECS

THRESHOLD = 2
RECOVERY = 60.0
ASK = [Message("user", "How much is Non-stop for TKT-00000001 on Dec 5?")]


class Counted:
    """The Bedrock reasoner, counting how often it is asked."""

    def __init__(self, inner: BedrockConverseReasoner) -> None:
        self.inner = inner
        self.calls = 0

    def reply(self, system: str, messages: Sequence[Message], tools: Sequence[ToolSpec]) -> Reply:
        self.calls += 1
        return self.inner.reply(system, messages, tools)


@pytest.fixture
def stubber() -> Iterator[Stubber]:
    client = boto3.client(
        "bedrock-runtime", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    with Stubber(client) as stub:
        yield stub
        stub.assert_no_pending_responses()


@pytest.fixture
def primary(stubber: Stubber) -> Counted:
    return Counted(BedrockConverseReasoner(stubber.client))


@pytest.fixture
def reasoner(primary: Counted, clock: FixedClock) -> FallbackReasoner:
    breaker = reasoning_breaker(clock, failure_threshold=THRESHOLD, recovery_timeout=RECOVERY)
    return FallbackReasoner(primary, RuleBasedReasoner(clock, "America/Los_Angeles"), breaker)


def throttled(stubber: Stubber, times: int = 1) -> None:
    for _ in range(times):
        stubber.add_client_error(
            "converse", service_error_code="ThrottlingException", http_status_code=429
        )


def answered(stubber: Stubber, text: str) -> None:
    stubber.add_response(
        "converse",
        {
            "output": {"message": {"role": "assistant", "content": [{"text": text}]}},
            "stopReason": "end_turn",
            "usage": {"inputTokens": 900, "outputTokens": 12, "totalTokens": 912},
            "metrics": {"latencyMs": 640},
        },
    )


def test_while_the_model_works_its_answer_is_used(
    stubber: Stubber, reasoner: FallbackReasoner
) -> None:
    answered(stubber, "Non-stop on 5 December costs $77.25 for you.")
    reply = reasoner.reply("", ASK, TOOL_SPECS)
    assert reply.text == "Non-stop on 5 December costs $77.25 for you."
    assert reply.fallback is False


def test_when_the_model_fails_the_rules_answer_and_say_so(
    stubber: Stubber, reasoner: FallbackReasoner, primary: Counted
) -> None:
    throttled(stubber)
    step = reasoner.reply("", ASK, TOOL_SPECS)
    assert primary.calls == 1
    assert step.fallback is True
    assert step.stop_reason is StopReason.TOOL_USE  # the same tool call a model would make
    assert step.tool_calls[0].name == "upgrade_options"
    assert step.tool_calls[0].arguments == {
        "ticket": "TKT-00000001",
        "start": "2026-12-05",
        "days": 1,
    }
    throttled(stubber)  # the breaker opens on this second failure
    greeting = reasoner.reply("", [Message("user", "hello")], TOOL_SPECS)
    assert greeting.fallback is True
    assert greeting.text.startswith("Hello! I can show your tickets")
    assert greeting.text.endswith(FALLBACK_NOTICE)
    assert "simpler one is answering" in greeting.text


def test_after_the_breaker_opens_the_model_is_not_called_until_it_may_have_recovered(
    stubber: Stubber, reasoner: FallbackReasoner, primary: Counted, clock: FixedClock
) -> None:
    throttled(stubber, THRESHOLD)
    for _ in range(THRESHOLD):
        assert reasoner.reply("", ASK, TOOL_SPECS).fallback
    assert reasoner.breaker.state == "open"
    for _ in range(5):
        assert reasoner.reply("", ASK, TOOL_SPECS).fallback
    assert primary.calls == THRESHOLD  # failing fast: no request at all

    clock.advance(timedelta(seconds=RECOVERY - 1))
    assert reasoner.reply("", ASK, TOOL_SPECS).fallback
    assert primary.calls == THRESHOLD

    clock.advance(timedelta(seconds=2))  # past the recovery time: one call tests the model
    answered(stubber, "Back to normal.")
    reply = reasoner.reply("", ASK, TOOL_SPECS)
    assert reply.text == "Back to normal."
    assert reply.fallback is False
    assert primary.calls == THRESHOLD + 1
    assert reasoner.breaker.state == "closed"


def test_a_failed_test_call_opens_the_breaker_again(
    stubber: Stubber, reasoner: FallbackReasoner, primary: Counted, clock: FixedClock
) -> None:
    throttled(stubber, THRESHOLD)
    for _ in range(THRESHOLD):
        reasoner.reply("", ASK, TOOL_SPECS)
    clock.advance(timedelta(seconds=RECOVERY + 1))
    throttled(stubber)
    assert reasoner.reply("", ASK, TOOL_SPECS).fallback
    assert reasoner.breaker.state == "open"
    reasoner.reply("", ASK, TOOL_SPECS)
    assert primary.calls == THRESHOLD + 1


def test_a_success_resets_the_count_of_failures(
    stubber: Stubber, reasoner: FallbackReasoner, primary: Counted
) -> None:
    throttled(stubber)
    answered(stubber, "ok")
    throttled(stubber)
    answered(stubber, "ok again")
    replies = [reasoner.reply("", ASK, TOOL_SPECS) for _ in range(4)]
    assert [reply.fallback for reply in replies] == [True, False, True, False]
    assert reasoner.breaker.state == "closed"


def test_a_programming_error_is_not_hidden_by_the_fallback(
    stubber: Stubber, reasoner: FallbackReasoner
) -> None:
    bad_tool = ToolSpec("not a name", "A tool.", {})
    with pytest.raises(ValueError, match="not accepted by Converse"):
        reasoner.reply("", ASK, (bad_tool,))


def test_the_fallback_answer_keeps_escalations(
    stubber: Stubber, reasoner: FallbackReasoner
) -> None:
    throttled(stubber)
    reply = reasoner.reply("", [Message("user", "I want my money back")], TOOL_SPECS)
    assert reply.fallback is True
    assert reply.escalate is True
    assert "a person will look at it" in reply.text
