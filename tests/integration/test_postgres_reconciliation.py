"""Reconciliation on PostgreSQL against the dummy gateway served over real HTTP: a payment a
crash left between the charge and its commit is repaired by `tap reconcile` (its own process,
the real clock), an unreachable gateway makes `tap reconcile` exit 1 having changed nothing, a
charge whose answer the gateway lost is confirmed with its one charge, and a charge that came too
late for its visit is refunded through the service once.

The gateway service runs in a thread of this process (uvicorn), over a `DummyPaymentGateway`
the tests can read; its faults are switched through its admin route, as an operator would. The
crash is injected in process: the gateway charges, then the commit that follows (the
confirmation's) dies with the process (`ProcessKilled`, which nothing catches).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar.testing import TestClient
from sqlalchemy import Engine

from adapters.clock import FixedClock, SystemClock
from adapters.payments.dummy import DummyPaymentGateway
from adapters.sql.unit_of_work import SqlUnitOfWork
from application.ports.payments import Charge, ChargeRequest
from application.use_cases.reconcile_payments import ReconciliationReport
from domain.ids import CustomerId
from domain.orders import UpgradeOrder
from domain.tiers import Tier
from entrypoints.http.app import create_app
from infra.container import Container, build_container
from infra.gateway_service import create_gateway_app
from infra.settings import Settings
from tests.builders import World
from tests.conftest import make_settings
from tests.support.live_http import free_port, uvicorn_in_thread
from tests.support.pg_state import database, rows
from tests.support.postgres import empty_tables

pytestmark = pytest.mark.slow

ADMIN_TOKEN = "reconciliation-admin-token"
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
# A short grace the settings still accept: it must exceed the longest a payment request can run
# with the default timeout, attempts and retry budget (10 s x 3 + 5 s = 35 s).
GRACE_SECONDS = 36
STUCK_FOR = timedelta(minutes=5)  # how long ago the crash happened, by the real clock
RECONCILE = [sys.executable, "-m", "entrypoints.cli", "reconcile", "--profile", "postgres"]
SUMMARY = re.compile(
    r"tap reconcile: (?P<confirmed>\d+) confirmed, (?P<refunded>\d+) refunded, "
    r"(?P<released>\d+) released, (?P<refunds_finished>\d+) refunds finished, "
    r"(?P<deferred>\d+) deferred \(gateway failing\), (?P<charges_checked>\d+) charges checked"
)
CARD = {
    "number": "4242 4242 4242 4242",
    "exp_month": 12,
    "exp_year": 2031,
    "cvc": "123",
    "name": "Ana Test",
}


class ProcessKilled(BaseException):
    """The process dying: nothing catches it, and nothing after it runs."""


@dataclass
class Shop:
    """A postgres-profile container on `clock`, paying through the gateway service at `url`."""

    settings: Settings
    container: Container
    world: World
    db: Engine
    gateway: DummyPaymentGateway  # the service's engine, to read what it charged
    url: str

    def charges(self) -> list[Charge]:
        return list(self.gateway.charges_since(EPOCH))

    def set_faults(self, **faults: Any) -> None:
        answer = httpx.put(
            f"{self.url}/admin/faults",
            json=faults,
            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
        )
        assert answer.status_code == 200, answer.text


@contextmanager
def shop_on(postgres_url: str, tmp_path: Path, clock: FixedClock) -> Iterator[Shop]:
    gateway = DummyPaymentGateway(clock, sleep=lambda _: None)
    app = create_gateway_app(gateway, ADMIN_TOKEN, hang_seconds=0)
    with uvicorn_in_thread(app, path="/health") as port:
        url = f"http://127.0.0.1:{port}"
        settings = make_settings(
            tmp_path,
            profile="postgres",
            database_url=postgres_url,
            payments="http",
            payment_gateway_url=url,
            payment_retry_first_delay_seconds=0,  # retries without waiting
        )
        container = build_container(settings, overrides={"clock": clock})
        try:
            db = container.postgres_engine()
            empty_tables(db)
            yield Shop(settings, container, World(container, clock), db, gateway, url)
        finally:
            container.shutdown_resources()


def die_after_the_next_charge(monkeypatch: pytest.MonkeyPatch, container: Container) -> None:
    """The container's next charge goes through at the gateway; then the next commit (the
    confirmation's) dies with the process, so nothing of it is written."""
    client = container.gateway()  # the HTTP client, under the retries and the breaker
    charge, commit = client.charge, SqlUnitOfWork.commit
    crash = {"armed": True, "at_next_commit": False}

    def charge_then_die(request: ChargeRequest) -> Charge:
        made = charge(request)
        if crash["armed"]:
            crash.update(armed=False, at_next_commit=True)
        return made

    def commit_unless_dead(uow: SqlUnitOfWork) -> None:
        if crash["at_next_commit"]:
            crash["at_next_commit"] = False
            raise ProcessKilled
        commit(uow)

    monkeypatch.setattr(client, "charge", charge_then_die)
    monkeypatch.setattr(SqlUnitOfWork, "commit", commit_unless_dead)


def quoted(world: World) -> tuple[CustomerId, UpgradeOrder]:
    ana = world.customer("ana@example.com")
    ticket = world.ticket(ana, Tier.GENERAL, visit_in=10)
    return ana, world.quote(ana, ticket, Tier.NON_STOP, world.day(12)).order


def stuck_after_charge(shop: Shop, monkeypatch: pytest.MonkeyPatch) -> tuple[UpgradeOrder, Charge]:
    """Ana's Non-stop upgrade, charged at the gateway and left `processing` by a crash."""
    ana, order = quoted(shop.world)
    die_after_the_next_charge(monkeypatch, shop.container)
    with pytest.raises(ProcessKilled):
        shop.world.pay(ana, order.id)
    [charge] = shop.charges()
    assert order_row(shop, order)["status"] == "processing"
    assert attempt_rows(shop, order) == [
        {"attempt": 1, "outcome": "started", "charge_id": None, "kind": "charge"}
    ]
    assert email_kinds(shop, order) == []
    return order, charge


def order_row(shop: Shop, order: UpgradeOrder) -> dict[str, Any]:
    [row] = rows(shop.db, "SELECT * FROM upgrade_orders WHERE id = :id", id=order.id)
    return row


def attempt_rows(shop: Shop, order: UpgradeOrder) -> list[dict[str, Any]]:
    return rows(
        shop.db,
        "SELECT attempt, outcome, charge_id, kind FROM payment_attempts WHERE order_id = :id "
        "ORDER BY created_at, attempt",
        id=order.id,
    )


def email_kinds(shop: Shop, order: UpgradeOrder) -> list[str]:
    found = rows(shop.db, "SELECT kind FROM outbox WHERE order_id = :id", id=order.id)
    return [row["kind"] for row in found]


def assert_confirmed_with(shop: Shop, order: UpgradeOrder, charge: Charge) -> None:
    """Confirmed once, by that charge: one successful attempt, one email, the ticket moved."""
    row = order_row(shop, order)
    assert (row["status"], row["payment_id"], row["attempts"]) == ("confirmed", charge.id, 1)
    assert row["confirmation_code"] is not None
    assert attempt_rows(shop, order) == [
        {"attempt": 1, "outcome": "succeeded", "charge_id": charge.id, "kind": "charge"}
    ]
    assert email_kinds(shop, order) == ["upgrade_confirmed"]
    [ticket] = rows(shop.db, "SELECT tier FROM tickets WHERE id = :id", id=order.ticket_id)
    assert ticket["tier"] == "non-stop"
    assert [charge.id] == [c.id for c in shop.charges()]
    assert charge.refunded is None


def tap_reconcile(
    tmp_path: Path, database_url: str, gateway_url: str
) -> tuple[subprocess.CompletedProcess[str], dict[str, int]]:
    """`tap reconcile --profile postgres` in its own process: its result and its summary."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("TAP_")}
    env |= {
        "TAP_DATABASE_URL": database_url,
        "TAP_PAYMENT_GATEWAY_URL": gateway_url,
        "TAP_RECONCILE_GRACE_SECONDS": str(GRACE_SECONDS),
        "TAP_PAYMENT_RETRY_FIRST_DELAY_SECONDS": "0",
        "TAP_PASSWORD_HASH_COST": "16",
        "TAP_LOG_JSON": "false",
    }
    done = subprocess.run(  # cwd: no developer's .env file is read
        RECONCILE, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    summary = SUMMARY.search(done.stdout)
    assert summary, done.stdout + done.stderr
    return done, {name: int(count) for name, count in summary.groupdict().items()}


def summary_of(report: ReconciliationReport) -> dict[str, int]:
    return {
        "confirmed": report.confirmed,
        "refunded": report.refunded,
        "released": report.released,
        "refunds_finished": report.refunds_finished,
        "deferred": report.deferred,
        "charges_checked": report.charges_checked,
    }


@pytest.fixture
def crashed_a_while_ago() -> FixedClock:
    """The clock of the process that crashed: `tap reconcile` runs on the real clock, so the
    payment it must repair has to be older than its grace by that clock."""
    return FixedClock(SystemClock().now() - STUCK_FOR)


# -- tap reconcile -----------------------------------------------------------------------------


def test_tap_reconcile_confirms_a_payment_a_crash_left_between_charge_and_commit(
    postgres_url: str,
    tmp_path: Path,
    crashed_a_while_ago: FixedClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with shop_on(postgres_url, tmp_path, crashed_a_while_ago) as shop:
        order, charge = stuck_after_charge(shop, monkeypatch)

        done, summary = tap_reconcile(tmp_path, postgres_url, shop.url)

        assert done.returncode == 0, done.stdout + done.stderr
        assert summary == summary_of(ReconciliationReport(confirmed=1, charges_checked=1))
        assert_confirmed_with(shop, order, charge)
        [confirmed] = rows(
            shop.db,
            "SELECT actor FROM audit_log WHERE entity_id = :id AND action = 'upgrade.confirmed'",
            id=str(order.id),
        )
        assert confirmed["actor"] == "system"
        settled = database(shop.db)

        again, summary = tap_reconcile(tmp_path, postgres_url, shop.url)

        assert again.returncode == 0, again.stdout + again.stderr
        assert summary == summary_of(ReconciliationReport(charges_checked=1))
        assert database(shop.db) == settled
        assert_confirmed_with(shop, order, charge)


def test_tap_reconcile_against_an_unreachable_gateway_exits_1_and_changes_nothing(
    postgres_url: str,
    tmp_path: Path,
    crashed_a_while_ago: FixedClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with shop_on(postgres_url, tmp_path, crashed_a_while_ago) as shop:
        order, charge = stuck_after_charge(shop, monkeypatch)
        before = database(shop.db)
        nowhere = f"http://127.0.0.1:{free_port()}"  # nothing listens there

        done, summary = tap_reconcile(tmp_path, postgres_url, nowhere)

        assert done.returncode == 1, done.stdout + done.stderr
        # The unfinished payment and the sweep both wait for the next run.
        assert summary == summary_of(ReconciliationReport(deferred=2))
        assert database(shop.db) == before
        assert [c.refunded for c in shop.charges()] == [None]

        later, summary = tap_reconcile(tmp_path, postgres_url, shop.url)

        assert later.returncode == 0, later.stdout + later.stderr
        assert summary == summary_of(ReconciliationReport(confirmed=1, charges_checked=1))
        assert_confirmed_with(shop, order, charge)


# -- the gateway's timeout fault ---------------------------------------------------------------


def test_a_charge_whose_answer_was_lost_is_unconfirmed_for_the_customer_then_confirmed_once(
    postgres_url: str, tmp_path: Path, clock: FixedClock
) -> None:
    with shop_on(postgres_url, tmp_path, clock) as shop:
        _, order = quoted(shop.world)
        headers = {**shop.world.auth("ana@example.com"), "Idempotency-Key": "pay-once"}
        shop.set_faults(timeout_rate=1.0)  # every charge is made, and its answer lost (504)
        app = create_app(shop.container, shop.settings, background=False)
        with TestClient(app, base_url="http://testserver.local") as client:
            paid = client.post(
                f"/api/upgrades/{order.id}/payment", json={"card": CARD}, headers=headers
            )

            assert paid.status_code == 503, paid.text
            assert paid.json()["code"] == "payment_unconfirmed"
            assert paid.headers["Retry-After"] == "30"
            # The retries asked again under the same key: one charge, whose answer never came.
            [charge] = shop.charges()
            assert charge.idempotency_key == f"upgrade-{order.id}-attempt-1"
            assert order_row(shop, order)["status"] == "processing"
            assert attempt_rows(shop, order) == [
                {"attempt": 1, "outcome": "started", "charge_id": None, "kind": "charge"}
            ]
            reconcile = shop.container.reconcile_payments()
            assert reconcile() == ReconciliationReport(charges_checked=1)  # within the grace
            clock.advance(reconcile.grace + timedelta(seconds=1))

            # The fault is still on: reconciliation only reads the gateway, it moves no money.
            report = reconcile()

            assert report == ReconciliationReport(confirmed=1, charges_checked=1)
            assert_confirmed_with(shop, order, charge)
            seen = client.get(f"/api/upgrades/{order.id}", headers=headers)
            assert seen.json()["status"] == "confirmed"
            assert reconcile().repaired == 0
            assert_confirmed_with(shop, order, charge)


def test_a_charge_found_after_the_visit_date_is_refunded_through_the_service_once(
    postgres_url: str, tmp_path: Path, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    with shop_on(postgres_url, tmp_path, clock) as shop:
        order, charge = stuck_after_charge(shop, monkeypatch)
        clock.advance(timedelta(days=13))  # the visit day (in 12 days) is over
        reconcile = shop.container.reconcile_payments()

        report = reconcile()

        assert report == ReconciliationReport(refunded=1)
        [refunded] = shop.charges()
        assert (refunded.id, refunded.refunded) == (charge.id, charge.amount)
        row = order_row(shop, order)
        assert (row["status"], row["payment_id"]) == ("pending", None)
        assert rows(
            shop.db,
            "SELECT kind, outcome, charge_id, refund_id IS NOT NULL AS refunded "
            "FROM payment_attempts WHERE order_id = :id ORDER BY kind",
            id=order.id,
        ) == [
            {"kind": "charge", "outcome": "succeeded", "charge_id": charge.id, "refunded": False},
            {"kind": "refund", "outcome": "succeeded", "charge_id": charge.id, "refunded": True},
        ]
        assert email_kinds(shop, order) == ["payment_refunded"]
        settled = database(shop.db)
        assert reconcile() == ReconciliationReport()
        assert database(shop.db) == settled
