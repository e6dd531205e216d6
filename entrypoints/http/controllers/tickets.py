"""My tickets, their eligibility, and their upgrade options."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.params import PathParameter, QueryParameter

from application.results import TicketResult
from application.use_cases.get_upgrade_options import GetUpgradeOptionsCommand
from entrypoints.http.dependencies import Services
from entrypoints.http.schemas import (
    EligibilityOut,
    TicketOut,
    UpgradeOptionsOut,
    calendar_date,
    eligibility_out,
    options_out,
    ticket_out,
)

TicketRef = Annotated[
    str, PathParameter(description="TKT- and 8 digits, or the ticket's id", max_length=64)
]


class TicketController(Controller):
    path = "/api/tickets"
    tags = ["tickets"]

    @get("/", operation_id="listMyTickets")
    async def list_tickets(
        self, request: Request[Any, Any, Any], services: NamedDependency[Services]
    ) -> list[TicketOut]:
        """My tickets, soonest visit first, each saying whether and why it can be upgraded."""

        def work() -> list[TicketOut]:
            customer_id = services.customer_id(request.user)
            return [ticket_out(result) for result in services.list_my_tickets(customer_id)]

        return await services.run(work)

    @get("/{ref:str}", operation_id="getTicket")
    async def get_ticket(
        self, request: Request[Any, Any, Any], ref: TicketRef, services: NamedDependency[Services]
    ) -> TicketOut:
        """One of my tickets, by number (any case) or id."""

        def work() -> TicketOut:
            return ticket_out(services.get_ticket(services.customer_id(request.user), ref))

        return await services.run(work)

    @get("/{ref:str}/eligibility", operation_id="checkEligibility")
    async def eligibility(
        self, request: Request[Any, Any, Any], ref: TicketRef, services: NamedDependency[Services]
    ) -> EligibilityOut:
        """Whether the ticket can be upgraded: `code` is null when it can."""

        def work() -> EligibilityOut:
            return eligibility_out(
                services.check_eligibility(services.customer_id(request.user), ref)
            )

        return await services.run(work)

    @get("/{ref:str}/upgrade-options", operation_id="getUpgradeOptions")
    async def upgrade_options(
        self,
        request: Request[Any, Any, Any],
        ref: TicketRef,
        services: NamedDependency[Services],
        start: Annotated[
            str | None, QueryParameter(description="first date, YYYY-MM-DD", max_length=10)
        ] = None,
        days: Annotated[int, QueryParameter(ge=1, le=180, description="how many dates")] = 30,
    ) -> UpgradeOptionsOut:
        """Exactly the three upgrade tiers, and a calendar pricing each on every date."""

        def work() -> UpgradeOptionsOut:
            first = calendar_date(start, "start") if start is not None else None
            command = GetUpgradeOptionsCommand(services.customer_id(request.user), ref, first, days)
            result = services.get_upgrade_options(command)
            return options_out(result, ticket_out(TicketResult(result.ticket, result.eligibility)))

        return await services.run(work)
