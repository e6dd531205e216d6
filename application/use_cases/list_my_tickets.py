"""List my tickets."""

from __future__ import annotations

from dataclasses import dataclass

from application.ports.clock import Clock
from application.ports.unit_of_work import UnitOfWorkFactory
from application.results import TicketResult
from domain.eligibility import check_eligibility
from domain.ids import CustomerId
from domain.policy import UpgradePolicy


@dataclass(frozen=True, slots=True)
class ListMyTickets:
    """The customer's tickets, soonest visit first, each with whether and why it can be upgraded."""

    uow: UnitOfWorkFactory
    clock: Clock
    policy: UpgradePolicy

    def __call__(self, customer_id: CustomerId) -> list[TicketResult]:
        now = self.clock.now()
        today = self.policy.park.today(now)
        with self.uow() as uow:
            tickets = sorted(
                uow.tickets.list_for_customer(customer_id),
                key=lambda ticket: (ticket.visit_date, ticket.number.value),
            )
            return [
                TicketResult(
                    ticket,
                    check_eligibility(
                        ticket, today, uow.orders.live_for_ticket(ticket.id, now) is not None
                    ),
                )
                for ticket in tickets
            ]
