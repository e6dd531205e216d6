"""The chat Lambda: a real API Gateway (REST, proxy) event in, `invoke_agent_runtime` out
(through botocore's Stubber, which checks the request against the service model), the
runtime's answer passed back; refusals as problem JSON."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.response import StreamingBody
from botocore.stub import Stubber

from adapters.agentcore.runtime_invoker import AgentCoreRuntimeInvoker
from entrypoints.lambda_.chat import make_handler

ARN = "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/ticket_agent-AbCdEf1234"
SESSION = "sess-" + "3f" * 16
TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbmEifQ.c2lnbmF0dXJl"
ANSWER = {
    "session_id": SESSION,
    "response_text": "Your ticket TKT-00012345 can go to Non-stop.",
    "actions": [],
    "next_steps": ["Choose a tier and a date from the calendar, and I will hold it for you."],
    "confidence_score": 0.9,
    "escalated": False,
}


def api_gateway_event(body: dict[str, Any] | str, token: str | None = TOKEN) -> dict[str, Any]:
    """The shape API Gateway's REST API sends a proxy Lambda (trimmed of nothing it reads)."""
    headers = {"Content-Type": "application/json", "Host": "api.funland.example"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return {
        "resource": "/api/chat",
        "path": "/api/chat",
        "httpMethod": "POST",
        "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": None,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": "/api/chat",
            "httpMethod": "POST",
            "stage": "prod",
            "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
            "authorizer": {"claims": {"sub": "ana", "token_use": "access"}},
            "identity": {"sourceIp": "203.0.113.7"},
        },
        "body": body if isinstance(body, str) else json.dumps(body),
        "isBase64Encoded": False,
    }


def streaming(body: dict[str, Any]) -> StreamingBody:
    raw = json.dumps(body).encode()
    return StreamingBody(io.BytesIO(raw), len(raw))


@pytest.fixture
def client() -> Any:
    return boto3.client(
        "bedrock-agentcore",
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@pytest.fixture
def stubber(client: Any) -> Iterator[Stubber]:
    with Stubber(client) as stub:
        yield stub
        stub.assert_no_pending_responses()


def handler_for(client: Any) -> Any:
    return make_handler(lambda: AgentCoreRuntimeInvoker(client, ARN))


def expected_request(payload: dict[str, Any], session: str | None) -> dict[str, Any]:
    request = {
        "agentRuntimeArn": ARN,
        "qualifier": "DEFAULT",
        "payload": json.dumps(payload).encode(),
        "contentType": "application/json",
        "accept": "application/json",
    }
    if session:
        request["runtimeSessionId"] = session
    return request


def test_a_message_goes_to_the_runtime_with_the_session_as_the_runtime_session_id(
    client: Any, stubber: Stubber
) -> None:
    stubber.add_response(
        "invoke_agent_runtime",
        {
            "response": streaming(ANSWER),
            "statusCode": 200,
            "contentType": "application/json",
            "runtimeSessionId": SESSION,
        },
        expected_request({"message": "upgrade TKT-00012345", "access_token": TOKEN}, SESSION),
    )

    response = handler_for(client)(
        api_gateway_event({"message": "upgrade TKT-00012345", "session_id": SESSION}), None
    )

    assert response["statusCode"] == 200
    assert json.loads(response["body"]) == ANSWER
    assert response["headers"]["Content-Type"] == "application/json"


def test_a_new_conversation_lets_the_runtime_choose_the_session(
    client: Any, stubber: Stubber
) -> None:
    encoded = base64.b64encode(json.dumps({"message": "hello"}).encode()).decode()
    event = api_gateway_event(encoded) | {"isBase64Encoded": True}
    stubber.add_response(
        "invoke_agent_runtime",
        {"response": streaming(ANSWER), "statusCode": 200, "contentType": "application/json"},
        expected_request({"message": "hello", "access_token": TOKEN}, None),
    )

    assert handler_for(client)(event, None)["statusCode"] == 200


def test_the_runtimes_refusal_is_passed_on_with_its_status(client: Any, stubber: Stubber) -> None:
    refusal = {
        "error": {
            "code": "conversation_not_found",
            "message": "There is no such conversation.",
            "guidance": "",
        }
    }
    stubber.add_response(
        "invoke_agent_runtime",
        {"response": streaming(refusal), "statusCode": 404, "contentType": "application/json"},
    )

    response = handler_for(client)(
        api_gateway_event({"message": "hi", "session_id": SESSION}), None
    )

    assert response["statusCode"] == 404
    assert json.loads(response["body"]) == refusal


@pytest.mark.parametrize("code", ["ThrottlingException", "InternalServerException"])
def test_a_runtime_that_cannot_answer_is_a_503_problem_with_retry_after(
    client: Any, stubber: Stubber, code: str
) -> None:
    stubber.add_client_error("invoke_agent_runtime", service_error_code=code, http_status_code=500)

    response = handler_for(client)(api_gateway_event({"message": "hi"}), None)

    assert response["statusCode"] == 503
    assert response["headers"]["Content-Type"] == "application/problem+json"
    assert int(response["headers"]["Retry-After"]) > 0
    assert json.loads(response["body"])["code"] == "agent_unavailable"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("not json", "invalid_request"),
        ({"text": "hi"}, "invalid_request"),
        ({"message": 42}, "invalid_request"),
        ({"message": "hi", "session_id": "sess-nope"}, "invalid_session_id"),
    ],
)
def test_a_bad_request_is_refused_before_the_runtime_is_called(
    client: Any, stubber: Stubber, body: Any, code: str
) -> None:
    response = handler_for(client)(api_gateway_event(body), None)

    assert response["statusCode"] == 400
    problem = json.loads(response["body"])
    assert (problem["status"], problem["code"]) == (400, code)


def test_without_a_token_nothing_is_invoked(client: Any, stubber: Stubber) -> None:
    response = handler_for(client)(api_gateway_event({"message": "hi"}, token=None), None)

    assert response["statusCode"] == 401
    assert TOKEN not in response["body"]
