"""The Bedrock Converse reasoner on a real boto3 `bedrock-runtime` client, offline: botocore's
Stubber checks every request against the expected parameters and the service model, and
validates the stubbed responses (which carry usage, metrics and a stop reason, as Bedrock's do).
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import date
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.stub import Stubber

from adapters.reasoning.bedrock_converse import DEFAULT_MODEL_ID, BedrockConverseReasoner
from application.ports.reasoning import (
    Message,
    ReasoningUnavailableError,
    StopReason,
    ToolCall,
    ToolResult,
    ToolSpec,
)

SYSTEM = "You are the Ticket Agent of Sunny Park."
GET_TICKET = ToolSpec(
    "get_ticket",
    "One ticket and its eligibility.",
    {"type": "object", "properties": {"ticket": {"type": "string"}}, "required": ["ticket"]},
)
QUOTE = ToolSpec(
    "quote_upgrade",
    "Hold an upgrade.",
    {
        "type": "object",
        "properties": {
            "ticket": {"type": "string"},
            "tier": {"type": "string", "enum": ["standard", "non-stop", "double-fun"]},
            "date": {"type": "string", "format": "date"},
        },
        "required": ["ticket", "tier", "date"],
    },
)
TOOLS = (GET_TICKET, QUOTE)
TOOL_CONFIG = {
    "tools": [
        {
            "toolSpec": {
                "name": "get_ticket",
                "description": "One ticket and its eligibility.",
                "inputSchema": {"json": GET_TICKET.input_schema},
            }
        },
        {
            "toolSpec": {
                "name": "quote_upgrade",
                "description": "Hold an upgrade.",
                "inputSchema": {"json": QUOTE.input_schema},
            }
        },
    ]
}
INFERENCE = {"maxTokens": 1024, "temperature": 0.2}


def bedrock_client(**config: Any) -> Any:
    return boto3.client(
        "bedrock-runtime",
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
        **config,
    )


def converse_response(content: list[dict[str, Any]], stop_reason: str) -> dict[str, Any]:
    """A Converse response as Bedrock sends it (Nova Pro's token counts and latency)."""
    return {
        "output": {"message": {"role": "assistant", "content": content}},
        "stopReason": stop_reason,
        "usage": {"inputTokens": 1187, "outputTokens": 96, "totalTokens": 1283},
        "metrics": {"latencyMs": 1342},
    }


def expected_request(messages: list[dict[str, Any]], tools: bool = True) -> dict[str, Any]:
    request: dict[str, Any] = {
        "modelId": DEFAULT_MODEL_ID,
        "messages": messages,
        "system": [{"text": SYSTEM}],
        "inferenceConfig": INFERENCE,
    }
    if tools:
        request["toolConfig"] = TOOL_CONFIG
    return request


@pytest.fixture
def client() -> Any:
    return bedrock_client()


@pytest.fixture
def stubber(client: Any) -> Iterator[Stubber]:
    with Stubber(client) as stub:
        yield stub
        stub.assert_no_pending_responses()


@pytest.fixture
def reasoner(client: Any) -> BedrockConverseReasoner:
    return BedrockConverseReasoner(client)


def test_a_tool_use_answer_becomes_tool_calls(
    stubber: Stubber, reasoner: BedrockConverseReasoner
) -> None:
    stubber.add_response(
        "converse",
        converse_response(
            [
                {"text": "<thinking>I need the ticket first.</thinking>"},
                {
                    "toolUse": {
                        "toolUseId": "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q",
                        "name": "get_ticket",
                        "input": {"ticket": "TKT-00000001"},
                    }
                },
            ],
            "tool_use",
        ),
        expected_request([{"role": "user", "content": [{"text": "Can I upgrade TKT-00000001?"}]}]),
    )
    reply = reasoner.reply(SYSTEM, [Message("user", "Can I upgrade TKT-00000001?")], TOOLS)
    assert reply.stop_reason is StopReason.TOOL_USE
    assert reply.tool_calls == (
        ToolCall("tooluse_kZJMlvQmRJ6eAyJE5GIl7Q", "get_ticket", {"ticket": "TKT-00000001"}),
    )
    assert reply.text == ""  # the model's thinking aloud is not for the customer
    assert reply.confidence == 0.9


def test_tool_calls_and_results_are_sent_back_as_tool_use_and_tool_result_blocks(
    stubber: Stubber, reasoner: BedrockConverseReasoner
) -> None:
    call = ToolCall("tooluse_1", "get_ticket", {"ticket": "TKT-00000001"})
    refused = ToolCall("tooluse_2", "quote_upgrade", {"ticket": "TKT-00000001", "tier": "vip"})
    messages = [
        Message("user", "Hi"),
        Message("assistant", "Hello! How can I help?"),
        Message("user", "Upgrade TKT-00000001 to VIP on Dec 5"),
        Message("assistant", "Let me check.", tool_calls=(call, refused)),
        Message(
            "user",
            tool_results=(
                ToolResult("tooluse_1", {"number": "TKT-00000001", "tier": "general"}),
                ToolResult(
                    "tooluse_2",
                    "'vip' is not a tier.",
                    is_error=True,
                    code="invalid_tier",
                ),
            ),
        ),
    ]
    stubber.add_response(
        "converse",
        converse_response([{"text": "VIP is our Double Fun tier. Shall I hold it?"}], "end_turn"),
        expected_request(
            [
                {"role": "user", "content": [{"text": "Hi"}]},
                {"role": "assistant", "content": [{"text": "Hello! How can I help?"}]},
                {"role": "user", "content": [{"text": "Upgrade TKT-00000001 to VIP on Dec 5"}]},
                {
                    "role": "assistant",
                    "content": [
                        {"text": "Let me check."},
                        {
                            "toolUse": {
                                "toolUseId": "tooluse_1",
                                "name": "get_ticket",
                                "input": {"ticket": "TKT-00000001"},
                            }
                        },
                        {
                            "toolUse": {
                                "toolUseId": "tooluse_2",
                                "name": "quote_upgrade",
                                "input": {"ticket": "TKT-00000001", "tier": "vip"},
                            }
                        },
                    ],
                },
                {
                    "role": "user",
                    "content": [
                        {
                            "toolResult": {
                                "toolUseId": "tooluse_1",
                                "content": [
                                    {"json": {"number": "TKT-00000001", "tier": "general"}}
                                ],
                                "status": "success",
                            }
                        },
                        {
                            "toolResult": {
                                "toolUseId": "tooluse_2",
                                "content": [
                                    {
                                        "json": {
                                            "code": "invalid_tier",
                                            "message": "'vip' is not a tier.",
                                        }
                                    }
                                ],
                                "status": "error",
                            }
                        },
                    ],
                },
            ]
        ),
    )
    reply = reasoner.reply(SYSTEM, messages, TOOLS)
    assert reply.stop_reason is StopReason.END_TURN
    assert reply.text == "VIP is our Double Fun tier. Shall I hold it?"
    assert reply.tool_calls == ()


def test_messages_are_shaped_for_converse(
    stubber: Stubber, reasoner: BedrockConverseReasoner
) -> None:
    # Converse wants alternating roles opening with the user, and no blank text blocks.
    messages = [
        Message("assistant", "Welcome back!"),
        Message("user", "Hi"),
        Message("user", "   "),
        Message("user", "TKT-00000001"),
        Message("assistant", "Which tier?"),
        Message("user", tool_results=(ToolResult("t1", ["a", "list"]),)),
    ]
    stubber.add_response(
        "converse",
        converse_response([{"text": "Done."}], "stop_sequence"),
        expected_request(
            [
                {"role": "user", "content": [{"text": "Hi"}, {"text": "TKT-00000001"}]},
                {"role": "assistant", "content": [{"text": "Which tier?"}]},
                {
                    "role": "user",
                    "content": [
                        {
                            "toolResult": {
                                "toolUseId": "t1",
                                "content": [{"json": {"result": ["a", "list"]}}],
                                "status": "success",
                            }
                        }
                    ],
                },
            ],
            tools=False,
        ),
    )
    reply = reasoner.reply(SYSTEM, messages, ())
    assert reply.stop_reason is StopReason.END_TURN


def test_an_answer_cut_short_is_marked_and_less_sure(
    stubber: Stubber, reasoner: BedrockConverseReasoner
) -> None:
    stubber.add_response(
        "converse",
        converse_response(
            [{"text": "Non-stop includes unlimited express lanes and"}], "max_tokens"
        ),
        expected_request([{"role": "user", "content": [{"text": "What is Non-stop?"}]}]),
    )
    reply = reasoner.reply(SYSTEM, [Message("user", "What is Non-stop?")], TOOLS)
    assert reply.stop_reason is StopReason.MAX_TOKENS
    assert reply.text == "Non-stop includes unlimited express lanes and"
    assert reply.confidence == 0.4


@pytest.mark.parametrize(
    ("stop_reason", "content"),
    [
        ("guardrail_intervened", [{"text": "Sorry, I can't help with that."}]),
        ("content_filtered", [{"text": ""}]),
        ("malformed_tool_use", [{"text": "<thinking>calling</thinking>"}]),
        ("tool_use", [{"text": "I will call a tool."}]),  # but names none
    ],
)
def test_refused_filtered_or_malformed_answers_are_not_answers(
    stubber: Stubber,
    reasoner: BedrockConverseReasoner,
    stop_reason: str,
    content: list[dict[str, Any]],
) -> None:
    stubber.add_response("converse", converse_response(content, stop_reason))
    reply = reasoner.reply(SYSTEM, [Message("user", "hello")], TOOLS)
    assert reply.stop_reason is StopReason.OTHER
    assert reply.confidence <= 0.1
    assert reply.tool_calls == ()


def test_model_and_inference_settings_are_sent(client: Any) -> None:
    reasoner = BedrockConverseReasoner(
        client, model_id="amazon.nova-lite-v1:0", max_tokens=300, temperature=0.0
    )
    with Stubber(client) as stub:
        stub.add_response(
            "converse",
            converse_response([{"text": "Hi!"}], "end_turn"),
            {
                "modelId": "amazon.nova-lite-v1:0",
                "messages": [{"role": "user", "content": [{"text": "hello"}]}],
                "inferenceConfig": {"maxTokens": 300, "temperature": 0.0},
            },
        )
        assert reasoner.reply("", [Message("user", "hello")], ()).text == "Hi!"


@pytest.mark.parametrize("name", ["get ticket", "get.ticket", "", "x" * 65, "tickets/get"])
def test_tool_names_converse_refuses_are_rejected_before_any_request(
    stubber: Stubber, reasoner: BedrockConverseReasoner, name: str
) -> None:
    tool = ToolSpec(name, "A tool.", {"type": "object", "properties": {}})
    with pytest.raises(ValueError, match="not accepted by Converse"):
        reasoner.reply(SYSTEM, [Message("user", "hi")], (tool,))


def test_a_tool_without_a_description_or_schema_is_still_described(
    stubber: Stubber, reasoner: BedrockConverseReasoner
) -> None:
    tool = ToolSpec("list_tickets", "", {})
    stubber.add_response(
        "converse",
        converse_response([{"text": "ok"}], "end_turn"),
        {
            "modelId": DEFAULT_MODEL_ID,
            "messages": [{"role": "user", "content": [{"text": "hi"}]}],
            "system": [{"text": SYSTEM}],
            "inferenceConfig": INFERENCE,
            "toolConfig": {
                "tools": [
                    {
                        "toolSpec": {
                            "name": "list_tickets",
                            "description": "The list_tickets tool.",
                            "inputSchema": {"json": {"type": "object", "properties": {}}},
                        }
                    }
                ]
            },
        },
    )
    reasoner.reply(SYSTEM, [Message("user", "hi")], (tool,))


# -- failures ---------------------------------------------------------------------------------

SECRET = "my name is Ana and my ticket is TKT-00000042"


@pytest.mark.parametrize(
    ("code", "status", "words", "retry_after"),
    [
        ("ThrottlingException", 429, "busy or failing (ThrottlingException)", 10),
        ("ServiceUnavailableException", 503, "busy or failing (ServiceUnavailableException)", 10),
        ("InternalServerException", 500, "busy or failing (InternalServerException)", 10),
        ("ModelTimeoutException", 408, "busy or failing (ModelTimeoutException)", 10),
        ("AccessDeniedException", 403, "refused the request (AccessDeniedException)", 60),
        ("ValidationException", 400, "refused the request (ValidationException)", 60),
    ],
)
def test_service_errors_make_the_reasoner_unavailable_without_quoting_the_prompt(
    stubber: Stubber,
    reasoner: BedrockConverseReasoner,
    code: str,
    status: int,
    words: str,
    retry_after: int,
) -> None:
    # Bedrock's own messages may quote the input: ours never carry it.
    stubber.add_client_error(
        "converse",
        service_error_code=code,
        service_message=f"Input rejected: {SECRET}",
        http_status_code=status,
    )
    with pytest.raises(ReasoningUnavailableError) as raised:
        reasoner.reply(SYSTEM, [Message("user", SECRET)], TOOLS)
    error = raised.value
    assert error.code == "reasoning_unavailable"
    assert words in error.message
    assert "Ana" not in error.message
    assert "TKT-00000042" not in error.message
    assert error.retry_after == retry_after


def test_an_unknown_5xx_is_also_unavailable(
    stubber: Stubber, reasoner: BedrockConverseReasoner
) -> None:
    stubber.add_client_error(
        "converse", service_error_code="BadGateway", service_message="", http_status_code=502
    )
    with pytest.raises(ReasoningUnavailableError, match=r"busy or failing \(BadGateway\)"):
        reasoner.reply(SYSTEM, [Message("user", "hi")], TOOLS)


def test_a_request_botocore_refuses_to_send_is_unavailable_without_quoting_it() -> None:
    reasoner = BedrockConverseReasoner(bedrock_client())  # validated before anything is sent
    # A tool result that is not JSON (a date object): botocore refuses the document locally,
    # and its message would quote the values.
    messages = [
        Message("user", SECRET),
        Message(
            "assistant", tool_calls=(ToolCall("t1", "get_ticket", {"ticket": "TKT-00000042"}),)
        ),
        Message(
            "user",
            tool_results=(
                ToolResult("t1", {"number": "TKT-00000042", "visit": date(2026, 3, 30)}),
            ),
        ),
    ]
    with pytest.raises(ReasoningUnavailableError) as raised:
        reasoner.reply(SYSTEM, messages, TOOLS)
    assert "malformed" in raised.value.message
    assert "TKT-00000042" not in raised.value.message
    assert "Ana" not in raised.value.message


def test_an_unreachable_endpoint_is_unavailable() -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = bedrock_client(
        endpoint_url=f"http://127.0.0.1:{port}",
        config=Config(retries={"total_max_attempts": 1}, connect_timeout=2, read_timeout=2),
    )
    reasoner = BedrockConverseReasoner(client)
    with pytest.raises(
        ReasoningUnavailableError, match=r"could not be reached \(EndpointConnectionError\)"
    ):
        reasoner.reply(SYSTEM, [Message("user", "hi")], TOOLS)


def test_a_response_without_a_message_is_unavailable(reasoner: BedrockConverseReasoner) -> None:
    class Broken:
        def converse(self, **_: Any) -> dict[str, Any]:
            return {"stopReason": "end_turn", "usage": {}, "metrics": {}}

    with pytest.raises(ReasoningUnavailableError, match="malformed"):
        BedrockConverseReasoner(Broken()).reply(SYSTEM, [Message("user", "hi")], TOOLS)


def test_settings_are_checked_when_built(client: Any) -> None:
    with pytest.raises(ValueError, match="model id"):
        BedrockConverseReasoner(client, model_id=" ")
    with pytest.raises(ValueError, match="temperature"):
        BedrockConverseReasoner(client, temperature=1.5)
    with pytest.raises(ValueError, match="max_tokens"):
        BedrockConverseReasoner(client, max_tokens=0)
