"""Twenty clicks on one Pay button, over real HTTP on PostgreSQL: one charge, one confirmation,
one email, whatever the Idempotency-Keys.

The app is served by uvicorn from a thread of this process, over a postgres-profile container,
so that the payment gateway can be the dummy one behind a counting spy that is slow enough
(0.3 s a charge) for the twenty requests to overlap it. The answers are those DOMAIN.md
documents: with one key, the first request runs and the others are told it is in flight (409
`idempotency_key_in_use`) or get its answer replayed; with a key each, the first runs and the
others find the order being paid (409 `payment_in_progress`) or paid (422
`order_already_paid`). Whatever the answers, the database must show one charge.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from adapters.clock import FixedClock
from domain.tiers import Tier
from entrypoints.http.app import create_app
from infra.container import build_container
from tests.builders import World
from tests.conftest import make_settings
from tests.support.live_http import Call, Reply, all_at_once, bearer, call, uvicorn_in_thread
from tests.support.pg_state import rows
from tests.support.postgres import empty_tables
from tests.unit.application.conftest import CountingGateway

pytestmark = pytest.mark.slow

CLICKS = 20
CARD = {
    "number": "4242 4242 4242 4242",
    "exp_month": 12,
    "exp_year": 2031,
    "cvc": "123",
    "name": "Ana Test",
}


class Shop:
    """The served app, its database, the gateway spy, and Ana with a pending quote."""

    def __init__(self, port: int, engine: Engine, gateway: CountingGateway, world: World) -> None:
        self.port, self.engine, self.gateway, self.world = port, engine, gateway, world
        self.ana = world.customer("ana@example.com")
        self.token = world.token("ana@example.com")
        self.ticket = world.ticket(self.ana, Tier.GENERAL, visit_in=10)
        quoted = call(
            port,
            Call(
                "POST",
                "/api/upgrades",
                {
                    "ticket": self.ticket.number.value,
                    "tier": "non-stop",
                    "date": str(world.day(12)),
                },
                bearer(self.token, str(uuid.uuid4())),
            ),
        )
        assert quoted.status == 201, quoted.body
        self.order: dict[str, Any] = quoted.body

    def pay(self, key: str) -> Call:
        return Call(
            "POST",
            f"/api/upgrades/{self.order['id']}/payment",
            {"card": CARD},
            bearer(self.token, key),
        )


@pytest.fixture
def shop(postgres_url: str, clock: FixedClock, tmp_path: Path) -> Iterator[Shop]:
    gateway = CountingGateway(clock, delay=0.3)
    settings = make_settings(
        tmp_path, profile="postgres", database_url=postgres_url, handler_threads=True
    )
    container = build_container(settings, overrides={"clock": clock, "payment_gateway": gateway})
    engine = container.postgres_engine()
    empty_tables(engine)
    # No background dispatcher: the confirmation email must still be in the outbox at the end.
    app = create_app(container, settings, background=False)
    try:
        with uvicorn_in_thread(app) as port:
            yield Shop(port, engine, gateway, World(container, clock))
    finally:
        container.shutdown_resources()


def outcome(reply: Reply) -> str:
    if reply.status == 200:
        return "200 replayed" if reply.headers.get("idempotent-replayed") == "true" else "200"
    return f"{reply.status} {reply.code}"


def assert_charged_and_confirmed_once(shop: Shop, confirmed: dict[str, Any]) -> None:
    """One charge at the gateway and in the ledger, one confirmation, one email, one sale."""
    order_id = shop.order["id"]
    assert len(shop.gateway.requests) == 1
    [charge] = shop.gateway.charges
    attempts = rows(
        shop.engine,
        "SELECT attempt, outcome, charge_id FROM payment_attempts WHERE order_id = :id",
        id=order_id,
    )
    assert attempts == [{"attempt": 1, "outcome": "succeeded", "charge_id": charge.id}]
    [order] = rows(shop.engine, "SELECT * FROM upgrade_orders WHERE id = :id", id=order_id)
    assert (order["status"], order["payment_id"], order["attempts"]) == ("confirmed", charge.id, 1)
    assert order["confirmation_code"] == confirmed["confirmation_code"]
    emails = rows(
        shop.engine, "SELECT kind, recipient FROM outbox WHERE order_id = :id", id=order_id
    )
    assert emails == [{"kind": "upgrade_confirmed", "recipient": "ana@example.com"}]
    audit = rows(
        shop.engine,
        "SELECT entity, action FROM audit_log WHERE entity_id IN (:order, :ticket) ORDER BY seq",
        order=order_id,
        ticket=str(shop.ticket.id),
    )
    assert [(a["entity"], a["action"]) for a in audit] == [
        ("upgrade_order", "upgrade.quoted"),
        ("upgrade_order", "upgrade.payment_started"),
        ("upgrade_order", "upgrade.confirmed"),
        ("ticket", "ticket.upgraded"),
    ]
    [ticket] = rows(shop.engine, "SELECT * FROM tickets WHERE id = :id", id=shop.ticket.id)
    amount_due = Decimal(shop.order["amount_due"])
    assert (ticket["tier"], ticket["price_paid"]) == (
        "non-stop",
        shop.ticket.price_paid.amount + amount_due,
    )
    sold = rows(shop.engine, "SELECT tier, sold FROM capacity WHERE sold > 0")
    assert sold == [{"tier": "non-stop", "sold": 1}]


def test_twenty_payments_with_one_idempotency_key_charge_once_and_replay_the_answer(
    shop: Shop,
) -> None:
    key = str(uuid.uuid4())

    replies = all_at_once(shop.port, [shop.pay(key)] * CLICKS)

    outcomes = Counter(map(outcome, replies))
    print(f"{CLICKS} concurrent payments: {dict(outcomes)}")  # noqa: T201
    assert outcomes["200"] == 1, outcomes
    assert set(outcomes) <= {"200", "200 replayed", "409 idempotency_key_in_use"}, outcomes
    [confirmed] = [r.body for r in replies if outcome(r) == "200"]
    assert confirmed["status"] == "confirmed"
    assert all(r.body == confirmed for r in replies if r.status == 200)
    # The clicks that were told "in flight" retry with the same key and get the first answer.
    retry = call(shop.port, shop.pay(key))
    assert (outcome(retry), retry.body) == ("200 replayed", confirmed)
    assert_charged_and_confirmed_once(shop, confirmed)
    stored = rows(shop.engine, "SELECT key, response_status FROM idempotency_keys")
    assert {(k["key"], k["response_status"]) for k in stored} >= {(key, 200)}


def test_twenty_payments_with_a_key_each_charge_once_and_refuse_the_others(shop: Shop) -> None:
    replies = all_at_once(shop.port, [shop.pay(str(uuid.uuid4())) for _ in range(CLICKS)])

    outcomes = Counter(map(outcome, replies))
    print(f"{CLICKS} concurrent payments: {dict(outcomes)}")  # noqa: T201
    assert outcomes["200"] == 1, outcomes
    assert set(outcomes) <= {"200", "409 payment_in_progress", "422 order_already_paid"}, outcomes
    [confirmed] = [r.body for r in replies if r.status == 200]
    assert confirmed["status"] == "confirmed"
    later = call(shop.port, shop.pay(str(uuid.uuid4())))
    assert outcome(later) == "422 order_already_paid"
    assert_charged_and_confirmed_once(shop, confirmed)
