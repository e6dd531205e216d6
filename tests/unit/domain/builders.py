"""Small makers of domain values for the domain's unit tests (no application, no adapters)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import UUID

from domain.ids import CustomerId, OrderId, TicketId
from domain.money import Money
from domain.pricing import DEFAULT_LIST_PRICES, PriceTable, UpgradePrice, price_upgrade
from domain.tickets import Ticket, TicketNumber, TicketStatus
from domain.tiers import Tier

# Tuesday 10 March 2026, 09:00 at the park (America/Los_Angeles), as in tests/conftest.
NOW = datetime(2026, 3, 10, 16, 0, tzinfo=UTC)
TODAY = date(2026, 3, 10)
HOLD = timedelta(minutes=15)

CUSTOMER = CustomerId(UUID("00000000-0000-4000-8000-000000000001"))
TICKET_ID = TicketId(UUID("00000000-0000-4000-8000-000000000002"))
ORDER_ID = OrderId(UUID("00000000-0000-4000-8000-000000000003"))


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
