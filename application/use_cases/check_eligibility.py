"""Check whether one of my tickets can be upgraded."""

from __future__ import annotations

from dataclasses import dataclass

from application.use_cases.get_ticket import GetTicket
from domain.eligibility import Eligibility
from domain.ids import CustomerId


@dataclass(frozen=True, slots=True)
class CheckEligibility:
    """The eligibility verdict for a ticket: eligible, or a code with a message and guidance.

    Raises like `GetTicket` for malformed, missing or foreign tickets.
    """

    get_ticket: GetTicket

    def __call__(self, customer_id: CustomerId, reference: str) -> Eligibility:
        return self.get_ticket(customer_id, reference).eligibility
