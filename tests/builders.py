"""Test data builders: customers, tickets and orders made the way the application makes them."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from adapters.clock import FixedClock
from application.results import OrderResult
from application.use_cases.customers import RegisterCustomerCommand
from application.use_cases.pay_for_upgrade import PayForUpgradeCommand
from application.use_cases.quote_upgrade import QuoteUpgradeCommand
from domain.cards import PaymentCard
from domain.ids import CustomerId, OrderId, TicketId
from domain.money import Money
from domain.tickets import Ticket, TicketNumber, TicketStatus
from domain.tiers import Tier
from infra.container import Container

PASSWORD = "Sunny-day-42"
GOOD_CARD = "4242424242424242"
CARDS = {
    "success": "4242424242424242",
    "card_declined": "4000000000000002",
    "insufficient_funds": "4000000000009995",
    "expired_card": "4000000000000069",
    "incorrect_cvc": "4000000000000127",
    "processing_error": "4000000000000119",
}


def card(number: str = GOOD_CARD, exp_year: int = 2030, cvc: str = "123") -> PaymentCard:
    return PaymentCard.parse(number, 12, exp_year, cvc, "Ana Test")


@dataclass
class World:
    """A memory-profile application on a fixed clock, with helpers to populate it."""

    container: Container
    clock: FixedClock
    _serials: Any = field(default_factory=lambda: itertools.count(1))
    _emails: Any = field(default_factory=lambda: itertools.count(1))

    @property
    def today(self) -> date:
        return self.container.policy().park.today(self.clock.now())

    def day(self, days_ahead: int) -> date:
        return self.today + timedelta(days=days_ahead)

    def customer(
        self, email: str | None = None, first: str = "Ana", last: str = "Test"
    ) -> CustomerId:
        address = email or f"customer{next(self._emails)}@example.com"
        result = self.container.register_customer()(
            RegisterCustomerCommand(address, PASSWORD, first, last)
        )
        return result.customer.id

    def ticket(
        self,
        owner: CustomerId,
        tier: Tier = Tier.GENERAL,
        visit_in: int = 10,
        status: TicketStatus = TicketStatus.ACTIVE,
        price_paid: str | None = None,
    ) -> Ticket:
        visit = self.day(visit_in)
        prices = self.container.policy().prices
        paid = (
            Money(Decimal(price_paid), prices.currency) if price_paid else prices.price(tier, visit)
        )
        now = self.clock.now()
        ticket = Ticket(
            id=TicketId(self.container.ids().new_id()),
            number=TicketNumber.from_serial(next(self._serials)),
            customer_id=owner,
            tier=tier,
            visit_date=visit,
            price_paid=paid,
            status=status,
            purchased_at=now - timedelta(days=30),
            updated_at=now - timedelta(days=30),
        )
        with self.container.unit_of_work() as uow:
            uow.tickets.add(ticket)
            uow.commit()
        return ticket

    def quote(self, owner: CustomerId, ticket: Ticket, tier: Tier, day: date) -> OrderResult:
        return self.container.quote_upgrade()(
            QuoteUpgradeCommand(owner, ticket.number.value, tier.key, day)
        )

    def pay(self, owner: CustomerId, order_id: Any, number: str = GOOD_CARD) -> OrderResult:
        return self.container.pay_for_upgrade()(
            PayForUpgradeCommand(owner, OrderId(order_id), card(number))
        )

    def stored_ticket(self, ticket_id: TicketId) -> Ticket:
        with self.container.unit_of_work() as uow:
            found = uow.tickets.get(ticket_id)
        assert found is not None
        return found

    def sent_emails(self) -> list[Any]:
        self.container.dispatch_outbox()()
        return list(self.container.email_sender().sent)

    def token(self, email: str, password: str = PASSWORD) -> str:
        return self.container.sign_in()(email, password).token

    def auth(self, email: str, password: str = PASSWORD) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(email, password)}"}
