"""`RunDataRequest`, the loop behind the Data Agent's natural-language tool, on real reasoners
(the rules, and Bedrock Converse on a Stubber) and the real use cases as its tools.

What the MCP tests cannot easily reach: which tools an instruction may use, card numbers kept
from the model while ids stay whole, a model that stops without a usable answer (before or
after calling tools), the bound on steps, and requests that are for a person.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from adapters.reasoning.bedrock_converse import BedrockConverseReasoner
from adapters.reasoning.rule_based import RuleBasedReasoner
from application.ports.reasoning import (
    Reasoner,
    ReasoningUnavailableError,
    ToolCall,
    ToolResult,
    ToolSpec,
)
from application.use_cases.run_data_request import (
    FOR_A_PERSON,
    MAX_INSTRUCTION_CHARS,
    TOO_MANY_STEPS,
    UNFINISHED,
    DataRequestCommand,
    DataRequestResult,
    RunDataRequest,
    offered_tools,
)
from domain.errors import InvalidInputError
from domain.ids import CustomerId
from tests.builders import World
from tests.support.reasoning import TOOL_SPECS, UseCaseTools


@dataclass
class Tools:
    """`CustomerTools` run by the use cases for one customer (the Data Agent's, minus MCP)."""

    inner: UseCaseTools
    offered: tuple[ToolSpec, ...] = TOOL_SPECS

    def specs(self) -> tuple[ToolSpec, ...]:
        return self.offered

    def call(self, call: ToolCall) -> ToolResult:
        return self.inner.call(call.id, call.name, call.arguments)


@dataclass
class Model:
    client: Any
    stubber: Stubber
    requests: list[dict[str, Any]] = field(default_factory=list)

    def tool_use(self, name: str, arguments: dict[str, Any]) -> None:
        block = {"toolUse": {"toolUseId": f"t{name}", "name": name, "input": arguments}}
        self.stubber.add_response("converse", _response([block], "tool_use"))

    def stop(self, stop_reason: str, text: str = "") -> None:
        self.stubber.add_response("converse", _response([{"text": text or "..."}], stop_reason))


def _response(content: list[dict[str, Any]], stop_reason: str) -> dict[str, Any]:
    return {
        "output": {"message": {"role": "assistant", "content": content}},
        "stopReason": stop_reason,
        "usage": {"inputTokens": 900, "outputTokens": 40, "totalTokens": 940},
        "metrics": {"latencyMs": 800},
    }


@pytest.fixture
def model() -> Iterator[Model]:
    client = boto3.client(
        "bedrock-runtime", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    found = Model(client, Stubber(client))

    def record(params: dict[str, Any], **_: Any) -> None:
        found.requests.append(copy.deepcopy(params))

    client.meta.events.register("provide-client-params.bedrock-runtime.Converse", record)
    with found.stubber:
        yield found
        found.stubber.assert_no_pending_responses()


@pytest.fixture
def ana(world: World) -> CustomerId:
    return world.customer("ana@example.com", "Ana", "Lima")


@pytest.fixture
def tools(world: World, ana: CustomerId) -> Tools:
    return Tools(UseCaseTools(world.container, ana))


def run(
    world: World, reasoner: Reasoner, tools: Tools, instruction: str, max_steps: int = 6
) -> DataRequestResult:
    use_case = RunDataRequest(reasoner, world.clock, world.container.policy(), max_steps)
    return use_case(DataRequestCommand(instruction), tools)


def rules(world: World) -> RuleBasedReasoner:
    return RuleBasedReasoner(world.clock, world.container.policy().park.timezone)


def test_payments_are_never_offered_and_account_changes_only_with_leave() -> None:
    without = {spec.name for spec in offered_tools(TOOL_SPECS, allow_account_changes=False)}
    allowed = {spec.name for spec in offered_tools(TOOL_SPECS, allow_account_changes=True)}

    assert without == {spec.name for spec in TOOL_SPECS} - {"record_payment", "update_customer"}
    assert allowed == without | {"update_customer"}


def test_a_card_number_never_reaches_the_model_while_ids_stay_whole(
    world: World, tools: Tools, model: Model
) -> None:
    order = "00000000-0000-0000-0000-000000000005"  # its digit groups pass the Luhn check
    model.stop("end_turn", "I cannot take card details.")

    run(world, BedrockConverseReasoner(model.client), tools, f"Pay {order} with 4242424242424242")

    [sent] = model.requests[0]["messages"][0]["content"]
    assert sent == {"text": f"Pay {order} with [card number removed]"}


def test_a_model_that_stops_without_an_answer_or_a_call_is_unavailable(
    world: World, tools: Tools, model: Model
) -> None:
    model.stop("content_filtered")

    with pytest.raises(ReasoningUnavailableError) as unavailable:
        run(world, BedrockConverseReasoner(model.client), tools, "list my tickets")

    assert unavailable.value.code == "reasoning_unavailable"


def test_a_model_that_stops_after_a_refusal_answers_with_the_refusals_own_words(
    world: World, tools: Tools, model: Model
) -> None:
    model.tool_use("get_ticket", {"ticket": "TKT-99999999"})
    model.stop("guardrail_intervened")

    result = run(world, BedrockConverseReasoner(model.client), tools, "look up TKT-99999999")

    assert [(call.tool, call.ok, call.code) for call in result.calls] == [
        ("get_ticket", False, "ticket_not_found")
    ]
    assert result.answer.startswith("Sorry, we could not find that ticket on your account.")


def test_a_model_that_stops_after_a_success_says_it_could_not_finish(
    world: World, tools: Tools, model: Model
) -> None:
    model.tool_use("list_tickets", {})
    model.stop("malformed_model_output")

    result = run(world, BedrockConverseReasoner(model.client), tools, "list my tickets")

    assert result.answer == UNFINISHED
    assert result.data == {"tickets": []}


def test_the_steps_are_bounded_and_the_calls_made_are_reported(
    world: World, tools: Tools, model: Model
) -> None:
    model.tool_use("find_customer", {})
    model.tool_use("list_tickets", {})

    result = run(world, BedrockConverseReasoner(model.client), tools, "everything", max_steps=2)

    assert result.answer == TOO_MANY_STEPS
    assert [call.tool for call in result.calls] == ["find_customer", "list_tickets"]
    assert result.data == {"tickets": []}


def test_an_empty_answer_after_a_refusal_is_the_refusals_words(
    world: World, tools: Tools, model: Model
) -> None:
    model.tool_use("check_eligibility", {"ticket": "TKT-99999999"})
    model.stubber.add_response("converse", _response([], "end_turn"))

    result = run(world, BedrockConverseReasoner(model.client), tools, "can TKT-99999999 upgrade")

    assert result.answer.startswith("Sorry, we could not find that ticket")


def test_requests_for_a_person_are_not_promised_a_hand_over(world: World, tools: Tools) -> None:
    result = run(world, rules(world), tools, "I want a refund for my ticket")

    assert result == DataRequestResult(FOR_A_PERSON, (), None)


@pytest.mark.parametrize(
    ("instruction", "code"),
    [("  ", "empty_instruction"), ("x" * (MAX_INSTRUCTION_CHARS + 1), "instruction_too_long")],
)
def test_an_empty_or_too_long_instruction_is_refused(
    world: World, tools: Tools, instruction: str, code: str
) -> None:
    with pytest.raises(InvalidInputError) as refused:
        run(world, rules(world), tools, instruction)

    assert refused.value.code == code
    assert tools.inner.calls == []
