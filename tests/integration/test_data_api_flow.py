"""The upgrade through the use cases on the aws profile's persistence: Aurora through the Data
API (the real driver and dialect, against the stand-in server over PostgreSQL)."""

from datetime import timedelta

import pytest

from adapters.clock import FixedClock
from adapters.identity.logins import Login
from adapters.sql.unit_of_work import SqlUnitOfWork
from application.ports.idempotency import StoredResponse
from domain.errors import ConflictError
from domain.orders import OrderStatus
from domain.tiers import Tier
from infra.container import USE_CASES, Container
from tests.builders import World
from tests.support.data_api_server import DataApiServer


def test_the_aws_profile_builds_every_use_case_on_the_data_api(
    aurora_container: Container,
) -> None:
    for name in USE_CASES:
        assert getattr(aurora_container, name)() is not None
    assert isinstance(aurora_container.unit_of_work(), SqlUnitOfWork)
    assert aurora_container.aurora_engine().dialect.driver == "aurora_data_api"


def test_a_quoted_and_paid_upgrade_is_stored_with_its_email_and_audit_trail(
    aurora_container: Container, clock: FixedClock, data_api: DataApiServer
) -> None:
    world = World(aurora_container, clock)
    ana = world.customer("ana@example.com")
    ticket = world.ticket(ana, Tier.GENERAL, visit_in=10)

    order = world.quote(ana, ticket, Tier.NON_STOP, world.day(12))
    paid = world.pay(ana, order.id)

    assert paid.status is OrderStatus.CONFIRMED
    upgraded = world.stored_ticket(ticket.id)
    assert (upgraded.tier, upgraded.visit_date) == (Tier.NON_STOP, world.day(12))
    assert upgraded.price_paid == ticket.price_paid + order.order.amount_due
    [email] = world.sent_emails()
    assert paid.order.confirmation_code is not None
    assert paid.order.confirmation_code.value in email.text
    with aurora_container.unit_of_work() as uow:
        stored = uow.orders.get(order.order.id)
        entries = uow.audit.for_entity("upgrade_order", str(order.id))
        attempts = uow.payments.for_order(order.order.id)
        [message] = uow.outbox.for_order(order.order.id)
    assert stored is not None
    assert (stored.status, stored.confirmation_code) == (
        OrderStatus.CONFIRMED,
        paid.order.confirmation_code,
    )
    assert stored.confirmed_at == clock.now()
    assert stored.confirmed_at.utcoffset() == timedelta(0)
    assert [e.action for e in entries] == [
        "upgrade.quoted",
        "upgrade.payment_started",
        "upgrade.confirmed",
    ]
    assert all(e.at == clock.now() for e in entries)
    assert entries[-1].after is not None  # JSONB read back as a mapping
    assert entries[-1].after["status"] == "confirmed"
    assert [(a.outcome.value, a.charge_id is not None) for a in attempts] == [("succeeded", True)]
    assert (message.status.value, message.sent_at) == ("sent", clock.now())
    assert data_api.open_transactions == 0


def test_a_second_login_with_a_taken_email_is_refused(
    aurora_container: Container, clock: FixedClock
) -> None:
    logins = aurora_container.login_store()
    logins.add(Login("sub-ana", "ana@example.com", "hash"))

    with pytest.raises(ConflictError) as raised:
        logins.add(Login("sub-other", "ana@example.com", "hash"))
    logins.add(Login("sub-ben", "ben@example.com", "hash"))
    with pytest.raises(ConflictError) as moved:
        logins.change_email("sub-ben", "ana@example.com")

    assert (raised.value.code, moved.value.code) == ("email_taken", "email_taken")
    found = logins.by_email("ana@example.com")
    assert found is not None
    assert found.subject == "sub-ana"


def test_an_idempotent_answer_keeps_its_bytes(
    aurora_container: Container, clock: FixedClock
) -> None:
    store = aurora_container.idempotency_store()
    body = bytes(range(256))  # every byte value, through blobValue's base64
    now = clock.now()
    store.claim("ana", "k1", "print", now, now - timedelta(days=1))
    store.complete("ana", "k1", StoredResponse(200, body, "application/octet-stream"))

    replay = store.claim("ana", "k1", "print", now, now - timedelta(days=1))

    assert replay is not None
    assert replay.response == StoredResponse(200, body, "application/octet-stream")
    assert replay.created_at == now
