"""My tickets, their eligibility, and their upgrade options."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.params import Parameter

from application.results import TicketResult
from application.use_cases.check_eligibility import CheckEligibility
from application.use_cases.customers import IdentifyCustomer
from application.use_cases.get_ticket import GetTicket
from application.use_cases.get_upgrade_options import GetUpgradeOptions, GetUpgradeOptionsCommand
from application.use_cases.list_my_tickets import ListMyTickets
from entrypoints.http.schemas import (
    EligibilityOut,
    TicketOut,
    UpgradeOptionsOut,
    eligibility_out,
    options_out,
    ticket_out,
)

TicketRef = Annotated[
    str, Parameter(description="TKT- and 8 digits, or the ticket's id", max_length=64)
]


class TicketController(Controller):
    path = "/api/tickets"
    tags = ["tickets"]

    @get("/", operation_id="listMyTickets", sync_to_thread=True)
    def list_tickets(
        self,
        request: Request[Any, Any, Any],
        identify_customer: NamedDependency[IdentifyCustomer],
        list_my_tickets: NamedDependency[ListMyTickets],
    ) -> list[TicketOut]:
        """My tickets, soonest visit first, each saying whether and why it can be upgraded."""
        return [ticket_out(result) for result in list_my_tickets(identify_customer(request.user))]

    @get("/{ref:str}", operation_id="getTicket", sync_to_thread=True)
    def get_ticket(
        self,
        request: Request[Any, Any, Any],
        ref: TicketRef,
        identify_customer: NamedDependency[IdentifyCustomer],
        get_ticket: NamedDependency[GetTicket],
    ) -> TicketOut:
        """One of my tickets, by number (any case) or id."""
        return ticket_out(get_ticket(identify_customer(request.user), ref))

    @get("/{ref:str}/eligibility", operation_id="checkEligibility", sync_to_thread=True)
    def eligibility(
        self,
        request: Request[Any, Any, Any],
        ref: TicketRef,
        identify_customer: NamedDependency[IdentifyCustomer],
        check_eligibility: NamedDependency[CheckEligibility],
    ) -> EligibilityOut:
        """Whether the ticket can be upgraded: `code` is null when it can."""
        return eligibility_out(check_eligibility(identify_customer(request.user), ref))

    @get("/{ref:str}/upgrade-options", operation_id="getUpgradeOptions", sync_to_thread=True)
    def upgrade_options(
        self,
        request: Request[Any, Any, Any],
        ref: TicketRef,
        identify_customer: NamedDependency[IdentifyCustomer],
        get_upgrade_options: NamedDependency[GetUpgradeOptions],
        start: Annotated[date | None, Parameter(description="first date, YYYY-MM-DD")] = None,
        days: Annotated[int, Parameter(ge=1, le=180, description="how many dates")] = 30,
    ) -> UpgradeOptionsOut:
        """Exactly the three upgrade tiers, and a calendar pricing each on every date."""
        customer_id = identify_customer(request.user)
        result = get_upgrade_options(GetUpgradeOptionsCommand(customer_id, ref, start, days))
        return options_out(result, ticket_out(TicketResult(result.ticket, result.eligibility)))
