"""What every error answer looks like: RFC 9457 problem JSON, never a stack trace."""

from __future__ import annotations

from typing import Any

from dependency_injector import providers
from litestar.testing import TestClient

from infra.container import Container
from tests.builders import World
from tests.e2e.api import assert_problem, quote_body


def test_an_unknown_address_is_a_404_problem(
    client: TestClient[Any], headers: dict[str, str]
) -> None:
    for path in ("/api/nothing-here", "/nothing", "/api/tickets/TKT-00000001/refund"):
        assert_problem(client.get(path, headers=headers), 404, "not_found")


def test_a_method_a_route_does_not_have_is_a_405_problem(
    client: TestClient[Any], headers: dict[str, str]
) -> None:
    assert_problem(client.delete("/api/me", headers=headers), 405, "method_not_allowed")
    assert_problem(client.put("/api/upgrades", headers=headers, json={}), 405, "method_not_allowed")


def test_a_body_over_64_kib_is_refused_as_a_problem(
    client: TestClient[Any], world: World, headers: dict[str, str]
) -> None:
    body = {**quote_body("TKT-00000001", "standard", world.day(5)), "padding": "x" * 70_000}

    response = client.post("/api/upgrades", json=body, headers=headers)

    assert_problem(response, 413, "request_too_large")
    assert client.get("/api/upgrades", headers=headers).json() == []


def test_a_body_that_is_not_json_by_content_type_is_refused(
    client: TestClient[Any], world: World, headers: dict[str, str]
) -> None:
    world.ticket(world.customer("ben@example.com"))

    response = client.post(
        "/api/upgrades",
        content=b"ticket=TKT-00000001&tier=standard&date=2026-03-15",
        headers={**headers, "Content-Type": "application/x-www-form-urlencoded"},
    )

    assert response.status_code in {400, 415}, response.text
    assert_problem(response, response.status_code, response.json()["code"])
    assert client.get("/api/upgrades", headers=headers).json() == []


def test_an_unexpected_failure_is_a_generic_500_problem_that_reveals_nothing(
    client: TestClient[Any], container: Container, headers: dict[str, str]
) -> None:
    def broken(*_: Any) -> Any:
        raise RuntimeError("connection to db at 10.0.0.7 failed: password=hunter2")

    container.list_my_tickets.override(providers.Object(broken))
    try:
        response = client.get("/api/tickets", headers=headers)
    finally:
        container.list_my_tickets.reset_override()

    body = assert_problem(response, 500, "internal_error")
    for secret in ("hunter2", "10.0.0.7", "RuntimeError", "list_my_tickets", ".py"):
        assert secret not in response.text
    assert body["guidance"]
    # The next request is served normally.
    assert client.get("/api/tickets", headers=headers).status_code == 200


def test_a_business_error_names_its_code_in_its_type_and_guides_the_customer(
    client: TestClient[Any], world: World, headers: dict[str, str]
) -> None:
    response = client.post(
        "/api/upgrades", json=quote_body("TKT-99999999", "standard", world.day(5)), headers=headers
    )

    body = assert_problem(response, 404, "ticket_not_found")
    assert body["type"] == "/problems/ticket_not_found"
    assert body["title"] == "Not Found"
    assert "TKT-" in body["guidance"]


def test_a_validation_error_lists_each_bad_field_without_the_values_sent(
    client: TestClient[Any], headers: dict[str, str]
) -> None:
    body = {"ticket": "TKT-00000001", "tier": 42, "date": "31/12/2026", "secret": "s3cr3t-value"}

    response = client.post("/api/upgrades", json=body, headers=headers)

    problem = assert_problem(response, 400, "invalid_request")
    fields = {error["field"] for error in problem["errors"]}
    assert {"tier", "date", "secret"} <= fields
    assert all(error["message"] for error in problem["errors"])
    for value in ("31/12/2026", "s3cr3t-value"):
        assert value not in response.text
