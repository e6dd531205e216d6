"""Health, keys, metrics, the schema, request ids and rate limiting."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

import jwt
import pytest
from litestar.testing import TestClient

from domain.tiers import Tier
from tests.builders import CARDS, World
from tests.e2e.api import Api, assert_problem, pay, quote


def metric(text: str, name: str, **labels: str) -> float:
    """The value of one sample of the Prometheus text exposition (0 when absent)."""
    for line in text.splitlines():
        if line.startswith("#") or not line.startswith(name + "{"):
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', line[: line.rindex("}") + 1]))
        if all(found.get(key) == value for key, value in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


# -- health, keys and schema -----------------------------------------------------------------


def test_health_answers_without_a_token(client: TestClient[Any], world: World) -> None:
    response = client.get("/api/health")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["profile"] == "memory"
    assert body["version"]
    assert datetime.fromisoformat(body["time"]) == world.clock.now()


def test_the_jwks_publishes_only_the_public_key_that_verifies_our_tokens(
    client: TestClient[Any], world: World
) -> None:
    world.customer("ana@example.com")
    token = world.token("ana@example.com")

    response = client.get("/.well-known/jwks.json")

    assert response.status_code == 200
    [key] = response.json()["keys"]
    assert (key["kty"], key["alg"], key["use"]) == ("RSA", "RS256", "sig")
    assert not {"d", "p", "q", "dp", "dq", "qi"} & key.keys()
    assert jwt.get_unverified_header(token)["kid"] == key["kid"]
    claims = jwt.decode(
        token,
        jwt.PyJWK(key).key,
        algorithms=["RS256"],
        audience="tap-web",
        options={"verify_exp": False},
    )
    assert claims["email"] == "ana@example.com"


def test_the_openapi_document_describes_every_endpoint_and_the_bearer_scheme(
    client: TestClient[Any],
) -> None:
    response = client.get("/schema/openapi.json")

    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    paths = document["paths"]
    for path, method in [
        ("/api/health", "get"),
        ("/api/auth/register", "post"),
        ("/api/auth/login", "post"),
        ("/.well-known/jwks.json", "get"),
        ("/api/me", "get"),
        ("/api/me", "patch"),
        ("/api/tickets", "get"),
        ("/api/tickets/{ref}", "get"),
        ("/api/tickets/{ref}/eligibility", "get"),
        ("/api/tickets/{ref}/upgrade-options", "get"),
        ("/api/upgrades", "post"),
        ("/api/upgrades", "get"),
        ("/api/upgrades/{order_id}", "get"),
        ("/api/upgrades/{order_id}/payment", "post"),
        ("/api/upgrades/{order_id}/cancel", "post"),
    ]:
        assert method in paths.get(path, {}), (path, method)
    quote_params = {p["name"] for p in paths["/api/upgrades"]["post"].get("parameters", [])}
    assert "Idempotency-Key" in quote_params
    scheme = document["components"]["securitySchemes"]["bearer"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")


# -- request ids -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/health"),
        ("GET", "/api/me"),
        ("GET", "/api/nothing"),
        ("DELETE", "/api/health"),
        ("GET", "/metrics"),
        ("GET", "/schema/openapi.json"),
        ("POST", "/api/auth/login"),
    ],
)
def test_every_response_carries_a_fresh_request_id(
    client: TestClient[Any], method: str, path: str
) -> None:
    first = client.request(method, path)
    second = client.request(method, path)

    assert first.headers["x-request-id"]
    assert first.headers["x-request-id"] != second.headers["x-request-id"]


def test_a_sane_incoming_request_id_is_echoed_in_the_header_and_the_problem(
    client: TestClient[Any],
) -> None:
    incoming = "edge-7f3a.42:retry_1"

    ok = client.get("/api/health", headers={"X-Request-ID": incoming})
    refused = client.get("/api/me", headers={"X-Request-ID": incoming})

    assert ok.headers["x-request-id"] == incoming
    assert refused.headers["x-request-id"] == incoming
    assert refused.json()["request_id"] == incoming


@pytest.mark.parametrize(
    "incoming", ["x" * 65, "has space", "<script>alert(1)</script>", "semi;colon", ""]
)
def test_an_unreasonable_incoming_request_id_is_replaced(
    client: TestClient[Any], incoming: str
) -> None:
    response = client.get("/api/me", headers={"X-Request-ID": incoming})

    assigned = response.headers["x-request-id"]
    assert assigned
    assert assigned != incoming
    assert re.fullmatch(r"[A-Za-z0-9._:-]{1,64}", assigned)
    assert response.json()["request_id"] == assigned
    if incoming:
        assert incoming not in response.text


# -- metrics ---------------------------------------------------------------------------------


def test_metrics_count_requests_by_route_template_and_payments_by_outcome(
    client: TestClient[Any], world: World
) -> None:
    ana = world.customer("ana@example.com")
    headers = world.auth("ana@example.com")
    first = quote(client, headers, world.ticket(ana).number.value, "standard", world.day(5))
    second = world.quote(ana, world.ticket(ana), Tier.NON_STOP, world.day(6))
    pay(client, headers, first.json()["id"], CARDS["success"])
    pay(client, headers, str(second.id), CARDS["card_declined"])
    pay(client, headers, str(second.id), CARDS["processing_error"])
    client.get("/api/health")

    response = client.get("/metrics")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert "# TYPE tap_http_requests_total counter" in text
    assert metric(text, "tap_http_requests_total", route="/api/health", status="200") >= 1
    payment_route = "/api/upgrades/{order_id}/payment"
    for status in ("200", "402", "503"):
        assert metric(text, "tap_http_requests_total", route=payment_route, status=status) == 1
    assert metric(text, "tap_http_requests_total", route="/api/upgrades", status="201") == 1
    assert metric(text, "tap_payments_total", outcome="succeeded") == 1
    assert metric(text, "tap_payments_total", outcome="declined", code="card_declined") == 1
    assert metric(text, "tap_payments_total", outcome="unavailable") == 1
    # Routes are templates, never raw paths: no ids in the labels.
    assert first.json()["id"] not in text
    assert str(second.id) not in text
    assert CARDS["success"] not in text


def test_metrics_count_status_codes_of_refused_requests(client: TestClient[Any]) -> None:
    client.get("/api/me")
    client.get("/api/nowhere")

    text = client.get("/metrics").text

    assert metric(text, "tap_http_requests_total", status="401") >= 1
    assert metric(text, "tap_http_requests_total", route="unmatched", status="404") >= 1


# -- rate limiting ---------------------------------------------------------------------------


def test_a_client_over_its_burst_gets_429_problems_with_retry_after(
    make_api: Callable[..., Api],
) -> None:
    api = make_api(rate_limit_per_minute=60, rate_limit_burst=3)

    answers = [api.client.get("/api/tickets") for _ in range(4)]

    assert [a.status_code for a in answers[:3]] == [401, 401, 401]
    refused = answers[3]
    body = assert_problem(refused, 429, "too_many_requests")
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert body["guidance"]


def test_health_and_metrics_are_never_rate_limited(make_api: Callable[..., Api]) -> None:
    api = make_api(rate_limit_per_minute=60, rate_limit_burst=3)
    for _ in range(3):
        api.client.get("/api/tickets")
    assert api.client.get("/api/tickets").status_code == 429

    assert all(api.client.get("/api/health").status_code == 200 for _ in range(10))
    assert all(api.client.get("/metrics").status_code == 200 for _ in range(10))


def test_without_a_rate_limit_a_burst_is_served(client: TestClient[Any]) -> None:
    assert all(client.get("/api/tickets").status_code == 401 for _ in range(30))
