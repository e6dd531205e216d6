"""DispatchOutbox: each email sent once; transient failures retried with growing pauses,
permanent ones given up; a claim left by a dead dispatcher is released after the lease."""

from datetime import date, timedelta

import pytest

from application.outbox import DeliveryStatus, OutboxMessage
from application.use_cases.dispatch_outbox import DispatchOutbox, DispatchReport
from domain.ids import CustomerId, OrderId
from domain.tiers import Tier
from tests.builders import World
from tests.unit.application.conftest import AttemptRecordingSender, DispatcherKilled, WorldFactory

DAY = date(2026, 3, 20)


@pytest.fixture
def sender() -> AttemptRecordingSender:
    return AttemptRecordingSender()


@pytest.fixture
def mail_world(world_with: WorldFactory, sender: AttemptRecordingSender) -> World:
    return world_with(overrides={"email_sender": sender})


def confirmed_order(world: World) -> tuple[CustomerId, OrderId]:
    """A paid upgrade: its confirmation email waits in the outbox."""
    customer = world.customer()
    order = world.quote(customer, world.ticket(customer), Tier.NON_STOP, DAY)
    world.pay(customer, order.id)
    return customer, order.id


def dispatch(world: World) -> DispatchReport:
    return world.container.dispatch_outbox()()


def outbox_message(world: World, order_id: OrderId) -> OutboxMessage:
    with world.container.unit_of_work() as uow:
        [message] = uow.outbox.for_order(order_id)
    return message


def email_status(world: World, customer: CustomerId, order_id: OrderId) -> str | None:
    return world.container.get_order()(customer, order_id).email_status


def test_a_waiting_email_is_sent_once(mail_world: World, sender: AttemptRecordingSender) -> None:
    customer, order_id = confirmed_order(mail_world)

    first, second = dispatch(mail_world), dispatch(mail_world)

    assert first == DispatchReport(sent=1)
    assert second == DispatchReport()
    [sent] = sender.attempts
    message = outbox_message(mail_world, order_id)
    assert sent.id == message.id
    assert (message.status, message.attempts, message.sent_at) == (
        DeliveryStatus.SENT,
        1,
        mail_world.clock.now(),
    )
    assert email_status(mail_world, customer, order_id) == "sent"


def test_nothing_to_send_is_a_quiet_dispatch(mail_world: World) -> None:
    assert dispatch(mail_world) == DispatchReport()


def test_a_transient_failure_is_retried_after_a_pause_with_the_same_message_id(
    mail_world: World, sender: AttemptRecordingSender
) -> None:
    customer, order_id = confirmed_order(mail_world)
    sender.failures = 1

    assert dispatch(mail_world) == DispatchReport(retried=1)
    assert email_status(mail_world, customer, order_id) == "pending"
    assert outbox_message(mail_world, order_id).last_error == "mail server unavailable"

    mail_world.clock.advance(timedelta(seconds=29))
    assert dispatch(mail_world) == DispatchReport()
    assert len(sender.attempts) == 1

    mail_world.clock.advance(timedelta(seconds=1))
    assert dispatch(mail_world) == DispatchReport(sent=1)
    first, second = sender.attempts
    assert first.id == second.id == outbox_message(mail_world, order_id).id
    assert email_status(mail_world, customer, order_id) == "sent"


def test_each_retry_waits_twice_as_long_as_the_one_before(
    mail_world: World, sender: AttemptRecordingSender
) -> None:
    confirmed_order(mail_world)
    sender.failures = 3
    start = mail_world.clock.now()
    attempted_at = []

    for _ in range(300):  # ten-second steps through the first minutes
        before = len(sender.attempts)
        dispatch(mail_world)
        if len(sender.attempts) > before:
            attempted_at.append(mail_world.clock.now() - start)
        mail_world.clock.advance(timedelta(seconds=10))

    assert [delta.total_seconds() for delta in attempted_at] == [0, 30, 90, 210]
    assert len(sender.sent) == 1


def test_a_permanent_failure_is_given_up_at_once(
    mail_world: World, sender: AttemptRecordingSender
) -> None:
    customer, order_id = confirmed_order(mail_world)
    sender.failures, sender.permanent = 1, True

    assert dispatch(mail_world) == DispatchReport(failed=1)
    mail_world.clock.advance(timedelta(days=1))
    assert dispatch(mail_world) == DispatchReport()

    assert len(sender.attempts) == 1
    assert sender.sent == []
    message = outbox_message(mail_world, order_id)
    assert (message.status, message.last_error) == (
        DeliveryStatus.FAILED,
        "mail server unavailable",
    )
    assert email_status(mail_world, customer, order_id) == "failed"


def test_a_message_is_given_up_after_the_last_attempt(
    mail_world: World, sender: AttemptRecordingSender
) -> None:
    customer, order_id = confirmed_order(mail_world)
    sender.failures = 100
    reports = []

    for _ in range(12):
        reports.append(dispatch(mail_world))
        mail_world.clock.advance(timedelta(hours=1))

    assert len(sender.attempts) == 8
    assert reports[:7] == [DispatchReport(retried=1)] * 7
    assert reports[7] == DispatchReport(failed=1)
    assert set(reports[8:]) == {DispatchReport()}
    assert outbox_message(mail_world, order_id).status is DeliveryStatus.FAILED
    assert email_status(mail_world, customer, order_id) == "failed"


def test_the_pause_between_attempts_never_exceeds_the_longest_retry(
    mail_world: World, sender: AttemptRecordingSender
) -> None:
    container = mail_world.container
    patient = DispatchOutbox(
        uow=container.unit_of_work,
        clock=mail_world.clock,
        sender=sender,
        progress=container.progress(),
        max_attempts=20,
        longest_retry=timedelta(minutes=10),
    )
    sender.failures = 100
    _, order_id = confirmed_order(mail_world)
    pauses = []

    for _ in range(8):
        patient()
        message = outbox_message(mail_world, order_id)
        pauses.append(message.next_attempt_at - mail_world.clock.now())
        mail_world.clock.set(message.next_attempt_at)

    assert [p.total_seconds() for p in pauses] == [30, 60, 120, 240, 480, 600, 600, 600]


def test_one_failing_email_does_not_hold_up_the_others(
    mail_world: World, sender: AttemptRecordingSender
) -> None:
    _, first = confirmed_order(mail_world)
    _, second = confirmed_order(mail_world)
    sender.failures = 1

    assert dispatch(mail_world) == DispatchReport(sent=1, retried=1)
    assert [m.id for m in sender.sent] == [outbox_message(mail_world, second).id]
    assert outbox_message(mail_world, first).status is DeliveryStatus.PENDING


def test_a_claim_left_by_a_dead_dispatcher_is_released_after_the_lease_and_resent(
    mail_world: World, sender: AttemptRecordingSender
) -> None:
    customer, order_id = confirmed_order(mail_world)
    sender.crash = True
    with pytest.raises(DispatcherKilled):
        dispatch(mail_world)
    assert outbox_message(mail_world, order_id).status is DeliveryStatus.SENDING
    assert email_status(mail_world, customer, order_id) == "pending"

    mail_world.clock.advance(timedelta(minutes=4, seconds=59))
    assert dispatch(mail_world) == DispatchReport()
    assert len(sender.attempts) == 1

    mail_world.clock.advance(timedelta(seconds=1))
    assert dispatch(mail_world) == DispatchReport(sent=1, released=1)

    crashed, resent = sender.attempts
    assert crashed.id == resent.id  # the same Message-ID: the receiver sees one message
    assert (resent.subject, resent.text) == (crashed.subject, crashed.text)
    message = outbox_message(mail_world, order_id)
    assert (message.status, message.attempts) == (DeliveryStatus.SENT, 2)
    assert email_status(mail_world, customer, order_id) == "sent"
