"""The whole upgrade through the use cases: the path every other test varies."""

from domain.orders import OrderStatus
from domain.tiers import Tier
from tests.builders import World


def test_a_quoted_and_paid_upgrade_moves_the_ticket_up_and_emails_the_code(world: World) -> None:
    ana = world.customer("ana@example.com")
    ticket = world.ticket(ana, Tier.GENERAL, visit_in=10)

    order = world.quote(ana, ticket, Tier.NON_STOP, world.day(12))
    paid = world.pay(ana, order.id)

    assert paid.status is OrderStatus.CONFIRMED
    code = paid.order.confirmation_code
    assert code is not None
    upgraded = world.stored_ticket(ticket.id)
    assert (upgraded.tier, upgraded.visit_date) == (Tier.NON_STOP, world.day(12))
    assert upgraded.price_paid == ticket.price_paid + order.order.amount_due
    [email] = world.sent_emails()
    assert email.to == "ana@example.com"
    assert code.value in email.text
    assert code.value in email.html
