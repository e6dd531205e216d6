"""Small makers of domain values for the domain's unit tests (no application, no adapters)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import UUID

from domain.confirmation import ConfirmationCode
from domain.ids import CustomerId, OrderId, TicketId
from domain.money import Money
from domain.orders import PaymentRecord, UpgradeOrder
from domain.pricing import DEFAULT_LIST_PRICES, PriceTable, UpgradePrice, price_upgrade
from domain.tickets import Ticket, TicketNumber, TicketStatus
from domain.tiers import Tier

# Tuesday 10 March 2026, 09:00 at the park (America/Los_Angeles), as in tests/conftest.
NOW = datetime(2026, 3, 10, 16, 0, tzinfo=UTC)
TODAY = date(2026, 3, 10)
HOLD = timedelta(minutes=15)
SOON = NOW + timedelta(minutes=1)
LATER = NOW + timedelta(minutes=2)

CUSTOMER = CustomerId(UUID("00000000-0000-4000-8000-000000000001"))
TICKET_ID = TicketId(UUID("00000000-0000-4000-8000-000000000002"))
ORDER_ID = OrderId(UUID("00000000-0000-4000-8000-000000000003"))
RECEIPT = PaymentRecord("pay_123", "visa", "4242")
CODE = ConfirmationCode("7K3M9XQ2")


def usd(amount: str) -> Money:
    return Money.of(amount, "USD")


def default_prices() -> PriceTable:
    return PriceTable.load({tier: usd(price) for tier, price in DEFAULT_LIST_PRICES.items()})


def ticket(
    tier: Tier = Tier.GENERAL,
    visit_date: date = date(2026, 3, 20),
    paid: str = "59.00",
    status: TicketStatus = TicketStatus.ACTIVE,
) -> Ticket:
    return Ticket(
        id=TICKET_ID,
        number=TicketNumber("TKT-00012345"),
        customer_id=CUSTOMER,
        tier=tier,
        visit_date=visit_date,
        price_paid=usd(paid),
        status=status,
        purchased_at=NOW - timedelta(days=30),
        updated_at=NOW - timedelta(days=30),
    )


def upgrade_price(
    held: Ticket, target: Tier = Tier.NON_STOP, day: date = date(2026, 3, 20)
) -> UpgradePrice:
    return price_upgrade(default_prices(), held.tier, held.price_paid, target, day)


# -- an order in each state (a General ticket of 20 March upgraded to Non-stop that day) -------


def quoted() -> UpgradeOrder:
    held = ticket(Tier.GENERAL, paid="59.00")
    order = UpgradeOrder.quote(ORDER_ID, held, upgrade_price(held, Tier.NON_STOP), NOW, HOLD)
    order.pull_events()
    return order


def paying() -> UpgradeOrder:
    order = quoted()
    order.start_payment(SOON)
    order.pull_events()
    return order


def confirmed() -> UpgradeOrder:
    order = paying()
    order.confirm(RECEIPT, CODE, LATER)
    order.pull_events()
    return order


def failed() -> UpgradeOrder:
    """Three declines: the quote is closed."""
    order = quoted()
    for _ in range(3):
        order.start_payment(SOON)
        order.record_decline("card_declined", SOON, max_declines=3)
    order.pull_events()
    return order


def cancelled() -> UpgradeOrder:
    order = quoted()
    order.cancel(SOON)
    order.pull_events()
    return order


def expired() -> UpgradeOrder:
    order = quoted()
    order.expire_if_lapsed(NOW + HOLD)
    order.pull_events()
    return order
