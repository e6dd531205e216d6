"""Generated sample data: what a seed asks for is what the store holds, the same on every run and
on every store, made through the use cases without one refusal; and the demo data comes from the
same primitives."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from adapters.clock import FixedClock
from adapters.ids import SeededIdGenerator
from domain.customers import EmailAddress
from domain.eligibility import EligibilityCode
from domain.orders import OrderStatus
from domain.park import Park
from domain.tickets import TicketStatus
from domain.tiers import Tier
from infra.container import Container, build_container
from infra.demo_data import CUSTOMERS, GROUP, nearly_sold_out_day, seed_demo_data
from infra.sample_data import (
    SampleDataConflictError,
    SampleSpec,
    SampleSummary,
    describe,
    fingerprint,
    generate_sample_data,
    sample_people,
)
from infra.seeding import DEMO_PASSWORD, ClockNotSettableError
from tests.conftest import NOW, make_settings
from tests.support.postgres import empty_tables

Rows = list[dict[str, Any]]
SEED, CUSTOMERS_ASKED = 11, 40


def sample_container(tmp_path: Path, seed: int, at: datetime = NOW, **settings: Any) -> Container:
    return build_container(
        make_settings(tmp_path, **settings),
        overrides={"clock": FixedClock(at), "ids": SeededIdGenerator(seed)},
    )


def generated(
    tmp_path: Path, seed: int, customers: int = CUSTOMERS_ASKED, at: datetime = NOW, **spec: Any
) -> tuple[Container, SampleSummary, Rows]:
    container = sample_container(tmp_path, seed, at)
    summary = generate_sample_data(container, SampleSpec(seed=seed, customers=customers, **spec))
    return container, summary, describe(container, summary.emails)


@pytest.fixture(scope="module")
def park(tmp_path_factory: pytest.TempPathFactory) -> tuple[Container, SampleSummary, Rows]:
    """One generated park for the tests that only read it."""
    return generated(tmp_path_factory.mktemp("park"), SEED)


def confirmed_per_key(rows: Rows) -> Counter[tuple[str, date]]:
    return Counter(
        (order["to"][0], order["to"][1])
        for row in rows
        for order in row["orders"]
        if order["status"] == "confirmed"
    )


# -- determinism ----------------------------------------------------------------------------


def test_the_same_seed_on_the_same_day_gives_the_same_data(
    park: tuple[Container, SampleSummary, Rows], tmp_path: Path
) -> None:
    _, summary, rows = park

    # Later the same day, in another store: the time of day the command runs changes nothing.
    _, again, rows_again = generated(tmp_path, SEED, at=NOW + timedelta(hours=5))

    assert rows_again == rows
    assert fingerprint(rows_again) == fingerprint(rows)
    assert again == summary


def test_another_seed_gives_other_data(
    park: tuple[Container, SampleSummary, Rows], tmp_path: Path
) -> None:
    _, summary, rows = park

    _, other, other_rows = generated(tmp_path, SEED + 1)

    assert fingerprint(other_rows) != fingerprint(rows)
    assert not set(other.emails) & set(summary.emails)
    numbers = {t[1] for row in rows for t in row["tickets"]}
    assert not numbers & {t[1] for row in other_rows for t in row["tickets"]}


# -- what is generated ----------------------------------------------------------------------


def test_the_store_holds_what_was_asked_for(park: tuple[Container, SampleSummary, Rows]) -> None:
    container, summary, rows = park
    store = container.memory_store()

    assert summary.customers == len(store.customers) == CUSTOMERS_ASKED
    assert not any(row.get("missing") for row in rows)
    assert all(1 <= len(row["tickets"]) <= 4 for row in rows)
    assert SampleSummary.read(SEED, rows) == summary
    assert summary.tickets == len(store.tickets)
    assert sum(summary.orders.values()) == len(store.orders)


def test_tickets_and_orders_cover_every_tier_status_and_ending(
    park: tuple[Container, SampleSummary, Rows],
) -> None:
    _, summary, rows = park
    orders = [order for row in rows for order in row["orders"]]

    assert {t[2] for row in rows for t in row["tickets"]} == {tier.key for tier in Tier}
    assert set(summary.ticket_statuses) == {status.value for status in TicketStatus}
    assert set(summary.orders) == {"confirmed", "cancelled", "expired", "failed"}
    assert any(o["status"] == "confirmed" and o["declines"][1] for o in orders)
    assert all(o["card"] == ["visa", "4242"] for o in orders if o["status"] == "confirmed")
    assert all(o["emails"][0][1] == "sent" for o in orders if o["status"] == "confirmed")
    assert sum(not "".join(row["name"]).isascii() for row in rows) >= CUSTOMERS_ASKED // 4
    visits = [t[3] for row in rows for t in row["tickets"]]
    today = NOW.date()
    assert min(visits) < today - timedelta(days=20)
    assert max(visits) > today + timedelta(days=60)


def test_prices_paid_are_the_price_table_s_plus_what_confirmed_upgrades_added(
    park: tuple[Container, SampleSummary, Rows],
) -> None:
    container, _, rows = park
    prices = container.policy().prices
    for row in rows:
        for _, number, _, _, paid, *_ in row["tickets"]:
            orders = [o for o in row["orders"] if o["ticket"] == number]
            if not orders:
                continue  # checked below through the tickets that kept their tier
            first_tier, first_day, first_paid = orders[0]["from"]
            added = sum((o["amount_due"] for o in orders if o["status"] == "confirmed"), Decimal(0))

            assert first_paid == prices.price(Tier(first_tier), first_day).amount
            assert paid == first_paid + added
    unchanged = [
        t
        for row in rows
        for t in row["tickets"]
        if not any(o["ticket"] == t[1] for o in row["orders"])
    ]
    assert unchanged
    assert all(t[4] == prices.price(Tier(t[2]), t[3]).amount for t in unchanged)


def test_everything_happened_in_the_past_and_the_clock_came_back(
    park: tuple[Container, SampleSummary, Rows],
) -> None:
    container, _, rows = park

    assert container.clock().now() == NOW
    assert all(row["created_at"] < NOW for row in rows)
    assert all(t[6] < NOW and t[7] < NOW for row in rows for t in row["tickets"])
    orders = [order for row in rows for order in row["orders"]]
    assert all(o["times"][0] < NOW for o in orders)
    assert all(o["times"][1] < NOW for o in orders if o["status"] == "expired")


def test_no_tier_and_date_is_oversold_even_when_capacity_is_scarce(tmp_path: Path) -> None:
    scarce = {"capacity_standard": 3, "capacity_non_stop": 2, "capacity_double_fun": 1}
    container = sample_container(tmp_path, 5, **scarce)

    summary = generate_sample_data(container, SampleSpec(seed=5, customers=60, order_share=1.0))

    policy = container.policy()
    sold = container.memory_store().sold
    assert sold
    assert all(units <= policy.capacity.capacity(tier, day) for (tier, day), units in sold.items())
    assert any(units == policy.capacity.capacity(tier, day) for (tier, day), units in sold.items())
    confirmed = confirmed_per_key(describe(container, summary.emails))
    assert confirmed == Counter({(tier.key, day): units for (tier, day), units in sold.items()})


def test_every_generated_customer_can_sign_in_with_the_demo_password(
    park: tuple[Container, SampleSummary, Rows],
) -> None:
    container, summary, rows = park
    sign_in, verify = container.sign_in(), container.token_verifier()

    for email, row in zip(summary.emails, rows, strict=True):
        principal = verify.verify(sign_in(email, DEMO_PASSWORD).token)

        assert container.identify_customer()(principal) == row["id"]


def test_a_seed_already_in_the_store_is_refused_before_anything_is_written(
    park: tuple[Container, SampleSummary, Rows],
) -> None:
    container, _, rows = park
    store = container.memory_store()
    before = (len(store.customers), len(store.tickets), len(store.orders), len(store.audit))

    with pytest.raises(SampleDataConflictError, match=f"seed {SEED}"):
        generate_sample_data(container, SampleSpec(seed=SEED, customers=3))

    assert (len(store.customers), len(store.tickets), len(store.orders), len(store.audit)) == before
    assert describe(container, [row["email"] for row in rows]) == rows


def test_replaying_history_needs_a_clock_that_can_be_set(tmp_path: Path) -> None:
    container = build_container(make_settings(tmp_path))  # the system clock

    with pytest.raises(ClockNotSettableError):
        generate_sample_data(container, SampleSpec(seed=1, customers=2))

    assert not container.memory_store().customers


# -- PostgreSQL and the command -------------------------------------------------------------


def test_postgres_holds_the_same_data_as_memory_for_the_same_seed(
    postgres_url: str, tmp_path: Path
) -> None:
    _, summary, memory_rows = generated(tmp_path, 5, customers=25)
    container = build_container(
        make_settings(tmp_path, profile="postgres", database_url=postgres_url),
        overrides={"clock": FixedClock(NOW), "ids": SeededIdGenerator(5)},
    )
    engine = container.postgres_engine()
    empty_tables(engine)
    try:
        stored = generate_sample_data(container, SampleSpec(seed=5, customers=25))
        rows = describe(container, stored.emails)

        assert stored == summary
        assert rows == memory_rows
        assert fingerprint(rows) == fingerprint(memory_rows)
        policy = container.policy()
        keys = {(Tier(tier), day) for tier, day in confirmed_per_key(rows)}
        with container.unit_of_work() as uow:
            usage = uow.capacity.usage(keys, NOW)
        assert all(sold <= policy.capacity.capacity(*key) for key, (sold, _) in usage.items())
    finally:
        engine.dispose()


SUMMARY = re.compile(
    r"tap seed: 12 customers, (?P<tickets>\d+) tickets, (?P<orders>\d+) past orders "
    r"\(\d+ confirmed, \d+ cancelled, \d+ expired, \d+ failed\); "
    r"seed 5, postgres, [\d.]+ s, fingerprint (?P<fingerprint>[0-9a-f]{16})"
)


@pytest.fixture
def database(postgres_url: str) -> Iterator[str]:
    engine = create_engine(postgres_url)
    empty_tables(engine)
    yield postgres_url
    engine.dispose()


def test_tap_seed_fills_the_database_once_and_prints_a_summary(
    database: str, tmp_path: Path
) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("TAP_")}
    env |= {"TAP_DATABASE_URL": database, "TAP_PASSWORD_HASH_COST": "16", "TAP_LOG_JSON": "false"}
    command = [sys.executable, "-m", "entrypoints.cli", "seed", "--customers", "12", "--seed", "5"]
    command += ["--profile", "postgres"]
    park_today = Park("Funland Park", make_settings().park_timezone, "USD").today
    day_before = park_today(datetime.now(UTC))

    done = subprocess.run(  # cwd: no developer's .env file is read
        command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False
    )

    assert done.returncode == 0, done.stderr
    line = done.stdout.strip()
    assert "\n" not in line
    match = SUMMARY.fullmatch(line)
    assert match, line
    engine = create_engine(database)
    try:
        with engine.connect() as connection:
            count = connection.execute(text("SELECT count(*) FROM customers")).scalar_one()
        assert count == 12
        # The same seed, in process on the memory profile, today: the same data.
        now = datetime.now(UTC)
        _, _, rows = generated(tmp_path, 5, customers=12, at=now)
        if park_today(now) == day_before:  # not if the park's midnight passed meanwhile
            assert fingerprint(rows) == match["fingerprint"]

        again = subprocess.run(
            command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False
        )

        assert again.returncode == 1
        assert "nothing written" in again.stderr
        assert "seed 5" in again.stderr
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM customers")).scalar_one() == 12
    finally:
        engine.dispose()


# -- the demo data ----------------------------------------------------------------------------


def test_the_demo_cast_is_what_the_readme_says(tmp_path: Path) -> None:
    container = build_container(make_settings(tmp_path), overrides={"clock": FixedClock(NOW)})

    seed_demo_data(container)
    seed_demo_data(container)  # a second start finds it there and leaves it

    store = container.memory_store()
    assert len(store.customers) == len(CUSTOMERS) + 1
    codes: set[EligibilityCode | None] = set()
    for customer in CUSTOMERS:
        principal = container.token_verifier().verify(
            container.sign_in()(customer.email, DEMO_PASSWORD).token
        )
        customer_id = container.identify_customer()(principal)
        codes |= {t.eligibility.code for t in container.list_my_tickets()(customer_id)}
    assert codes == {None, *EligibilityCode} - {EligibilityCode.TICKET_NOT_FOUND}
    assert_group_day_has_two_left(container)
    statuses = Counter(order.status_at(NOW) for order in store.orders.values())
    assert statuses == Counter({OrderStatus.CONFIRMED: 39, OrderStatus.PENDING: 1})


def test_the_demo_can_bring_a_generated_crowd_that_keeps_off_the_cast_s_dates(
    tmp_path: Path,
) -> None:
    container = sample_container(tmp_path, 3)
    crowd = SampleSpec(seed=3, customers=30, order_share=1.0)

    seed_demo_data(container, crowd=crowd)

    store = container.memory_store()
    assert len(store.customers) == len(CUSTOMERS) + 1 + 30
    crowd_rows = describe(container, [p.email for p in sample_people(crowd)])
    assert sum(len(row["orders"]) for row in crowd_rows) > 20
    assert_group_day_has_two_left(container)
    dave = next(c for c in CUSTOMERS if c.email.startswith("dave"))
    with container.unit_of_work() as uow:
        customer = uow.customers.by_email(EmailAddress.parse(dave.email))
        assert customer is not None
        live = [o for o in uow.orders.list_for_customer(customer.id) if o.holds_capacity(NOW)]
    assert len(live) == 1
    assert container.clock().now() == NOW


def assert_group_day_has_two_left(container: Container) -> None:
    policy = container.policy()
    day = nearly_sold_out_day(policy.park.today(NOW), policy)
    with container.unit_of_work() as uow:
        sold, held = uow.capacity.usage([(Tier.DOUBLE_FUN, day)], NOW)[(Tier.DOUBLE_FUN, day)]
        group = uow.customers.by_email(EmailAddress.parse(GROUP.email))
        assert group is not None
        bought = {o.day for o in uow.orders.list_for_customer(group.id)}
    assert bought == {day}
    assert (policy.capacity.capacity(Tier.DOUBLE_FUN, day) - sold - held, sold) == (2, 38)
