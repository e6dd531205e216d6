"""Get one of my tickets, by its UUID or its number."""

from __future__ import annotations

from dataclasses import dataclass

from application.ports.clock import Clock
from application.ports.unit_of_work import UnitOfWorkFactory
from application.results import TicketResult
from application.use_cases.lookups import find_ticket
from domain.eligibility import check_eligibility
from domain.ids import CustomerId
from domain.policy import UpgradePolicy
from domain.tickets import TicketReference


@dataclass(frozen=True, slots=True)
class GetTicket:
    """One ticket of the customer's with its eligibility.

    Raises `InvalidInputError` for a malformed reference and `NotFoundError`
    (`ticket_not_found`) for a missing ticket or someone else's.
    """

    uow: UnitOfWorkFactory
    clock: Clock
    policy: UpgradePolicy

    def __call__(self, customer_id: CustomerId, reference: str) -> TicketResult:
        parsed = TicketReference.parse(reference)
        now = self.clock.now()
        with self.uow() as uow:
            ticket = find_ticket(uow, customer_id, parsed)
            live = uow.orders.live_for_ticket(ticket.id, now)
        return TicketResult(
            ticket, check_eligibility(ticket, self.policy.park.today(now), live is not None)
        )
