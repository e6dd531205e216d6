"""The unit-of-work contract: what every persistence adapter must do, whatever its technology.

`UnitOfWorkContract` holds the tests; an adapter's suite subclasses it and provides the
`uow_factory` fixture: a callable that returns a new unit of work over a fresh, empty store
whose clock is the `clock` fixture and whose lock timeout is `lock_timeout` seconds. The tests
use only the ports (`application.ports.unit_of_work` and `.repositories`) and the domain, never
an adapter's internals, so the in-memory store is trusted because it passes the same suite as
PostgreSQL does.
"""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from adapters.clock import FixedClock
from application.errors import BusyError
from application.outbox import DeliveryStatus, OutboxMessage
from application.payments import AttemptKind, AttemptOutcome, PaymentAttempt
from application.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from domain.capacity import DailyCapacity
from domain.customers import CustomerDetails, EmailAddress
from domain.errors import ConflictError
from domain.ids import CustomerId, OrderId, TicketId
from domain.money import Money
from domain.orders import OrderStatus
from domain.tickets import TicketNumber
from domain.tiers import Tier
from tests.conftest import build_test_container, make_settings
from tests.contract.uow_support import (
    DAY,
    HOLD,
    LOCKABLES,
    Seeded,
    add,
    cancel,
    claim,
    commit,
    confirm,
    make_seed,
    new_customer,
    new_entry,
    new_message,
    new_order,
    new_ticket,
    persist,
    rename,
    sell,
    start_paying,
    state,
    upgrade,
)
from tests.support.data_api import aurora_settings
from tests.support.data_api_server import DataApiServer
from tests.support.postgres import empty_tables

# -- the contract -----------------------------------------------------------------------------


class UnitOfWorkContract:
    """Every persistence adapter passes these. Subclasses provide `uow_factory`."""

    @pytest.fixture
    def lock_timeout(self) -> float:
        """Seconds a lock request waits before BusyError; the factory must use this value."""
        return 0.4

    @pytest.fixture
    def uow_factory(self) -> UnitOfWorkFactory:
        raise NotImplementedError("an adapter's suite provides its unit-of-work factory")

    @pytest.fixture
    def seeded(self, uow_factory: UnitOfWorkFactory, clock: FixedClock) -> Seeded:
        seed = make_seed(clock)
        persist(uow_factory, *seed.records)
        return seed

    # -- commit and rollback --------------------------------------------------------------

    def test_committed_records_read_back_exactly_as_written(
        self, uow_factory: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        seed = make_seed(clock)
        entry = new_entry(clock, str(seed.ticket.id), "ticket.upgraded")

        def write(uow: UnitOfWork) -> None:
            add(uow, *seed.records)
            uow.audit.record(entry)

        commit(uow_factory, write)

        with uow_factory() as uow:
            customer = uow.customers.get(seed.customer.id)
            ticket = uow.tickets.get(seed.ticket.id)
            order = uow.orders.get(seed.order.id)
            messages = uow.outbox.for_order(seed.order.id)
            entries = uow.audit.for_entity("ticket", str(seed.ticket.id))
        assert customer is not None
        assert ticket is not None
        assert order is not None
        assert state(customer) == state(seed.customer)
        assert state(ticket) == state(seed.ticket)
        assert state(order) == state(seed.order)
        assert [state(m) for m in messages] == [state(seed.message)]
        assert entries == [entry]

    def test_committed_records_are_found_by_every_lookup(
        self, uow_factory: UnitOfWorkFactory, seeded: Seeded, clock: FixedClock
    ) -> None:
        with uow_factory() as uow:
            by_email = uow.customers.by_email(seeded.customer.email)
            by_subject = uow.customers.by_subject(seeded.customer.subject)
            ticket_id = uow.tickets.id_for_number(seeded.ticket.number)
            by_number = uow.tickets.by_number(seeded.ticket.number)
            tickets = uow.tickets.list_for_customer(seeded.customer.id)
            orders = uow.orders.list_for_customer(seeded.customer.id)
            live = uow.orders.live_for_ticket(seeded.ticket.id, clock.now())

        assert by_email is not None
        assert by_subject is not None
        assert by_email.id == by_subject.id == seeded.customer.id
        assert ticket_id == seeded.ticket.id
        assert by_number is not None
        assert state(by_number) == state(seeded.ticket)
        assert [t.id for t in tickets] == [seeded.ticket.id]
        assert [o.id for o in orders] == [seeded.order.id]
        assert live is not None
        assert live.id == seeded.order.id

    def test_missing_records_are_none_or_empty(
        self, uow_factory: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        with uow_factory() as uow:
            assert uow.customers.get(CustomerId(uuid.uuid4())) is None
            assert uow.customers.by_email(EmailAddress.parse("nobody@example.com")) is None
            assert uow.customers.by_subject("nobody") is None
            assert uow.tickets.get(TicketId(uuid.uuid4())) is None
            assert uow.tickets.id_for_number(TicketNumber("TKT-00000000")) is None
            assert uow.tickets.list_for_customer(CustomerId(uuid.uuid4())) == []
            assert uow.orders.get(OrderId(uuid.uuid4())) is None
            assert uow.orders.list_for_customer(CustomerId(uuid.uuid4())) == []
            assert uow.orders.live_for_ticket(TicketId(uuid.uuid4()), clock.now()) is None
            assert uow.outbox.for_order(OrderId(uuid.uuid4())) == []
            assert uow.audit.for_entity("ticket", str(uuid.uuid4())) == []

    def test_leaving_without_commit_writes_nothing(
        self, uow_factory: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        seed = make_seed(clock)
        with uow_factory() as uow:
            add(uow, *seed.records)
            uow.audit.record(new_entry(clock, str(seed.ticket.id), "ticket.upgraded"))

        self.assert_absent(uow_factory, seed, clock)

    def test_an_exception_in_the_block_writes_nothing(
        self, uow_factory: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        seed = make_seed(clock)

        def fail_half_way() -> None:
            with uow_factory() as uow:
                add(uow, *seed.records)
                raise RuntimeError("the use case failed half-way")

        with pytest.raises(RuntimeError):
            fail_half_way()

        self.assert_absent(uow_factory, seed, clock)

    def test_rollback_discards_what_was_written_so_far(
        self, uow_factory: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        seed = make_seed(clock)
        with uow_factory() as uow:
            add(uow, *seed.records)
            uow.rollback()

        self.assert_absent(uow_factory, seed, clock)

    @staticmethod
    def assert_absent(uow_factory: UnitOfWorkFactory, seed: Seeded, clock: FixedClock) -> None:
        with uow_factory() as uow:
            assert uow.customers.get(seed.customer.id) is None
            assert uow.customers.by_email(seed.customer.email) is None
            assert uow.tickets.get(seed.ticket.id) is None
            assert uow.tickets.id_for_number(seed.ticket.number) is None
            assert uow.orders.get(seed.order.id) is None
            assert uow.orders.live_for_ticket(seed.ticket.id, clock.now()) is None
            assert uow.outbox.for_order(seed.order.id) == []
            assert uow.outbox.due(clock.now(), 10) == []
            assert uow.audit.for_entity("ticket", str(seed.ticket.id)) == []

    def test_saved_changes_replace_the_stored_record(
        self, uow_factory: UnitOfWorkFactory, seeded: Seeded, clock: FixedClock
    ) -> None:
        written: dict[str, dict[str, Any]] = {}

        def change(uow: UnitOfWork) -> None:
            now = clock.now()
            ticket = uow.tickets.get_for_update(seeded.ticket.id)
            order = uow.orders.get_for_update(seeded.order.id)
            customer = uow.customers.get_for_update(seeded.customer.id)
            assert ticket is not None
            assert order is not None
            assert customer is not None
            upgrade(uow, ticket, now)
            confirm(order, "7K3M9QXZ", now)
            uow.orders.save(order)
            rename(uow, customer, now)
            written.update(ticket=state(ticket), order=state(order), customer=state(customer))

        clock.advance(timedelta(minutes=1))
        commit(uow_factory, change)

        with uow_factory() as uow:
            ticket = uow.tickets.get(seeded.ticket.id)
            order = uow.orders.get(seeded.order.id)
            customer = uow.customers.get(seeded.customer.id)
        assert ticket is not None
        assert order is not None
        assert customer is not None
        assert state(ticket) == written["ticket"]
        assert state(order) == written["order"]
        assert state(customer) == written["customer"]
        assert (ticket.tier, order.status, customer.first_name) == (
            Tier.STANDARD,
            OrderStatus.CONFIRMED,
            "Changed",
        )

    def test_a_loaded_record_changed_but_not_saved_is_not_written(
        self, uow_factory: UnitOfWorkFactory, seeded: Seeded, clock: FixedClock
    ) -> None:
        with uow_factory() as uow:
            ticket = uow.tickets.get(seeded.ticket.id)
            assert ticket is not None
            ticket.apply_upgrade(Tier.DOUBLE_FUN, DAY, Money.of("90.00", "USD"), clock.now())
            uow.commit()

        with uow_factory() as uow:
            stored = uow.tickets.get(seeded.ticket.id)
        assert stored is not None
        assert stored.tier is Tier.GENERAL

    # -- isolation ------------------------------------------------------------------------

    def test_a_unit_of_work_reads_its_own_writes(
        self, uow_factory: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        seed = make_seed(clock)
        with uow_factory() as uow:
            add(uow, *seed.records)

            assert uow.customers.get(seed.customer.id) is not None
            found = uow.customers.by_email(seed.customer.email)
            assert found is not None
            assert found.id == seed.customer.id
            by_subject = uow.customers.by_subject(seed.customer.subject)
            assert by_subject is not None
            assert by_subject.id == seed.customer.id
            assert uow.tickets.id_for_number(seed.ticket.number) == seed.ticket.id
            assert [t.id for t in uow.tickets.list_for_customer(seed.customer.id)] == [
                seed.ticket.id
            ]
            assert [o.id for o in uow.orders.list_for_customer(seed.customer.id)] == [seed.order.id]
            live = uow.orders.live_for_ticket(seed.ticket.id, clock.now())
            assert live is not None
            assert live.id == seed.order.id
            assert [m.id for m in uow.outbox.for_order(seed.order.id)] == [seed.message.id]
            message = uow.outbox.get_for_update(seed.message.id)
            assert message is not None
            assert message.status is DeliveryStatus.PENDING

    def test_a_unit_of_work_reads_its_own_changes(
        self, uow_factory: UnitOfWorkFactory, seeded: Seeded, clock: FixedClock
    ) -> None:
        new_email = EmailAddress.parse(f"new-{uuid.uuid4().hex[:12]}@example.com")
        with uow_factory() as uow:
            ticket = uow.tickets.get_for_update(seeded.ticket.id)
            customer = uow.customers.get_for_update(seeded.customer.id)
            assert ticket is not None
            assert customer is not None
            upgrade(uow, ticket, clock.now())
            customer.change_details(
                CustomerDetails(new_email, customer.first_name, customer.last_name), clock.now()
            )
            uow.customers.save(customer)
            usage = uow.capacity.lock(Tier.STANDARD, DAY, 10, clock.now())
            sell(uow, usage, clock.now())

            reread = uow.tickets.get(seeded.ticket.id)
            assert reread is not None
            assert reread.tier is Tier.STANDARD
            [listed] = uow.tickets.list_for_customer(seeded.customer.id)
            assert listed.tier is Tier.STANDARD
            moved = uow.customers.by_email(new_email)
            assert moved is not None
            assert moved.id == seeded.customer.id
            assert uow.customers.by_email(seeded.customer.email) is None
            assert uow.capacity.lock(Tier.STANDARD, DAY, 10, clock.now()).sold == 1

    def test_other_units_of_work_see_only_committed_data(
        self, uow_factory: UnitOfWorkFactory, seeded: Seeded, clock: FixedClock
    ) -> None:
        newcomer = new_customer(clock)
        with uow_factory() as writer, uow_factory() as reader:
            ticket = writer.tickets.get_for_update(seeded.ticket.id)
            assert ticket is not None
            upgrade(writer, ticket, clock.now())
            writer.customers.add(newcomer)
            writer.audit.record(new_entry(clock, str(seeded.ticket.id), "ticket.upgraded"))

            before = reader.tickets.get(seeded.ticket.id)
            assert before is not None
            assert before.tier is Tier.GENERAL
            assert reader.customers.get(newcomer.id) is None
            assert reader.customers.by_email(newcomer.email) is None
            assert reader.audit.for_entity("ticket", str(seeded.ticket.id)) == []

            writer.commit()

            # Read committed: the same open reader now sees what was committed.
            after = reader.tickets.get(seeded.ticket.id)
            assert after is not None
            assert after.tier is Tier.STANDARD
            assert reader.customers.get(newcomer.id) is not None
            assert len(reader.audit.for_entity("ticket", str(seeded.ticket.id))) == 1

    # -- locks ----------------------------------------------------------------------------

    @pytest.mark.parametrize("kind", list(LOCKABLES))
    def test_a_locked_record_waits_for_its_holder_and_then_reads_what_it_committed(
        self,
        uow_factory: UnitOfWorkFactory,
        seeded: Seeded,
        clock: FixedClock,
        kind: str,
    ) -> None:
        lockable = LOCKABLES[kind]
        acquired = threading.Event()

        def second() -> object:
            with uow_factory() as uow:
                record = lockable.lock(uow, seeded, clock.now())
                acquired.set()
                return lockable.observe(record)

        with uow_factory() as first, ThreadPoolExecutor(1) as pool:
            record = lockable.lock(first, seeded, clock.now())
            lockable.change(first, record, clock.now())
            waiting = pool.submit(second)
            blocked = not acquired.wait(0.1)
            first.commit()
            seen = waiting.result(timeout=5)

        assert blocked, f"a second transaction locked the {kind} while the first held it"
        assert seen == lockable.observe(record)

    @pytest.mark.parametrize("kind", list(LOCKABLES))
    def test_a_lock_not_granted_within_the_timeout_raises_busy(
        self,
        uow_factory: UnitOfWorkFactory,
        seeded: Seeded,
        clock: FixedClock,
        lock_timeout: float,
        kind: str,
    ) -> None:
        lockable = LOCKABLES[kind]
        with uow_factory() as first:
            lockable.lock(first, seeded, clock.now())
            with uow_factory() as second:
                started = time.monotonic()
                with pytest.raises(BusyError) as raised:
                    lockable.lock(second, seeded, clock.now())
                waited = time.monotonic() - started

        assert raised.value.code == "busy"
        assert lock_timeout * 0.8 <= waited < lock_timeout + 2

    @pytest.mark.parametrize("ending", ["commit", "leave", "rollback", "exception"])
    def test_every_way_of_ending_a_unit_of_work_releases_its_locks(
        self,
        uow_factory: UnitOfWorkFactory,
        seeded: Seeded,
        clock: FixedClock,
        lock_timeout: float,
        ending: str,
    ) -> None:
        ends_in_error = ending == "exception"
        with (
            pytest.raises(RuntimeError) if ends_in_error else contextlib.nullcontext(),
            uow_factory() as first,
        ):
            first.tickets.get_for_update(seeded.ticket.id)
            first.capacity.lock(Tier.STANDARD, DAY, 10, clock.now())
            if ending == "commit":
                first.commit()
            elif ending == "rollback":
                first.rollback()
            elif ends_in_error:
                raise RuntimeError

        with uow_factory() as second:
            started = time.monotonic()
            second.tickets.get_for_update(seeded.ticket.id)
            second.capacity.lock(Tier.STANDARD, DAY, 10, clock.now())
            assert time.monotonic() - started < lock_timeout / 2

    def test_a_failed_commit_releases_its_locks_too(
        self, uow_factory: UnitOfWorkFactory, seeded: Seeded, clock: FixedClock, lock_timeout: float
    ) -> None:
        with uow_factory() as first:
            first.tickets.get_for_update(seeded.ticket.id)
            first.customers.add(new_customer(clock, seeded.customer.email.value))
            with pytest.raises(ConflictError):
                first.commit()

        with uow_factory() as second:
            started = time.monotonic()
            second.tickets.get_for_update(seeded.ticket.id)
            assert time.monotonic() - started < lock_timeout / 2

    def test_locking_a_record_twice_in_one_unit_of_work_does_not_wait(
        self, uow_factory: UnitOfWorkFactory, seeded: Seeded, clock: FixedClock, lock_timeout: float
    ) -> None:
        with uow_factory() as uow:
            started = time.monotonic()
            for lockable in LOCKABLES.values():
                lockable.lock(uow, seeded, clock.now())
                lockable.lock(uow, seeded, clock.now())
            assert time.monotonic() - started < lock_timeout / 2

    def test_locks_on_other_records_do_not_wait(
        self, uow_factory: UnitOfWorkFactory, seeded: Seeded, clock: FixedClock, lock_timeout: float
    ) -> None:
        other = make_seed(clock)
        persist(uow_factory, *other.records)

        with uow_factory() as first, uow_factory() as second:
            first.tickets.get_for_update(seeded.ticket.id)
            first.orders.get_for_update(seeded.order.id)
            first.capacity.lock(Tier.NON_STOP, DAY, 10, clock.now())
            started = time.monotonic()
            second.tickets.get_for_update(other.ticket.id)
            second.orders.get_for_update(other.order.id)
            second.capacity.lock(Tier.DOUBLE_FUN, DAY, 10, clock.now())
            second.capacity.lock(Tier.NON_STOP, DAY + timedelta(days=1), 10, clock.now())
            second.tickets.get(seeded.ticket.id)  # plain reads never wait for a lock
            assert time.monotonic() - started < lock_timeout / 2

    # -- capacity -------------------------------------------------------------------------

    def test_capacity_is_counted_after_the_lock_so_the_next_seller_sees_the_hold(
        self, uow_factory: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        seed = make_seed(clock)
        persist(uow_factory, seed.customer, seed.ticket)
        counted = threading.Event()

        def second_seller() -> DailyCapacity:
            with uow_factory() as uow:
                usage = uow.capacity.lock(Tier.NON_STOP, DAY, 1, clock.now())
                counted.set()
                return usage

        with uow_factory() as first, ThreadPoolExecutor(1) as pool:
            usage = first.capacity.lock(Tier.NON_STOP, DAY, 1, clock.now())
            assert (usage.sold, usage.held, usage.remaining) == (0, 0, 1)
            usage.hold_one()
            first.orders.add(new_order(clock, seed.ticket))
            waiting = pool.submit(second_seller)
            assert not counted.wait(0.1)
            first.commit()
            seen = waiting.result(timeout=5)

        assert (seen.sold, seen.held, seen.is_sold_out) == (0, 1, True)

    def test_capacity_counts_sales_and_live_holds_only(
        self, uow_factory: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        lapsing, paying, live, cancelled = (make_seed(clock) for _ in range(4))
        for seed in (lapsing, paying, live, cancelled):
            persist(uow_factory, seed.customer, seed.ticket)
        paying.order.start_payment(clock.now())
        persist(uow_factory, lapsing.order, paying.order)
        clock.advance(HOLD)  # the first quote lapses; a payment in flight keeps its unit
        live.order, cancelled.order = (
            new_order(clock, live.ticket),
            new_order(clock, cancelled.ticket),
        )

        def write(uow: UnitOfWork) -> None:
            uow.orders.add(live.order)
            cancel(uow, cancelled.order, clock.now())
            usage = uow.capacity.lock(Tier.NON_STOP, DAY, 10, clock.now())
            usage.sold = 3
            uow.capacity.save(usage)

        commit(uow_factory, write)

        with uow_factory() as uow:
            shown = uow.capacity.usage([(Tier.NON_STOP, DAY), (Tier.STANDARD, DAY)], clock.now())
            locked = uow.capacity.lock(Tier.NON_STOP, DAY, 10, clock.now())
        assert shown == {(Tier.NON_STOP, DAY): (3, 2), (Tier.STANDARD, DAY): (0, 0)}
        assert (locked.capacity, locked.sold, locked.held, locked.remaining) == (10, 3, 2, 5)

    def test_units_sold_are_kept_per_tier_and_date(
        self, uow_factory: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        def sell(uow: UnitOfWork) -> None:
            usage = uow.capacity.lock(Tier.STANDARD, DAY, 10, clock.now())
            usage.sold = 4
            uow.capacity.save(usage)

        with uow_factory() as uow:
            sell(uow)  # never committed
        commit(uow_factory, sell)

        keys = [(Tier.STANDARD, DAY), (Tier.NON_STOP, DAY), (Tier.STANDARD, DAY + timedelta(1))]
        with uow_factory() as uow:
            shown = uow.capacity.usage(keys, clock.now())
        assert [shown[key] for key in keys] == [(4, 0), (0, 0), (0, 0)]

    # -- uniqueness -----------------------------------------------------------------------

    def test_a_second_customer_with_a_taken_email_is_refused_at_commit(
        self, uow_factory: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        email = f"ana-{uuid.uuid4().hex[:8]}@example.com"
        first, second = new_customer(clock, email), new_customer(clock, email)
        stray = new_ticket(clock, first)
        with uow_factory() as one, uow_factory() as other:
            one.customers.add(first)
            other.customers.add(second)
            one.commit()
            other.tickets.add(stray)
            with pytest.raises(ConflictError) as raised:
                other.commit()

        assert raised.value.code == "email_taken"
        with uow_factory() as uow:
            kept = uow.customers.by_email(first.email)
            assert kept is not None
            assert kept.id == first.id
            assert uow.customers.get(second.id) is None
            assert uow.tickets.get(stray.id) is None  # a failed commit writes nothing

    def test_changing_an_email_to_a_taken_one_is_refused_and_the_freed_one_can_be_taken(
        self, uow_factory: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        ana, ben = new_customer(clock), new_customer(clock)
        persist(uow_factory, ana, ben)
        old_email = ana.email

        with uow_factory() as uow:
            taking = uow.customers.get_for_update(ana.id)
            assert taking is not None
            taking.change_details(CustomerDetails(ben.email, "Ana", "Lima"), clock.now())
            uow.customers.save(taking)
            with pytest.raises(ConflictError) as raised:
                uow.commit()
        assert raised.value.code == "email_taken"

        moved = EmailAddress.parse(f"moved-{uuid.uuid4().hex[:8]}@example.com")

        def move(uow: UnitOfWork) -> None:
            customer = uow.customers.get_for_update(ana.id)
            assert customer is not None
            customer.change_details(CustomerDetails(moved, "Ana", "Lima"), clock.now())
            uow.customers.save(customer)

        commit(uow_factory, move)
        newcomer = new_customer(clock, old_email.value)
        persist(uow_factory, newcomer)

        with uow_factory() as uow:
            assert [
                c.id if c else None
                for c in (
                    uow.customers.by_email(moved),
                    uow.customers.by_email(old_email),
                    uow.customers.by_email(ben.email),
                )
            ] == [ana.id, newcomer.id, ben.id]

    def test_a_confirmation_code_already_used_is_refused_at_commit(
        self, uow_factory: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        ana, ben = make_seed(clock), make_seed(clock)
        persist(uow_factory, *ana.records, *ben.records)
        code = "7K3M9QXZ"

        def confirm_with(seed: Seeded) -> Callable[[UnitOfWork], None]:
            def write(uow: UnitOfWork) -> None:
                order = uow.orders.get_for_update(seed.order.id)
                assert order is not None
                confirm(order, code, clock.now())
                uow.orders.save(order)

            return write

        commit(uow_factory, confirm_with(ana))
        with pytest.raises(ConflictError) as raised:
            commit(uow_factory, confirm_with(ben))

        assert raised.value.code == "confirmation_code_taken"
        with uow_factory() as uow:
            first, second = uow.orders.get(ana.order.id), uow.orders.get(ben.order.id)
        assert first is not None
        assert second is not None
        assert (first.status, second.status) == (OrderStatus.CONFIRMED, OrderStatus.PENDING)

    @pytest.mark.parametrize("first_state", ["pending", "processing"])
    def test_a_second_live_order_for_a_ticket_is_refused_at_commit(
        self, uow_factory: UnitOfWorkFactory, seeded: Seeded, clock: FixedClock, first_state: str
    ) -> None:
        if first_state == "processing":
            commit(uow_factory, lambda uow: start_paying(uow, seeded.order, clock.now()))
            clock.advance(HOLD * 2)  # a payment in flight holds its unit past the quote's time
        second = new_order(clock, seeded.ticket, Tier.DOUBLE_FUN)

        with pytest.raises(ConflictError) as raised:
            persist(uow_factory, second)

        assert raised.value.code == "upgrade_in_progress"
        with uow_factory() as uow:
            assert uow.orders.get(second.id) is None

    def test_two_transactions_racing_to_quote_one_ticket_leave_one_live_order(
        self, uow_factory: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        seed = make_seed(clock)
        persist(uow_factory, seed.customer, seed.ticket)
        first, second = new_order(clock, seed.ticket), new_order(clock, seed.ticket, Tier.STANDARD)

        with uow_factory() as one, uow_factory() as other:
            one.orders.add(first)
            other.orders.add(second)
            one.commit()
            with pytest.raises(ConflictError) as raised:
                other.commit()

        assert raised.value.code == "upgrade_in_progress"
        with uow_factory() as uow:
            live = uow.orders.live_for_ticket(seed.ticket.id, clock.now())
        assert live is not None
        assert live.id == first.id

    @pytest.mark.parametrize("ended", ["lapsed", "cancelled"])
    def test_an_order_no_longer_holding_capacity_does_not_block_a_new_one(
        self, uow_factory: UnitOfWorkFactory, seeded: Seeded, clock: FixedClock, ended: str
    ) -> None:
        if ended == "cancelled":
            commit(uow_factory, lambda uow: cancel(uow, seeded.order, clock.now()))
        else:
            clock.advance(HOLD)
        second = new_order(clock, seeded.ticket, Tier.DOUBLE_FUN)

        persist(uow_factory, second)

        with uow_factory() as uow:
            live = uow.orders.live_for_ticket(seeded.ticket.id, clock.now())
        assert live is not None
        assert live.id == second.id

    # -- outbox ---------------------------------------------------------------------------

    def test_the_outbox_gives_due_messages_oldest_first_and_nothing_else(
        self, uow_factory: UnitOfWorkFactory, seeded: Seeded, clock: FixedClock
    ) -> None:
        start = clock.now()
        clock.advance(timedelta(seconds=1))
        second = new_message(clock, seeded.order)
        retrying, sending, sent, failed = (new_message(clock) for _ in range(4))
        retrying.claim(clock.now())
        retrying.mark_failed(clock.now(), "try later", timedelta(minutes=10))
        sending.claim(clock.now())
        sent.claim(clock.now())
        sent.mark_sent(clock.now())
        failed.claim(clock.now())
        failed.mark_failed(clock.now(), "gave up", None)
        for message in (second, retrying, sending, sent, failed):
            persist(uow_factory, message)

        with uow_factory() as uow:
            due_now = uow.outbox.due(clock.now(), 10)
            just_one = uow.outbox.due(clock.now(), 1)
            due_at_start = uow.outbox.due(start, 10)
            later = uow.outbox.due(clock.now() + timedelta(minutes=10), 10)

        assert list(due_now) == [seeded.message.id, second.id]
        assert list(just_one) == [seeded.message.id]
        assert list(due_at_start) == [seeded.message.id]
        assert set(later) == {seeded.message.id, second.id, retrying.id}

    def test_the_outbox_finds_claims_older_than_an_instant(
        self, uow_factory: UnitOfWorkFactory, seeded: Seeded, clock: FixedClock
    ) -> None:
        claimed_at = clock.now()
        commit(uow_factory, lambda uow: claim(uow, seeded.message, claimed_at))
        other = new_message(clock)
        persist(uow_factory, other)  # pending, never claimed

        with uow_factory() as uow:
            before = uow.outbox.stuck(claimed_at - timedelta(seconds=1), 10)
            at = uow.outbox.stuck(claimed_at, 10)
            after = uow.outbox.stuck(claimed_at + timedelta(minutes=5), 10)
            none = uow.outbox.stuck(claimed_at + timedelta(minutes=5), 0)
            due = uow.outbox.due(claimed_at + timedelta(minutes=5), 10)

        assert (list(before), list(at), list(after), list(none)) == (
            [],
            [seeded.message.id],
            [seeded.message.id],
            [],
        )
        assert list(due) == [other.id]  # a claimed message is not due

    def test_the_outbox_lists_an_orders_messages_oldest_first(
        self, uow_factory: UnitOfWorkFactory, seeded: Seeded, clock: FixedClock
    ) -> None:
        clock.advance(timedelta(seconds=1))
        later = new_message(clock, seeded.order)
        unrelated = new_message(clock)
        persist(uow_factory, later, unrelated)

        with uow_factory() as uow:
            messages = uow.outbox.for_order(seeded.order.id)

        assert [m.id for m in messages] == [seeded.message.id, later.id]

    def test_an_outbox_message_keeps_its_delivery_state(
        self, uow_factory: UnitOfWorkFactory, seeded: Seeded, clock: FixedClock
    ) -> None:
        def fail_once(uow: UnitOfWork) -> OutboxMessage:
            message = uow.outbox.get_for_update(seeded.message.id)
            assert message is not None
            message.claim(clock.now())
            message.mark_failed(clock.now(), "mail server unavailable", timedelta(seconds=30))
            uow.outbox.save(message)
            return message

        with uow_factory() as uow:
            expected = state(fail_once(uow))
            uow.commit()

        with uow_factory() as uow:
            message = uow.outbox.get_for_update(seeded.message.id)
        assert message is not None
        assert state(message) == expected
        assert (message.attempts, message.status) == (1, DeliveryStatus.PENDING)

    # -- audit ----------------------------------------------------------------------------

    def test_the_audit_log_only_ever_grows_in_the_order_entries_were_written(
        self, uow_factory: UnitOfWorkFactory, clock: FixedClock
    ) -> None:
        entity_id = str(uuid.uuid4())
        first, second, third = (
            new_entry(clock, entity_id, action) for action in ("one", "two", "three")
        )
        elsewhere = new_entry(clock, str(uuid.uuid4()), "elsewhere")
        persist(uow_factory, first, elsewhere)
        with uow_factory() as uow:
            uow.audit.record(new_entry(clock, entity_id, "rolled back"))
        persist(uow_factory, second, third)

        with uow_factory() as uow:
            entries = uow.audit.for_entity("ticket", entity_id)
            other_entity = uow.audit.for_entity("customer", entity_id)

        assert entries == [first, second, third]
        assert [(e.id, e.before, e.after) for e in entries] == [
            (e.id, e.before, e.after) for e in (first, second, third)
        ]
        assert other_entity == []

    # -- the payment ledger -----------------------------------------------------------------

    def test_the_ledger_finds_unsettled_attempts_oldest_first_and_pending_refunds_by_ticket(
        self, uow_factory: UnitOfWorkFactory, seeded: Seeded, clock: FixedClock
    ) -> None:
        """What reconciliation and the quote's refund check read: attempts still `started`
        (charges and refunds alike), and whether one of a ticket's upgrades is being refunded."""
        other_ticket = new_ticket(clock, seeded.customer)
        other_order = new_order(clock, other_ticket)
        persist(uow_factory, other_ticket, other_order)
        now = clock.now()
        charging = ledger_entry(seeded.order.id, "charge-1", now - timedelta(minutes=10))
        refunding = ledger_entry(
            seeded.order.id, "refund-ch_1", now - timedelta(minutes=5), AttemptKind.REFUND
        )
        paid = ledger_entry(other_order.id, "charge-2", now - timedelta(minutes=20))
        paid.settle(AttemptOutcome.SUCCEEDED, now, charge_id="ch_2")
        commit(uow_factory, lambda uow: [uow.payments.add(a) for a in (paid, refunding, charging)])

        with uow_factory() as uow:
            assert [a.id for a in uow.payments.unsettled(now, 10)] == [charging.id, refunding.id]
            assert [a.id for a in uow.payments.unsettled(now, 1)] == [charging.id]
            older = uow.payments.unsettled(now - timedelta(minutes=7), 10)
            assert [a.id for a in older] == [charging.id]
            assert uow.payments.refund_pending_for_ticket(seeded.ticket.id)
            assert not uow.payments.refund_pending_for_ticket(other_ticket.id)

        def refunded(uow: UnitOfWork) -> None:
            refunding.settle(AttemptOutcome.SUCCEEDED, now, refund_id="re_1")
            uow.payments.save(refunding)

        commit(uow_factory, refunded)
        with uow_factory() as uow:
            assert [a.id for a in uow.payments.unsettled(now, 10)] == [charging.id]
            assert not uow.payments.refund_pending_for_ticket(seeded.ticket.id)
            assert uow.payments.by_key("refund-ch_1").refund_id == "re_1"  # type: ignore[union-attr]


def ledger_entry(
    order_id: OrderId, key: str, at: datetime, kind: AttemptKind = AttemptKind.CHARGE
) -> PaymentAttempt:
    """A `started` attempt; a refund names the charge it gives back."""
    return PaymentAttempt(
        id=uuid.uuid4(),
        order_id=order_id,
        attempt=1,
        idempotency_key=key,
        amount=Money.of("31.25", "USD"),
        brand="visa",
        last4="4242",
        outcome=AttemptOutcome.STARTED,
        created_at=at,
        updated_at=at,
        charge_id="ch_1" if kind is AttemptKind.REFUND else None,
        kind=kind,
    )


# -- the in-memory adapter ---------------------------------------------------------------------


class TestMemoryUnitOfWork(UnitOfWorkContract):
    @pytest.fixture
    def uow_factory(
        self, clock: FixedClock, lock_timeout: float, tmp_path: Path
    ) -> UnitOfWorkFactory:
        settings = make_settings(tmp_path, lock_timeout_seconds=lock_timeout)
        return build_test_container(settings, clock).unit_of_work


# -- PostgreSQL ---------------------------------------------------------------------------------


class TestPostgresUnitOfWork(UnitOfWorkContract):
    @pytest.fixture
    def uow_factory(
        self, clock: FixedClock, lock_timeout: float, tmp_path: Path, postgres_url: str
    ) -> Iterator[UnitOfWorkFactory]:
        settings = make_settings(
            tmp_path,
            profile="postgres",
            database_url=postgres_url,
            lock_timeout_seconds=lock_timeout,
        )
        container = build_test_container(settings, clock)
        engine = container.postgres_engine()
        empty_tables(engine)
        yield container.unit_of_work
        container.shutdown_resources()


# -- Aurora through the Data API ------------------------------------------------------------------


class TestDataApiUnitOfWork(UnitOfWorkContract):
    """The aurora persistence: the same SQL through the aurora-data-api driver and its
    SQLAlchemy dialect, against the Data API stand-in over the run's PostgreSQL."""

    @pytest.fixture
    def uow_factory(
        self,
        clock: FixedClock,
        lock_timeout: float,
        tmp_path: Path,
        postgres_url: str,
        data_api: DataApiServer,
    ) -> Iterator[UnitOfWorkFactory]:
        settings = aurora_settings(tmp_path, postgres_url, lock_timeout_seconds=lock_timeout)
        container = build_test_container(settings, clock)
        engine = container.aurora_engine()
        empty_tables(engine)
        yield container.unit_of_work
        container.shutdown_resources()
        assert data_api.open_transactions == 0, "a unit of work left its transaction open"
