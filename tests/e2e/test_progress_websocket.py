"""WS /api/upgrades/{id}/events: an order's progress, live, for its owner only."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from litestar.exceptions import WebSocketDisconnect
from litestar.testing import TestClient, WebSocketTestSession

from adapters.clock import FixedClock
from domain.tiers import Tier
from infra.container import Container
from infra.settings import Settings
from tests.builders import CARDS, World
from tests.e2e.api import pay, quote, signed_token

WAIT = 5.0  # seconds; a message that has not come by then is not coming


@pytest.fixture
def order(client: TestClient[Any], world: World, ana: Any, headers: dict[str, str]) -> Any:
    ticket = world.ticket(ana)
    response = quote(client, headers, ticket.number.value, "double-fun", world.day(5))
    assert response.status_code == 201
    return response.json()


def events_url(order_id: str, token: str | None = None) -> str:
    url = f"/api/upgrades/{order_id}/events"
    return f"{url}?access_token={token}" if token else url


def next_event(socket: WebSocketTestSession) -> dict[str, Any]:
    message: dict[str, Any] = socket.receive_json(timeout=WAIT)
    assert message["type"] == "event", message
    return message


def test_the_first_message_is_a_snapshot_of_the_order_as_it_is(
    client: TestClient[Any], world: World, order: Any, headers: dict[str, str]
) -> None:
    with client.websocket_connect(events_url(order["id"], world.token("ana@example.com"))) as ws:
        snapshot = ws.receive_json(timeout=WAIT)

    assert snapshot["type"] == "snapshot"
    assert snapshot["order"] == client.get(f"/api/upgrades/{order['id']}", headers=headers).json()
    assert snapshot["order"]["status"] == "pending"


def test_a_payment_streams_processing_succeeded_confirmed_then_email_sent(
    client: TestClient[Any],
    world: World,
    container: Container,
    order: Any,
    headers: dict[str, str],
) -> None:
    with client.websocket_connect(events_url(order["id"], world.token("ana@example.com"))) as ws:
        assert ws.receive_json(timeout=WAIT)["type"] == "snapshot"

        paid = pay(client, headers, order["id"], CARDS["success"])
        assert paid.status_code == 200
        during = [next_event(ws) for _ in range(3)]

        container.dispatch_outbox()()
        emailed = next_event(ws)

    assert [e["event"] for e in during] == ["payment_processing", "payment_succeeded", "confirmed"]
    confirmed = during[-1]["order"]
    assert confirmed["status"] == "confirmed"
    assert confirmed["confirmation_code"] == paid.json()["confirmation_code"]
    assert confirmed["payment"] == {"brand": "visa", "last4": "4242"}
    assert all(e["order"]["id"] == order["id"] for e in during)
    assert all(e["at"] for e in during)
    assert emailed["event"] == "email_sent"
    assert emailed["order"]["email_status"] == "sent"
    assert CARDS["success"] not in str(during)


def test_a_declined_payment_streams_processing_then_declined(
    client: TestClient[Any], world: World, order: Any, headers: dict[str, str]
) -> None:
    with client.websocket_connect(events_url(order["id"], world.token("ana@example.com"))) as ws:
        ws.receive_json(timeout=WAIT)

        assert pay(client, headers, order["id"], CARDS["insufficient_funds"]).status_code == 402
        events = [next_event(ws) for _ in range(2)]

    assert [e["event"] for e in events] == ["payment_processing", "payment_declined"]
    after = events[-1]["order"]
    assert (after["status"], after["last_decline_code"]) == ("pending", "insufficient_funds")
    assert after["attempts_left"] == 2


def test_a_cancelled_quote_streams_cancelled(
    client: TestClient[Any], world: World, order: Any, headers: dict[str, str]
) -> None:
    with client.websocket_connect(events_url(order["id"], world.token("ana@example.com"))) as ws:
        ws.receive_json(timeout=WAIT)

        client.post(f"/api/upgrades/{order['id']}/cancel", headers=headers)
        cancelled = next_event(ws)

    assert cancelled["event"] == "cancelled"
    assert cancelled["order"]["status"] == "cancelled"


def test_reconnecting_after_the_payment_resumes_from_a_confirmed_snapshot(
    client: TestClient[Any], world: World, order: Any, headers: dict[str, str]
) -> None:
    code = pay(client, headers, order["id"]).json()["confirmation_code"]

    with client.websocket_connect(events_url(order["id"], world.token("ana@example.com"))) as ws:
        snapshot = ws.receive_json(timeout=WAIT)

    assert snapshot["type"] == "snapshot"
    assert snapshot["order"]["status"] == "confirmed"
    assert snapshot["order"]["confirmation_code"] == code


def test_the_token_may_also_come_in_the_authorization_header(
    client: TestClient[Any], order: Any, headers: dict[str, str]
) -> None:
    with client.websocket_connect(events_url(order["id"]), headers=headers) as ws:
        assert ws.receive_json(timeout=WAIT)["type"] == "snapshot"


def test_someone_elses_order_is_closed_with_4404_like_an_unknown_one(
    client: TestClient[Any], world: World, order: Any
) -> None:
    world.customer("mallory@example.com")
    token = world.token("mallory@example.com")
    closes = []

    for order_id in (order["id"], str(uuid.uuid4())):
        with (
            pytest.raises(WebSocketDisconnect) as closed,
            client.websocket_connect(events_url(order_id, token)),
        ):
            pass
        closes.append((closed.value.code, closed.value.detail))

    assert closes[0] == closes[1]
    assert closes[0][0] == 4404
    assert "TKT-" not in str(closes)


@pytest.mark.parametrize("token", [None, "not-a-token"], ids=["no-token", "bad-token"])
def test_an_unauthenticated_socket_is_closed_with_4401(
    client: TestClient[Any], order: Any, token: str | None
) -> None:
    with (
        pytest.raises(WebSocketDisconnect) as closed,
        client.websocket_connect(events_url(order["id"], token)),
    ):
        pass

    assert closed.value.code == 4401


def test_a_signed_in_identity_without_an_account_is_closed_with_4403(
    client: TestClient[Any],
    order: Any,
    app_settings: Settings,
    clock: FixedClock,
    signing_key: rsa.RSAPrivateKey,
) -> None:
    token = signed_token(client, app_settings, clock, signing_key, subject=str(uuid.uuid4()))

    with (
        pytest.raises(WebSocketDisconnect) as closed,
        client.websocket_connect(events_url(order["id"], token)),
    ):
        pass

    assert closed.value.code == 4403


def test_a_socket_streams_only_the_events_of_its_own_order(
    client: TestClient[Any], world: World, ana: Any, order: Any, headers: dict[str, str]
) -> None:
    other = world.quote(ana, world.ticket(ana), Tier.STANDARD, world.day(6))

    with client.websocket_connect(events_url(order["id"], world.token("ana@example.com"))) as ws:
        ws.receive_json(timeout=WAIT)
        pay(client, headers, str(other.id))  # another order's events
        client.post(f"/api/upgrades/{order['id']}/cancel", headers=headers)
        first = next_event(ws)

    assert first["event"] == "cancelled"
    assert first["order"]["id"] == order["id"]


def test_a_change_landing_as_the_socket_subscribes_is_in_the_snapshot_not_lost(
    client: TestClient[Any],
    world: World,
    container: Container,
    order: Any,
    ana: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The order is cancelled in the window between the socket's first read of the order and
    its subscription: the snapshot must already say so (before, it said "pending" and the
    cancel, published before anyone listened, never came)."""
    hub = container.progress_hub()
    subscribe = hub.subscribe

    @asynccontextmanager
    async def subscribe_late(order_id: Any) -> AsyncIterator[Any]:
        container.cancel_upgrade()(ana, uuid.UUID(order["id"]))
        async with subscribe(order_id) as events:
            yield events

    monkeypatch.setattr(hub, "subscribe", subscribe_late)
    with client.websocket_connect(events_url(order["id"], world.token("ana@example.com"))) as ws:
        snapshot = ws.receive_json(timeout=WAIT)

    assert snapshot["order"]["status"] == "cancelled"
