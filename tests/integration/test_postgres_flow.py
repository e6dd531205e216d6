"""The upgrade through the use cases on PostgreSQL: the same path the memory tests take."""

from adapters.clock import FixedClock
from domain.orders import OrderStatus
from domain.tiers import Tier
from infra.container import Container
from tests.builders import World


def test_a_quoted_and_paid_upgrade_is_stored_with_its_email_and_audit_trail(
    postgres_container: Container, clock: FixedClock
) -> None:
    world = World(postgres_container, clock)
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
    with postgres_container.unit_of_work() as uow:
        actions = [e.action for e in uow.audit.for_entity("upgrade_order", str(order.id))]
        attempts = uow.payments.for_order(order.order.id)
    assert actions == ["upgrade.quoted", "upgrade.payment_started", "upgrade.confirmed"]
    assert [(a.outcome.value, a.charge_id is not None) for a in attempts] == [("succeeded", True)]
