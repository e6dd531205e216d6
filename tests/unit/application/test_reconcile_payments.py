"""ReconcilePayments: money whose outcome was never recorded is settled exactly once. A charge
found for a payment left unfinished confirms its order, or goes back to the customer when the
order can no longer take it; no charge makes the order payable again; a refund cut short is
finished; a charge the ledger never heard of is given back; and a failing gateway only defers.

The unfinished payments are made the way they happen: the process dies (`ProcessKilled`, which
nothing catches) between the gateway's charge and the commit that would have recorded it, or
before the charge request left; the gateway fails through the dummy's own faults.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from adapters.clock import FixedClock
from adapters.memory.unit_of_work import MemoryUnitOfWork
from adapters.payments.dummy import DummyPaymentGateway, Faults
from application.outbox import EmailKind
from application.payments import AttemptKind, AttemptOutcome
from application.ports.payments import Charge, ChargeRequest, Refund, RefundRequest
from application.settlement import refund_key
from application.use_cases.reconcile_payments import ReconcilePayments, ReconciliationReport
from application.use_cases.refund_upgrade import RefundPendingError
from domain.ids import CustomerId, OrderId
from domain.money import Money
from domain.orders import OrderStatus, UpgradeOrder
from domain.tickets import Ticket, TicketStatus
from domain.tiers import Tier
from tests.builders import World, card
from tests.unit.application.conftest import WorldFactory, usage

SATURDAY = date(2026, 3, 21)
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


class ProcessKilled(BaseException):
    """The process dying: nothing catches it, and nothing after it runs."""


class Crashes:
    """Where the process dies next. `after_charge`: the gateway charges, then the first commit
    after it (the confirmation's) dies, so that transaction writes nothing. `before_charge`:
    the order is committed as `processing`, and the charge request never leaves."""

    def __init__(self) -> None:
        self.after_charge = False
        self.before_charge = False
        self.next_commit = False


class SpyGateway:
    """The dummy gateway (its faults included) behind a spy that records the charges and
    refunds asked of it, and that takes the process down around a charge when told to."""

    def __init__(self, clock: FixedClock, crashes: Crashes) -> None:
        self.dummy = DummyPaymentGateway(clock)
        self.crashes = crashes
        self.charge_requests: list[ChargeRequest] = []
        self.refund_requests: list[RefundRequest] = []
        self.refunds: list[Refund] = []  # the refunds it answered with

    def charge(self, request: ChargeRequest) -> Charge:
        self.charge_requests.append(request)
        if self.crashes.before_charge:
            self.crashes.before_charge = False
            raise ProcessKilled
        charge = self.dummy.charge(request)
        if self.crashes.after_charge:
            self.crashes.after_charge = False
            self.crashes.next_commit = True
        return charge

    def refund(self, request: RefundRequest) -> Refund:
        self.refund_requests.append(request)
        refund = self.dummy.refund(request)
        self.refunds.append(refund)
        return refund

    def find_charge(self, idempotency_key: str) -> Charge | None:
        return self.dummy.find_charge(idempotency_key)

    def get_charge(self, charge_id: str) -> Charge | None:
        return self.dummy.get_charge(charge_id)

    def charges_since(self, since: datetime) -> list[Charge]:
        return list(self.dummy.charges_since(since))

    def charges(self) -> list[Charge]:
        """Every charge the gateway made, as it stands now (refunded or not)."""
        return self.charges_since(EPOCH)


@pytest.fixture
def crashes(monkeypatch: pytest.MonkeyPatch) -> Iterator[Crashes]:
    crashes = Crashes()
    commit = MemoryUnitOfWork.commit

    def commit_unless_killed(uow: MemoryUnitOfWork) -> None:
        if crashes.next_commit:
            crashes.next_commit = False
            raise ProcessKilled
        commit(uow)

    monkeypatch.setattr(MemoryUnitOfWork, "commit", commit_unless_killed)
    yield crashes
    armed = (crashes.after_charge, crashes.before_charge, crashes.next_commit)
    assert armed == (False, False, False), "a crash was armed and never happened"


@pytest.fixture
def gateway(clock: FixedClock, crashes: Crashes) -> SpyGateway:
    return SpyGateway(clock, crashes)


@pytest.fixture
def world(world_with: WorldFactory, gateway: SpyGateway) -> World:
    return world_with(overrides={"payment_gateway": gateway})


@pytest.fixture
def reconcile(world: World) -> ReconcilePayments:
    return world.container.reconcile_payments()


def ana_with_ticket(world: World) -> tuple[CustomerId, Ticket]:
    """Ana and her general ticket for Friday 20 March (59.00)."""
    ana = world.customer("ana@example.com", "Ana", "Lima")
    return ana, world.ticket(ana, visit_in=10)


def stuck_after_charge(
    world: World, crashes: Crashes, owner: CustomerId, ticket: Ticket, day: date = SATURDAY
) -> UpgradeOrder:
    """A Non-stop upgrade paid for while the process dies between the charge and its commit."""
    quote = world.quote(owner, ticket, Tier.NON_STOP, day)
    crashes.after_charge = True
    with pytest.raises(ProcessKilled):
        world.pay(owner, quote.id)
    return quote.order


def stuck_before_charge(
    world: World, crashes: Crashes, owner: CustomerId, ticket: Ticket
) -> UpgradeOrder:
    """A Non-stop upgrade whose payment died before the charge request left."""
    quote = world.quote(owner, ticket, Tier.NON_STOP, SATURDAY)
    crashes.before_charge = True
    with pytest.raises(ProcessKilled):
        world.pay(owner, quote.id)
    return quote.order


def refund_cut_short(
    world: World,
    gateway: SpyGateway,
    owner: CustomerId,
    ticket: Ticket,
    fault: Faults | None = None,
) -> UpgradeOrder:
    """A confirmed Non-stop upgrade whose refund the gateway failed midway: `fault` decides
    whether the refund was made (its answer lost) or never reached it (the default: an outage)."""
    order = world.quote(owner, ticket, Tier.NON_STOP, SATURDAY).order
    world.pay(owner, order.id)
    gateway.dummy.faults = fault or Faults(outage=True)
    with pytest.raises(RefundPendingError):
        world.container.refund_upgrade()(owner, order.id)
    gateway.dummy.faults = Faults()
    return order


def orphan_charge(gateway: SpyGateway, order: UpgradeOrder) -> Charge:
    """A charge for the order that our ledger never recorded (a charge made by hand on the
    gateway's dashboard, a ledger row lost): only its metadata names the order."""
    return gateway.dummy.charge(
        ChargeRequest(
            idempotency_key=f"dashboard-{uuid.uuid4()}",
            amount=order.amount_due,
            card=card(),
            description="Upgrade, charged by hand",
            metadata={"order_id": str(order.id)},
        )
    )


def past_grace(world: World, reconcile: ReconcilePayments) -> None:
    world.clock.advance(reconcile.grace + timedelta(seconds=1))


def stored_order(world: World, order_id: OrderId) -> UpgradeOrder:
    with world.container.unit_of_work() as uow:
        order = uow.orders.get(order_id)
    assert order is not None
    return order


def ledger(world: World, order_id: OrderId) -> list[tuple[Any, ...]]:
    """The order's payment attempts: kind, outcome, charge id, refund id."""
    with world.container.unit_of_work() as uow:
        attempts = uow.payments.for_order(order_id)
    return [(a.kind, a.outcome, a.charge_id, a.refund_id) for a in attempts]


def outbox(world: World, order_id: OrderId) -> list[tuple[EmailKind, str]]:
    with world.container.unit_of_work() as uow:
        return [(m.kind, m.message.to) for m in uow.outbox.for_order(order_id)]


def audit(world: World, order_id: OrderId) -> list[tuple[str, str]]:
    with world.container.unit_of_work() as uow:
        entries = uow.audit.for_entity("upgrade_order", str(order_id))
    return [(e.action, e.actor) for e in entries]


def everything(world: World) -> dict[str, Any]:
    """The committed state, by value: a run that changes nothing leaves it equal."""
    store = world.container.memory_store()
    return {
        "orders": {
            key: (o.status, o.attempts, o.payment, o.confirmation_code, o.updated_at)
            for key, o in store.orders.items()
        },
        "tickets": {
            key: (t.tier, t.visit_date, t.price_paid, t.updated_at)
            for key, t in store.tickets.items()
        },
        "payments": {
            key: (a.outcome, a.charge_id, a.refund_id, a.updated_at)
            for key, a in store.payments.items()
        },
        "outbox": set(store.outbox),
        "audit": len(store.audit),
        "sold": dict(store.sold),
        "holds": {key: dict(holds) for key, holds in store.holds.items()},
    }


def assert_ticket_unchanged(world: World, ticket: Ticket) -> None:
    stored = world.stored_ticket(ticket.id)
    assert (stored.tier, stored.visit_date, stored.price_paid) == (
        ticket.tier,
        ticket.visit_date,
        ticket.price_paid,
    )


# -- a crash between the charge and its commit -------------------------------------------------


def test_a_crash_between_the_charge_and_its_commit_leaves_the_money_taken_and_nothing_recorded(
    world: World, gateway: SpyGateway, crashes: Crashes
) -> None:
    ana, ticket = ana_with_ticket(world)

    order = stuck_after_charge(world, crashes, ana, ticket)

    [charge] = gateway.charges()
    assert charge.idempotency_key == f"upgrade-{order.id}-attempt-1"
    assert charge.amount == order.amount_due == Money.of("77.25", "USD")
    stored = stored_order(world, order.id)
    assert (stored.status, stored.payment, stored.confirmation_code) == (
        OrderStatus.PROCESSING,
        None,
        None,
    )
    assert ledger(world, order.id) == [(AttemptKind.CHARGE, AttemptOutcome.STARTED, None, None)]
    assert outbox(world, order.id) == []
    assert_ticket_unchanged(world, ticket)
    assert usage(world, Tier.NON_STOP, SATURDAY) == (0, 1)


def test_within_the_grace_period_reconciliation_leaves_an_unfinished_payment_alone(
    world: World, gateway: SpyGateway, crashes: Crashes, reconcile: ReconcilePayments
) -> None:
    ana, ticket = ana_with_ticket(world)
    stuck_after_charge(world, crashes, ana, ticket)
    before = everything(world)
    assert reconcile.grace == timedelta(seconds=world.container.settings().reconcile_grace_seconds)

    at_once = reconcile()
    world.clock.advance(reconcile.grace)  # not older than the grace yet: it may still be running
    at_the_edge = reconcile()

    # The sweep sees the charge, and leaves it to its attempt while that is in flight.
    assert at_once == at_the_edge == ReconciliationReport(charges_checked=1)
    assert everything(world) == before
    assert gateway.refund_requests == []


def test_after_the_grace_period_the_charge_found_confirms_its_order_exactly_once(
    world: World, gateway: SpyGateway, crashes: Crashes, reconcile: ReconcilePayments
) -> None:
    ana, ticket = ana_with_ticket(world)
    order = stuck_after_charge(world, crashes, ana, ticket)
    past_grace(world, reconcile)

    report = reconcile()

    assert report == ReconciliationReport(confirmed=1, charges_checked=1)
    assert len(gateway.charge_requests) == 1
    [charge] = gateway.charges()
    assert charge.refunded is None
    assert gateway.refund_requests == []
    stored = stored_order(world, order.id)
    assert stored.status is OrderStatus.CONFIRMED
    assert stored.payment is not None
    assert (stored.payment.payment_id, stored.payment.last4) == (charge.id, "4242")
    assert stored.confirmation_code is not None
    upgraded = world.stored_ticket(ticket.id)
    assert (upgraded.tier, upgraded.visit_date) == (Tier.NON_STOP, SATURDAY)
    assert upgraded.price_paid.amount == Decimal("59.00") + Decimal("77.25")
    assert usage(world, Tier.NON_STOP, SATURDAY) == (1, 0)
    assert ledger(world, order.id) == [
        (AttemptKind.CHARGE, AttemptOutcome.SUCCEEDED, charge.id, None)
    ]
    assert outbox(world, order.id) == [(EmailKind.UPGRADE_CONFIRMED, "ana@example.com")]
    [email] = world.sent_emails()
    assert stored.confirmation_code.value in email.text
    assert audit(world, order.id)[-1] == ("upgrade.confirmed", "system")

    settled = everything(world)
    assert reconcile() == ReconciliationReport(charges_checked=1)
    assert everything(world) == settled
    assert len(gateway.charge_requests) == 1
    assert gateway.refund_requests == []


# -- a payment whose charge never happened -----------------------------------------------------


def test_a_payment_that_never_reached_the_gateway_is_released_and_can_be_paid_again(
    world: World, gateway: SpyGateway, crashes: Crashes, reconcile: ReconcilePayments
) -> None:
    ana, ticket = ana_with_ticket(world)
    order = stuck_before_charge(world, crashes, ana, ticket)
    assert stored_order(world, order.id).status is OrderStatus.PROCESSING
    past_grace(world, reconcile)

    report = reconcile()

    assert report == ReconciliationReport(released=1)
    assert gateway.charges() == []
    released = stored_order(world, order.id)
    assert released.status_at(world.clock.now()) is OrderStatus.PENDING
    assert ledger(world, order.id) == [(AttemptKind.CHARGE, AttemptOutcome.UNAVAILABLE, None, None)]
    assert audit(world, order.id)[-1] == ("upgrade.payment_released", "system")
    assert outbox(world, order.id) == []
    assert_ticket_unchanged(world, ticket)
    assert usage(world, Tier.NON_STOP, SATURDAY) == (0, 1)  # the quote still holds its unit
    assert reconcile() == ReconciliationReport()

    paid = world.pay(ana, order.id)

    assert paid.status is OrderStatus.CONFIRMED
    [charge] = gateway.charges()
    assert charge.idempotency_key == f"upgrade-{order.id}-attempt-2"
    assert [outcome for _, outcome, _, _ in ledger(world, order.id)] == [
        AttemptOutcome.UNAVAILABLE,
        AttemptOutcome.SUCCEEDED,
    ]
    assert world.stored_ticket(ticket.id).tier is Tier.NON_STOP


# -- a charge that can no longer confirm ---------------------------------------------------------


def test_a_charge_found_after_the_visit_date_passed_is_refunded_once_and_the_customer_told(
    world: World, gateway: SpyGateway, crashes: Crashes, reconcile: ReconcilePayments
) -> None:
    ana, ticket = ana_with_ticket(world)
    order = stuck_after_charge(world, crashes, ana, ticket)
    world.clock.advance(timedelta(days=12))  # Sunday 22 March: the Saturday visit is over
    assert world.today > SATURDAY

    report = reconcile()

    assert report == ReconciliationReport(refunded=1)
    [charge] = gateway.charges()
    assert charge.refunded == charge.amount
    assert [r.idempotency_key for r in gateway.refund_requests] == [refund_key(charge.id)]
    [refund] = gateway.refunds
    stored = stored_order(world, order.id)
    assert (stored.payment, stored.confirmation_code) == (None, None)
    assert stored.status_at(world.clock.now()) is OrderStatus.EXPIRED
    assert ledger(world, order.id) == [
        (AttemptKind.CHARGE, AttemptOutcome.SUCCEEDED, charge.id, None),
        (AttemptKind.REFUND, AttemptOutcome.SUCCEEDED, charge.id, refund.id),
    ]
    assert outbox(world, order.id) == [(EmailKind.PAYMENT_REFUNDED, "ana@example.com")]
    assert_ticket_unchanged(world, ticket)
    assert usage(world, Tier.NON_STOP, SATURDAY) == (0, 0)
    assert [action for action, _ in audit(world, order.id)][-2:] == [
        "upgrade.payment_returned",
        "payment.refunded",
    ]

    settled = everything(world)
    assert reconcile() == ReconciliationReport()
    assert everything(world) == settled
    assert len(gateway.refund_requests) == 1


def test_a_charge_found_after_the_ticket_was_cancelled_is_refunded_and_the_ticket_left_alone(
    world: World, gateway: SpyGateway, crashes: Crashes, reconcile: ReconcilePayments
) -> None:
    """An operator cancelled the ticket while its payment was stuck: the upgrade cannot be
    applied to it, so the charge goes back rather than upgrading a cancelled ticket."""
    ana, ticket = ana_with_ticket(world)
    order = stuck_after_charge(world, crashes, ana, ticket)
    with world.container.unit_of_work() as uow:
        stored = uow.tickets.get_for_update(ticket.id)
        assert stored is not None
        stored.status = TicketStatus.CANCELLED
        uow.tickets.save(stored)
        uow.commit()
    world.clock.advance(timedelta(seconds=world.container.config.reconcile_grace_seconds() + 1))

    report = reconcile()

    assert (report.refunded, report.confirmed, report.deferred) == (1, 0, 0)
    [charge] = gateway.charges()
    assert charge.refunded == charge.amount
    assert stored_order(world, order.id).confirmation_code is None
    after = world.stored_ticket(ticket.id)
    assert (after.tier, after.status) == (Tier.GENERAL, TicketStatus.CANCELLED)
    assert outbox(world, order.id) == [(EmailKind.PAYMENT_REFUNDED, "ana@example.com")]


def test_a_refund_the_gateway_failed_during_reconciliation_is_made_by_a_later_run_once(
    world: World, gateway: SpyGateway, crashes: Crashes, reconcile: ReconcilePayments
) -> None:
    ana, ticket = ana_with_ticket(world)
    order = stuck_after_charge(world, crashes, ana, ticket)
    world.clock.advance(timedelta(days=12))
    gateway.dummy.faults = Faults(timeout_rate=1.0)  # the refund is made, its answer lost

    deferred = reconcile()

    assert deferred == ReconciliationReport(deferred=1)
    assert outbox(world, order.id) == []
    assert [(kind, outcome) for kind, outcome, _, _ in ledger(world, order.id)] == [
        (AttemptKind.CHARGE, AttemptOutcome.SUCCEEDED),
        (AttemptKind.REFUND, AttemptOutcome.STARTED),
    ]
    gateway.dummy.faults = Faults()
    past_grace(world, reconcile)

    finished = reconcile()

    assert finished == ReconciliationReport(refunds_finished=1)
    [charge] = gateway.charges()
    assert charge.refunded == charge.amount
    assert {r.idempotency_key for r in gateway.refund_requests} == {refund_key(charge.id)}
    [refund] = gateway.refunds  # the second request got the refund the first one made
    assert ledger(world, order.id)[-1] == (
        AttemptKind.REFUND,
        AttemptOutcome.SUCCEEDED,
        charge.id,
        refund.id,
    )
    assert outbox(world, order.id) == [(EmailKind.PAYMENT_REFUNDED, "ana@example.com")]
    assert stored_order(world, order.id).payment is None
    assert_ticket_unchanged(world, ticket)


# -- charges the ledger never recorded -----------------------------------------------------------


def test_a_charge_the_ledger_never_recorded_is_found_by_its_order_and_refunded(
    world: World, gateway: SpyGateway, reconcile: ReconcilePayments
) -> None:
    ana, ticket = ana_with_ticket(world)
    order = world.quote(ana, ticket, Tier.NON_STOP, SATURDAY).order
    orphan = orphan_charge(gateway, order)

    report = reconcile()

    assert report == ReconciliationReport(refunded=1, charges_checked=1)
    [charge] = gateway.charges()
    assert (charge.id, charge.refunded) == (orphan.id, orphan.amount)
    assert [r.idempotency_key for r in gateway.refund_requests] == [refund_key(orphan.id)]
    [refund] = gateway.refunds
    assert ledger(world, order.id) == [
        (AttemptKind.REFUND, AttemptOutcome.SUCCEEDED, orphan.id, refund.id)
    ]
    assert outbox(world, order.id) == [(EmailKind.PAYMENT_REFUNDED, "ana@example.com")]
    assert audit(world, order.id)[-1] == ("payment.refunded", "system")
    assert stored_order(world, order.id).status_at(world.clock.now()) is OrderStatus.PENDING
    assert_ticket_unchanged(world, ticket)
    assert reconcile() == ReconciliationReport(charges_checked=1)  # read again, refunded
    assert len(gateway.refund_requests) == 1

    paid = world.pay(ana, order.id)  # the quote itself was never touched

    assert paid.status is OrderStatus.CONFIRMED
    assert paid.order.payment is not None
    assert paid.order.payment.payment_id != orphan.id


@pytest.mark.parametrize(
    "metadata",
    [{}, {"order_id": "not-an-id"}, {"order_id": str(uuid.uuid4())}],
    ids=["no-order", "not-an-id", "unknown-order"],
)
def test_a_charge_naming_no_order_of_ours_is_left_alone(
    world: World, gateway: SpyGateway, reconcile: ReconcilePayments, metadata: dict[str, str]
) -> None:
    gateway.dummy.charge(
        ChargeRequest("someone-else-1", Money.of("10.00", "USD"), card(), "Not ours", metadata)
    )

    report = reconcile()

    assert report == ReconciliationReport(charges_checked=1)
    assert gateway.refund_requests == []
    assert [charge.refunded for charge in gateway.charges()] == [None]


# -- a failing gateway -----------------------------------------------------------------------------


def test_with_the_gateway_down_reconciliation_defers_and_changes_nothing_until_it_is_back(
    world: World, gateway: SpyGateway, crashes: Crashes, reconcile: ReconcilePayments
) -> None:
    ana, ticket = ana_with_ticket(world)
    order = stuck_after_charge(world, crashes, ana, ticket)
    past_grace(world, reconcile)
    before = everything(world)
    gateway.dummy.faults = Faults(outage=True)

    report = reconcile()

    assert report == ReconciliationReport(deferred=2)  # the unfinished payment, and the sweep
    assert report.repaired == 0
    assert everything(world) == before
    gateway.dummy.faults = Faults()

    later = reconcile()

    assert later == ReconciliationReport(confirmed=1, charges_checked=1)
    [charge] = gateway.charges()
    stored = stored_order(world, order.id)
    assert stored.status is OrderStatus.CONFIRMED
    assert stored.payment is not None
    assert stored.payment.payment_id == charge.id
    assert outbox(world, order.id) == [(EmailKind.UPGRADE_CONFIRMED, "ana@example.com")]


# -- a refund cut short ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fault",
    [Faults(outage=True), Faults(timeout_rate=1.0)],
    ids=["refund-never-made", "refund-made-answer-lost"],
)
def test_a_refund_the_gateway_failed_midway_is_finished_by_reconciliation(
    world: World, gateway: SpyGateway, reconcile: ReconcilePayments, fault: Faults
) -> None:
    ana, ticket = ana_with_ticket(world)
    order = refund_cut_short(world, gateway, ana, ticket, fault)
    assert stored_order(world, order.id).status is OrderStatus.CONFIRMED
    assert world.stored_ticket(ticket.id).tier is Tier.NON_STOP
    assert ledger(world, order.id)[-1][:2] == (AttemptKind.REFUND, AttemptOutcome.STARTED)
    [charge] = gateway.charges()
    assert (charge.refunded is not None) is (fault.timeout_rate == 1.0)  # made, or not yet
    past_grace(world, reconcile)

    report = reconcile()

    assert report == ReconciliationReport(refunds_finished=1, charges_checked=1)
    [charge] = gateway.charges()
    assert charge.refunded == charge.amount
    assert {r.idempotency_key for r in gateway.refund_requests} == {refund_key(charge.id)}
    [refund] = gateway.refunds
    assert ledger(world, order.id) == [
        (AttemptKind.CHARGE, AttemptOutcome.SUCCEEDED, charge.id, None),
        (AttemptKind.REFUND, AttemptOutcome.SUCCEEDED, charge.id, refund.id),
    ]
    assert stored_order(world, order.id).status is OrderStatus.REFUNDED
    assert_ticket_unchanged(world, ticket)
    assert usage(world, Tier.NON_STOP, SATURDAY) == (0, 0)
    assert outbox(world, order.id) == [
        (EmailKind.UPGRADE_CONFIRMED, "ana@example.com"),
        (EmailKind.UPGRADE_REFUNDED, "ana@example.com"),
    ]
    assert audit(world, order.id)[-1] == ("upgrade.refunded", "system")

    settled = everything(world)
    assert reconcile() == ReconciliationReport(charges_checked=1)
    assert everything(world) == settled
    assert len(gateway.refunds) == 1


# -- the report ------------------------------------------------------------------------------------


def test_one_run_settles_every_kind_of_unfinished_payment_and_counts_each(
    world: World, gateway: SpyGateway, crashes: Crashes, reconcile: ReconcilePayments
) -> None:
    ana = world.customer("ana@example.com")
    tickets = [world.ticket(ana, visit_in=10) for _ in range(5)]
    too_late = stuck_after_charge(world, crashes, ana, tickets[0], day=world.day(3))
    confirmable = stuck_after_charge(world, crashes, ana, tickets[1])
    uncharged = stuck_before_charge(world, crashes, ana, tickets[2])
    refunding = refund_cut_short(world, gateway, ana, tickets[3])
    world.clock.advance(timedelta(days=4))  # too_late's visit day is over; the others are not
    pending = world.quote(ana, tickets[4], Tier.NON_STOP, SATURDAY).order
    orphan_charge(gateway, pending)

    report = reconcile()

    # Only the orphan was charged within the sweep's look-back; the others are days old.
    assert report == ReconciliationReport(
        confirmed=1, refunded=2, released=1, refunds_finished=1, charges_checked=1
    )
    assert report.repaired == 5
    now = world.clock.now()
    statuses = {
        name: stored_order(world, order.id).status_at(now)
        for name, order in {
            "too_late": too_late,
            "confirmable": confirmable,
            "uncharged": uncharged,
            "refunding": refunding,
            "pending": pending,
        }.items()
    }
    assert statuses == {
        "too_late": OrderStatus.EXPIRED,
        "confirmable": OrderStatus.CONFIRMED,
        "uncharged": OrderStatus.EXPIRED,  # released, then its quote had lapsed long ago
        "refunding": OrderStatus.REFUNDED,
        "pending": OrderStatus.PENDING,
    }
    refunded = {c.metadata["order_id"] for c in gateway.charges() if c.refunded is not None}
    assert refunded == {str(too_late.id), str(refunding.id), str(pending.id)}
    assert len(gateway.charges()) == 4
    assert reconcile().repaired == 0
