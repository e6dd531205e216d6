"""Properties 14 and 15 against PostgreSQL: what a completed payment and a customer update leave
in the database, read back row by row from every table.

One postgres-profile container per test over the run's test database; every example starts
from empty tables and the fixed clock. The expected amounts come from the DOMAIN.md oracle in
`tests.property.support`, not from the domain code.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine

from adapters.clock import FixedClock
from application.errors import AuthenticationError, PaymentDeclinedError
from application.use_cases.customers import UpdateCustomerCommand
from application.use_cases.pay_for_upgrade import PayForUpgradeCommand
from domain.errors import ConflictError, InvalidInputError
from domain.ids import OrderId
from domain.tiers import Tier
from infra.container import Container
from tests.builders import CARDS, PASSWORD, World, card
from tests.conftest import NOW, build_test_container
from tests.property.support import expected_amount_due, prices_paid, settings_for
from tests.property.test_customer_properties import (
    ORIGINAL,
    TAKEN,
    Field,
    emails,
    has_control_or_format,
    names,
)
from tests.support.pg_state import altered, changes, database, empty_quickly
from tests.support.postgres import empty_tables

CODE = re.compile(r"[0-9A-HJKMNP-TV-Z]{8}")  # Crockford base32: no I, L, O, U


def assert_only(before: dict[str, Any], after: dict[str, Any], expected: dict[str, Any]) -> None:
    """The row now holds the expected values, and no other column changed."""
    assert {name: after[name] for name in expected} == expected
    assert set(altered(before, after)) <= set(expected)


@dataclass
class Postgres:
    container: Container
    clock: FixedClock
    engine: Engine

    def fresh_world(self) -> World:
        """Empty tables and the clock back at NOW: an example owes nothing to the last one."""
        empty_quickly(self.engine)
        self.clock.set(NOW)
        return World(self.container, self.clock)


@pytest.fixture(scope="module")
def postgres(postgres_url: str) -> Iterator[Postgres]:
    clock = FixedClock(NOW)
    container = build_test_container(
        settings_for(profile="postgres", database_url=postgres_url), clock
    )
    engine = container.postgres_engine()
    yield Postgres(container, clock, engine)
    empty_tables(engine)
    container.shutdown_resources()


# -- Property 14 -----------------------------------------------------------------------------

# Cards that succeed: (number, brand, CVC).
GOOD_CARDS = [
    ("4242424242424242", "visa", "123"),
    ("5555555555554444", "mastercard", "321"),
    ("2223003122003222", "mastercard", "000"),
    ("378282246310005", "amex", "1234"),
    ("6011111111111117", "discover", "999"),
    ("3566002020360505", "jcb", "555"),
]
DECLINES = ["card_declined", "insufficient_funds", "expired_card", "incorrect_cvc"]


@st.composite
def upgrades(draw: st.DrawFn) -> dict[str, Any]:
    current = draw(st.sampled_from([Tier.GENERAL, Tier.STANDARD, Tier.NON_STOP]))
    return {
        "current": current,
        "target": draw(st.sampled_from([t for t in Tier if t.is_above(current)])),
        "visit_in": draw(st.integers(min_value=0, max_value=120)),
        "day_in": draw(st.integers(min_value=2, max_value=120)),
        "paid": draw(st.none() | prices_paid.map(str)),
        "declines": draw(st.lists(st.sampled_from(DECLINES), max_size=2)),
        "card": draw(st.sampled_from(GOOD_CARDS)),
        "paid_after": timedelta(seconds=draw(st.integers(min_value=0, max_value=14 * 60))),
        # Others on the same tier and day: a pending quote, or a paid upgrade.
        "others": draw(st.lists(st.booleans(), max_size=2)),
    }


@given(upgrade=upgrades())
def test_a_completed_payment_updates_the_order_ticket_capacity_and_ledger_and_nothing_else(
    postgres: Postgres, upgrade: dict[str, Any]
) -> None:
    """Feature: ticket-auto-process, Property 14: For any completed payment, the Data Agent should update customer and order records in the Aurora Database with accurate information

    Any ticket (tier, visit date, price paid), any higher tier and bookable day, after up to
    two declined cards, paid with any accepted card some minutes after the quote, with other
    customers' quotes and sales on the same day: in PostgreSQL the order is confirmed with the
    charge's id, the card's brand and last four and a well-formed code; the ticket has the new
    tier, day and price paid; one more unit is sold; the ledger gains one succeeded attempt,
    the outbox one confirmation email and the audit log the payment's three entries. No other
    row of any table changes."""  # noqa: E501
    world = postgres.fresh_world()
    target: Tier = upgrade["target"]
    day = world.day(upgrade["day_in"])
    for paid_by_them in upgrade["others"]:
        other = world.customer()
        order = world.quote(other, world.ticket(other), target, day)
        if paid_by_them:
            world.pay(other, order.id)
    ana = world.customer("ana@example.com")
    ticket = world.ticket(ana, upgrade["current"], upgrade["visit_in"], price_paid=upgrade["paid"])
    quoted = world.quote(ana, ticket, target, day)
    pay = postgres.container.pay_for_upgrade()
    for decline in upgrade["declines"]:
        with pytest.raises(PaymentDeclinedError):
            pay(PayForUpgradeCommand(ana, OrderId(quoted.id), card(CARDS[decline])))
    world.clock.advance(upgrade["paid_after"])
    number, brand, cvc = upgrade["card"]
    before = database(postgres.engine)

    result = pay(PayForUpgradeCommand(ana, OrderId(quoted.id), card(number, cvc=cvc)))

    after = database(postgres.engine)
    now = world.clock.now()
    due = expected_amount_due(upgrade["current"].key, ticket.price_paid.amount, target.key, day)
    assert result.order.payment is not None
    charge_id = result.order.payment.payment_id
    code = str(result.order.confirmation_code)
    tries = len(upgrade["declines"]) + 1
    diff = changes(before, after)
    assert set(diff) == {
        "upgrade_orders",
        "tickets",
        "capacity",
        "payment_attempts",
        "outbox",
        "audit_log",
    }
    assert not any(table.removed for table in diff.values())

    [(old_order, order)] = diff["upgrade_orders"].changed
    assert not diff["upgrade_orders"].added
    assert order["id"] == quoted.id
    assert_only(
        old_order,
        order,
        {
            "status": "confirmed",
            "payment_id": charge_id,
            "payment_brand": brand,
            "payment_last4": number[-4:],
            "confirmation_code": code,
            "confirmed_at": now,
            "updated_at": now,
            "live_until": now,  # the hold became a sale
            "attempts": tries,
        },
    )
    assert (order["amount_due"], order["tier"], order["visit_date"]) == (due, target.key, day)
    assert charge_id.startswith("ch_")
    assert CODE.fullmatch(code)

    [(old_ticket, new_ticket)] = diff["tickets"].changed
    assert not diff["tickets"].added
    assert new_ticket["id"] == ticket.id
    assert_only(
        old_ticket,
        new_ticket,
        {
            "tier": target.key,
            "visit_date": day,
            "price_paid": ticket.price_paid.amount + due,
            "status": "active",
            "updated_at": now,
        },
    )

    [(old_capacity, capacity)] = diff["capacity"].changed
    assert (capacity["tier"], capacity["visit_date"]) == (target.key, day)
    assert_only(old_capacity, capacity, {"sold": sum(upgrade["others"]) + 1})

    [attempt] = diff["payment_attempts"].added
    assert not diff["payment_attempts"].changed  # the declined attempts stay as they were
    assert {k: v for k, v in attempt.items() if k not in ("id", "created_at")} == {
        "order_id": quoted.id,
        "kind": "charge",
        "refund_id": None,
        "attempt": tries,
        "idempotency_key": f"upgrade-{quoted.id}-attempt-{tries}",
        "amount": due,
        "currency": "USD",
        "brand": brand,
        "last4": number[-4:],
        "outcome": "succeeded",
        "charge_id": charge_id,
        "decline_code": None,
        "updated_at": now,
    }

    [email] = diff["outbox"].added
    assert not diff["outbox"].changed
    assert (email["kind"], email["order_id"], email["customer_id"]) == (
        "upgrade_confirmed",
        quoted.id,
        ana,
    )
    assert (email["recipient"], email["status"]) == ("ana@example.com", "pending")
    assert code in email["subject"] + email["body_text"]
    assert number not in email["body_text"] + email["body_html"]

    entries = sorted(diff["audit_log"].added, key=lambda entry: entry["seq"])
    assert not diff["audit_log"].changed
    assert [(e["action"], e["actor"], e["at"]) for e in entries] == [
        ("upgrade.payment_started", str(ana), now),
        ("upgrade.confirmed", str(ana), now),
        ("ticket.upgraded", str(ana), now),
    ]
    assert entries[1]["after"]["confirmation_code"] == code
    assert entries[2]["after"]["price_paid"] == f"{ticket.price_paid.amount + due:.2f}"


# -- Property 15 -----------------------------------------------------------------------------


def can_sign_in(world: World, email: str) -> bool:
    try:
        world.container.sign_in()(email, PASSWORD)
    except AuthenticationError:
        return False
    return True


@given(email=emails, first=names, last=names)
def test_a_customer_update_reaches_the_database_exactly_or_not_at_all(
    postgres: Postgres, email: Field, first: Field, last: Field
) -> None:
    """Feature: ticket-auto-process, Property 15: For any customer information update, the Data Agent should validate data integrity before committing changes to the database

    Any mix of valid and invalid emails and names (blank, too long, control characters,
    malformed or taken addresses) sent to a customer on PostgreSQL: a valid update is stored
    exactly (trimmed names, lower-case email) in the customer's row, moves their login and
    adds one audit entry, and changes no other row; an invalid one is refused and not one row
    of any table changes."""  # noqa: E501
    if email.valid and email.stored == TAKEN:
        email = Field(email.sent, False)
    world = postgres.fresh_world()
    ana = world.customer(*ORIGINAL)
    world.customer(TAKEN, "Bob", "Taken")
    before = database(postgres.engine)
    world.clock.advance(timedelta(minutes=1))
    verdicts = (email.valid, first.valid, last.valid)

    command = UpdateCustomerCommand(ana, email.sent, first.sent, last.sent)
    refused: InvalidInputError | ConflictError | None = None
    try:
        postgres.container.update_customer()(command)
    except (InvalidInputError, ConflictError) as error:
        refused = error

    after = database(postgres.engine)
    if refused is not None:
        assert not all(verdicts), f"a valid update was refused: {refused.code}"
        assert refused.code in {
            "invalid_email",
            "invalid_first_name",
            "invalid_last_name",
            "email_taken",
        }
        assert after == before  # the row, the login and the audit log, and all the rest
        assert can_sign_in(world, ORIGINAL[0])
        return

    assert False not in verdicts, "an invalid update was committed"
    [row] = [r for r in after["customers"].values() if r["id"] == ana]
    stored = (row["email"], row["first_name"], row["last_name"])
    for value, sent, original, is_email in zip(
        stored, (email, first, last), ORIGINAL, (True, False, False), strict=True
    ):
        if sent.sent is None:
            assert value == original
        elif sent.valid:
            assert value == sent.stored
        elif is_email:  # arbitrary text that was accepted as an email
            assert value == sent.sent.strip().lower()
            assert value.count("@") == 1
            assert not any(c.isspace() or has_control_or_format(c) for c in value)
        else:  # arbitrary text that was accepted as a name
            assert value == value.strip()
            assert 0 < len(value) <= 100
            assert not has_control_or_format(value)
            assert value.split() == sent.sent.split()
    assert can_sign_in(world, stored[0])
    diff = changes(before, after)
    if stored == ORIGINAL:  # the same details again: nothing is written at all
        assert diff == {}
        return
    [(old_row, new_row)] = diff["customers"].changed
    assert new_row == row
    assert set(altered(old_row, row)) <= {"email", "first_name", "last_name", "updated_at"}
    assert row["updated_at"] == world.clock.now()
    [entry] = diff["audit_log"].added
    assert (entry["action"], entry["entity_id"], entry["actor"]) == (
        "customer.updated",
        str(ana),
        str(ana),
    )
    assert entry["before"] == dict(zip(("email", "first_name", "last_name"), ORIGINAL, strict=True))
    assert entry["after"] == dict(zip(("email", "first_name", "last_name"), stored, strict=True))
    expected_tables = {"customers", "audit_log"}
    if stored[0] != ORIGINAL[0]:
        expected_tables.add("local_logins")
        [(old_login, login)] = diff["local_logins"].changed
        assert altered(old_login, login) == {"email": stored[0]}
        assert not can_sign_in(world, ORIGINAL[0])
    assert set(diff) == expected_tables


def test_the_property_examples_start_from_nothing(postgres: Postgres) -> None:
    """The per-example reset really empties every table (so a leftover cannot pass for a
    change the example made)."""
    world = postgres.fresh_world()
    world.customer()
    assert any(database(postgres.engine).values())
    postgres.fresh_world()
    assert not any(database(postgres.engine).values())
