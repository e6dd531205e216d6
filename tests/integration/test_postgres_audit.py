"""The audit log on PostgreSQL: complete, and append-only in the database itself.

A customer's whole flow (register, change details, quote, a declined card, pay, quote another
ticket and cancel it) runs through the use cases. After every step the customers, tickets and
upgrade orders are read back from the database and compared with the audit entries the step
wrote: every record the step changed has entries, chained without a gap from how the row
looked before the step to how it looks after it (each entry's `before` is the previous entry's
`after`), and no record it left alone has any. The snapshots are built here from the rows, not
with the application's snapshot code. Capacity, the payment ledger and the outbox are not
audited records: a sale shows in the order's entry.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from adapters.clock import FixedClock
from application.errors import PaymentDeclinedError
from application.use_cases.customers import UpdateCustomerCommand
from domain.tiers import Tier
from infra.container import Container
from tests.builders import CARDS, World
from tests.support.pg_state import rows, scalar

Snapshot = dict[str, Any]
Records = dict[tuple[str, str], Snapshot]  # (entity, id) -> how the record looks


def _money(value: Any) -> str:
    return f"{value:.2f}"


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def records(engine: Engine) -> Records:
    """Every audited record as the audit log words it, read from the rows."""
    found: Records = {}
    for c in rows(engine, "SELECT * FROM customers"):
        found["customer", str(c["id"])] = {
            "email": c["email"],
            "first_name": c["first_name"],
            "last_name": c["last_name"],
        }
    for t in rows(engine, "SELECT * FROM tickets"):
        found["ticket", str(t["id"])] = {
            "number": t["number"],
            "tier": t["tier"],
            "visit_date": t["visit_date"].isoformat(),
            "price_paid": _money(t["price_paid"]),
            "status": t["status"],
        }
    for o in rows(engine, "SELECT * FROM upgrade_orders"):
        found["upgrade_order", str(o["id"])] = {
            "status": o["status"],
            "ticket_id": str(o["ticket_id"]),
            "tier": o["tier"],
            "date": o["visit_date"].isoformat(),
            "price": _money(o["price"]),
            "amount_due": _money(o["amount_due"]),
            "expires_at": o["expires_at"].isoformat(),
            "attempts": o["attempts"],
            "declines": o["declines"],
            "payment_id": _text(o["payment_id"]),
            "confirmation_code": _text(o["confirmation_code"]),
        }
    return found


class Auditor:
    """Runs one step at a time and checks the entries it wrote against the rows it changed."""

    def __init__(self, engine: Engine, clock: FixedClock) -> None:
        self.engine, self.clock = engine, clock

    def step(
        self, action: Callable[[], object], by_the_application: bool = True
    ) -> list[tuple[str, str, str]]:
        """Run `action` a minute after the last step; returns its entries as (actor, action,
        entity) in the order they were written. A step not `by_the_application` (tickets
        written directly, as the system sells none) may only add tickets and writes no entry."""
        self.clock.advance(timedelta(minutes=1))
        at = self.clock.now()
        before = records(self.engine)
        last = scalar(self.engine, "SELECT coalesce(max(seq), 0) FROM audit_log")
        action()
        after = records(self.engine)
        entries = rows(
            self.engine, "SELECT * FROM audit_log WHERE seq > :last ORDER BY seq", last=last
        )
        changed = {key for key in before.keys() | after.keys() if before.get(key) != after.get(key)}
        if not by_the_application:
            assert entries == []
            assert changed
            assert all(key[0] == "ticket" and key not in before for key in changed)
            return []
        assert {(e["entity"], e["entity_id"]) for e in entries} == changed
        for key in changed:
            chain = [e for e in entries if (e["entity"], e["entity_id"]) == key]
            assert chain[0]["before"] == before.get(key), key
            for earlier, later in itertools.pairwise(chain):
                assert later["before"] == earlier["after"], key
            assert chain[-1]["after"] == after.get(key), key
        assert all(entry["at"] == at for entry in entries)  # the step's instant, exactly
        return [(e["actor"], e["action"], e["entity"]) for e in entries]


def test_every_change_of_a_customers_flow_has_its_audit_entry(
    postgres_container: Container, clock: FixedClock
) -> None:
    world = World(postgres_container, clock)
    engine = postgres_container.postgres_engine()
    audit = Auditor(engine, clock)
    me: dict[str, Any] = {}

    def register() -> None:
        me["id"] = world.customer("ana@example.com", "Ana", "Test")

    def update() -> None:
        postgres_container.update_customer()(
            UpdateCustomerCommand(me["id"], " Ana.Maria@Example.com ", None, "  López ")
        )

    def tickets() -> None:  # sold elsewhere: written directly, not by a use case
        me["first"] = world.ticket(me["id"], Tier.GENERAL, visit_in=10)
        me["second"] = world.ticket(me["id"], Tier.STANDARD, visit_in=20)

    def pay(number: str) -> Callable[[], object]:
        def attempt() -> None:
            try:
                world.pay(me["id"], me["order"], number)
            except PaymentDeclinedError as error:  # an answer, not a test failure
                me["declined"] = error.decline_code

        return attempt

    def quote_first() -> None:
        me["order"] = world.quote(me["id"], me["first"], Tier.NON_STOP, world.day(12)).id

    def quote_second() -> None:
        me["other"] = world.quote(me["id"], me["second"], Tier.DOUBLE_FUN, world.day(20)).id

    def cancel() -> None:
        postgres_container.cancel_upgrade()(me["id"], me["other"])

    registered = audit.step(register)
    ana = str(me["id"])
    assert registered == [(ana, "customer.registered", "customer")]
    assert audit.step(update) == [(ana, "customer.updated", "customer")]
    # The login moved with the email: the new address signs in. (The SQL login store's
    # email change once failed to compile: its bind parameter had a column's name.)
    assert [r["email"] for r in rows(engine, "SELECT email FROM local_logins")] == [
        "ana.maria@example.com"
    ]
    assert world.token("ana.maria@example.com")
    assert audit.step(tickets, by_the_application=False) == []
    assert audit.step(quote_first) == [(ana, "upgrade.quoted", "upgrade_order")]
    assert audit.step(pay(CARDS["card_declined"])) == [
        (ana, "upgrade.payment_started", "upgrade_order"),
        (ana, "upgrade.payment_declined", "upgrade_order"),
    ]
    assert me.pop("declined") == "card_declined"
    assert audit.step(pay(CARDS["success"])) == [
        (ana, "upgrade.payment_started", "upgrade_order"),
        (ana, "upgrade.confirmed", "upgrade_order"),
        (ana, "ticket.upgraded", "ticket"),
    ]
    assert "declined" not in me
    assert audit.step(quote_second) == [(ana, "upgrade.quoted", "upgrade_order")]
    assert audit.step(cancel) == [(ana, "upgrade.cancelled", "upgrade_order")]

    # The story as an auditor reads it back for the customer and the paid order.
    customer = rows(engine, "SELECT * FROM audit_log WHERE entity = 'customer' ORDER BY seq")
    assert [(e["before"], e["after"]) for e in customer] == [
        (None, {"email": "ana@example.com", "first_name": "Ana", "last_name": "Test"}),
        (
            {"email": "ana@example.com", "first_name": "Ana", "last_name": "Test"},
            {"email": "ana.maria@example.com", "first_name": "Ana", "last_name": "López"},
        ),
    ]
    paid = rows(
        engine,
        "SELECT * FROM audit_log WHERE entity_id = :id ORDER BY seq",
        id=str(me["order"]),
    )
    assert [
        (e["after"]["status"], e["after"]["attempts"], e["after"]["declines"]) for e in paid
    ] == [
        ("pending", 0, 0),
        ("processing", 1, 0),
        ("pending", 1, 1),
        ("processing", 2, 1),
        ("confirmed", 2, 1),
    ]
    assert paid[-1]["after"]["confirmation_code"] is not None
    assert paid[-1]["after"]["payment_id"].startswith("ch_")
    [upgraded] = rows(engine, "SELECT * FROM audit_log WHERE entity = 'ticket'")
    assert (upgraded["before"]["tier"], upgraded["after"]["tier"]) == ("general", "non-stop")
    assert upgraded["after"]["visit_date"] == world.day(12).isoformat()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_log SET actor = 'someone else'",
        "UPDATE audit_log SET after = NULL WHERE action = 'customer.registered'",
        "DELETE FROM audit_log",
        "DELETE FROM audit_log WHERE seq = (SELECT max(seq) FROM audit_log)",
    ],
)
def test_the_database_refuses_to_change_or_remove_an_audit_entry(
    postgres_container: Container, clock: FixedClock, statement: str
) -> None:
    world = World(postgres_container, clock)
    ana = world.customer("ana@example.com")
    world.quote(ana, world.ticket(ana), Tier.STANDARD, world.day(12))
    engine = postgres_container.postgres_engine()
    kept = rows(engine, "SELECT * FROM audit_log ORDER BY seq")
    assert len(kept) == 2

    with pytest.raises(DBAPIError) as refused, engine.begin() as connection:
        connection.execute(text(statement))

    assert getattr(refused.value.orig, "sqlstate", None) == "42501"  # insufficient_privilege
    assert "append-only" in str(refused.value.orig)
    assert rows(engine, "SELECT * FROM audit_log ORDER BY seq") == kept


def test_audit_instants_are_stored_as_written(postgres_container: Container) -> None:
    """`at` keeps the instant to the microsecond, in UTC (the chain test compares them)."""
    clock = postgres_container.clock()
    clock.advance(timedelta(microseconds=123456))
    World(postgres_container, clock).customer("ana@example.com")
    [entry] = rows(postgres_container.postgres_engine(), "SELECT at FROM audit_log")
    at: datetime = entry["at"]
    assert at == clock.now()
    assert at.utcoffset() == timedelta(0)
