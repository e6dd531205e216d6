"""The Data Agent's MCP server: one tool per use case, each acting for the token's customer.

Tools take flat scalar arguments a language model can fill in (ticket references, tier keys,
YYYY-MM-DD dates) and answer with a structured model. Each resolves the customer from the
request's verified token, so no tool reaches another customer's data: someone else's ticket or
order is "not found", exactly as the API says. Every refusal is a tool error carrying the
domain's code (`results.refusal`).

Optional arguments are plain strings whose empty value means "not given", never `str | None`:
the MCP SDK first reads an argument of any type but `str` as JSON, so a first name "null" would
arrive as nothing at all (language models also tend to send "" for what they leave out).

Beside them, one natural-language tool, `data_request(instruction)`: the container's reasoner
turns the instruction into calls of these structured tools, made in process for the same
customer (see `data_request`). It never records a payment, and changes an account only when
the caller allows it explicitly.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import anyio.to_thread
from mcp.server.mcpserver import MCPServer
from mcp_types import CallToolResult
from pydantic import BaseModel, Field
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from application.use_cases.customers import UpdateCustomerCommand
from application.use_cases.get_upgrade_options import GetUpgradeOptionsCommand
from application.use_cases.quote_upgrade import QuoteUpgradeCommand
from application.use_cases.record_payment import RecordPaymentCommand
from domain.errors import DomainError, InvalidInputError
from domain.ids import CustomerId
from entrypoints.mcp import data_request as natural_language
from entrypoints.mcp.auth import (
    BearerTokens,
    KnownCustomers,
    auth_settings,
    current_principal,
    unauthorized,
)
from entrypoints.mcp.results import answer, refusal
from entrypoints.mcp.schemas import (
    CustomerOut,
    DataRequestOut,
    EligibilityOut,
    OrderOut,
    TicketOut,
    TicketsOut,
    UpgradeOptionsOut,
    calendar_date,
    customer_out,
    eligibility_out,
    options_out,
    order_out,
    parse_order_id,
    ticket_out,
)
from infra.container import Container

MCP_PATH = "/mcp"
MAX_CALENDAR_DAYS = 31  # a month of three tiers is as much as a conversation can use
DEFAULT_CALENDAR_DAYS = 14

INSTRUCTIONS = (
    "Funland Park's Data Agent. Every tool acts for the customer whose bearer token the request "
    "carries: their details, their tickets, their upgrade orders. Tickets are named by number "
    "(TKT- and 8 digits) or id; tiers by key (standard, non-stop, double-fun); dates as "
    "YYYY-MM-DD. A refusal is a tool error whose structured content gives the code, a message "
    "and guidance."
)

Ticket = Annotated[str, Field(description="The ticket's number (TKT-12345678) or its id")]
OrderRef = Annotated[
    str, Field(description="The upgrade order's id (a UUID), as the quote gave it")
]


class _Tools:
    """Runs one use case for the request's customer, and turns its outcome into a result."""

    def __init__(self, container: Container) -> None:
        self._customers = KnownCustomers(container.identify_customer)
        # Like the HTTP API: leave the event loop only when an adapter waits on I/O.
        self._use_threads = container.settings().use_threads

    async def run(self, work: Callable[[CustomerId], BaseModel]) -> CallToolResult:
        principal = current_principal()
        if principal is None:  # only reachable when served without the bearer guard
            return refusal(unauthorized())

        def job() -> BaseModel:
            return work(self._customers(principal))

        try:
            result = await anyio.to_thread.run_sync(job) if self._use_threads else job()
        except DomainError as error:
            return refusal(error)
        return answer(result)


def create_data_agent(container: Container) -> MCPServer:
    """The Data Agent's MCP server over this container's use cases (looked up on every call, so
    a test's provider overrides apply)."""
    settings = container.settings()
    server = MCPServer(
        "funland-data-agent",
        title="Funland Park Data Agent",
        instructions=INSTRUCTIONS,
        token_verifier=BearerTokens(container.token_verifier),
        auth=auth_settings(settings.token_issuer),
    )
    tools = _Tools(container)

    @server.tool(description="The signed-in customer's own details: id, email and names.")
    async def find_customer() -> Annotated[CallToolResult, CustomerOut]:
        return await tools.run(lambda customer: customer_out(container.get_customer()(customer)))

    @server.tool(
        description="The customer's tickets, soonest visit first, each with whether it can be "
        "upgraded (and if not, why)."
    )
    async def list_tickets() -> Annotated[CallToolResult, TicketsOut]:
        return await tools.run(
            lambda customer: TicketsOut(
                tickets=[ticket_out(found) for found in container.list_my_tickets()(customer)]
            )
        )

    @server.tool(description="One of the customer's tickets, with its upgrade eligibility.")
    async def get_ticket(ticket: Ticket) -> Annotated[CallToolResult, TicketOut]:
        return await tools.run(
            lambda customer: ticket_out(container.get_ticket()(customer, ticket))
        )

    @server.tool(
        description="Whether a ticket can be upgraded: `eligible`, or the `code` of the rule "
        "it breaks (ticket_not_active, visit_date_passed, already_top_tier, "
        "upgrade_in_progress) with a message and guidance."
    )
    async def check_eligibility(ticket: Ticket) -> Annotated[CallToolResult, EligibilityOut]:
        return await tools.run(
            lambda customer: eligibility_out(container.check_eligibility()(customer, ticket))
        )

    @server.tool(
        description="The upgrade calendar of an eligible ticket: the three upgrade tiers (what "
        "each includes) and, for each date from `start`, each tier's price, the amount due for "
        "this ticket, the places left and whether it can be booked (with the reason when not). "
        f"At most {MAX_CALENDAR_DAYS} days at a time."
    )
    async def upgrade_options(
        ticket: Ticket,
        start: Annotated[
            str,
            Field(description="The first date, YYYY-MM-DD; empty for the first bookable date"),
        ] = "",
        days: Annotated[
            int, Field(description=f"How many dates, 1 to {MAX_CALENDAR_DAYS}")
        ] = DEFAULT_CALENDAR_DAYS,
    ) -> Annotated[CallToolResult, UpgradeOptionsOut]:
        def work(customer: CustomerId) -> UpgradeOptionsOut:
            first = calendar_date(start, "start") if start.strip() else None
            if not 1 <= days <= MAX_CALENDAR_DAYS:
                raise InvalidInputError(
                    "invalid_days",
                    f"days must be between 1 and {MAX_CALENDAR_DAYS}.",
                    "Ask for fewer days, and page on with `start`.",
                )
            command = GetUpgradeOptionsCommand(customer, ticket, first, days)
            return options_out(container.get_upgrade_options()(command))

        return await tools.run(work)

    @server.tool(
        description="Quote an upgrade of a ticket to a tier on a visit date: prices it and "
        "holds one place until the order's `expires_at`. The answer is a pending order to pay."
    )
    async def quote_upgrade(
        ticket: Ticket,
        tier: Annotated[str, Field(description="standard, non-stop or double-fun")],
        date: Annotated[str, Field(description="The visit date, YYYY-MM-DD")],
    ) -> Annotated[CallToolResult, OrderOut]:
        def work(customer: CustomerId) -> OrderOut:
            command = QuoteUpgradeCommand(customer, ticket, tier, calendar_date(date, "date"))
            return order_out(container.quote_upgrade()(command))

        return await tools.run(work)

    @server.tool(
        description="One of the customer's upgrade orders as it stands now: status, amount, "
        "confirmation code once paid, attempts left after declines, email status."
    )
    async def order_status(order_id: OrderRef) -> Annotated[CallToolResult, OrderOut]:
        return await tools.run(
            lambda customer: order_out(container.get_order()(customer, parse_order_id(order_id)))
        )

    @server.tool(
        description="Record a payment already made for an order, by the payment provider's "
        "charge id. The charge is checked with the payment provider: it must be this order's "
        "current payment, for the amount due, and not refunded. Never takes card details."
    )
    async def record_payment(
        order_id: OrderRef,
        charge_id: Annotated[str, Field(description="The payment provider's charge id (ch_...)")],
    ) -> Annotated[CallToolResult, OrderOut]:
        def work(customer: CustomerId) -> OrderOut:
            command = RecordPaymentCommand(customer, parse_order_id(order_id), charge_id)
            return order_out(container.record_payment()(command))

        return await tools.run(work)

    @server.tool(
        description="Change the customer's email or names; give only what changes. Every "
        "field is validated before anything is written."
    )
    async def update_customer(
        email: Annotated[str, Field(description="The new email address; empty keeps it")] = "",
        first_name: Annotated[str, Field(description="The new first name; empty keeps it")] = "",
        last_name: Annotated[str, Field(description="The new last name; empty keeps it")] = "",
    ) -> Annotated[CallToolResult, CustomerOut]:
        def work(customer: CustomerId) -> CustomerOut:
            changes = [value if value.strip() else None for value in (email, first_name, last_name)]
            if all(change is None for change in changes):
                raise InvalidInputError(
                    "nothing_to_change",
                    "No change was given.",
                    "Give at least one of email, first_name, last_name.",
                )
            command = UpdateCustomerCommand(customer, *changes)
            return customer_out(container.update_customer()(command))

        return await tools.run(work)

    requests = natural_language.DataRequests(container, server)

    @server.tool(name=natural_language.NAME, description=natural_language.DESCRIPTION)
    async def data_request(
        instruction: Annotated[str, Field(description=natural_language.INSTRUCTION)],
        allow_account_changes: Annotated[
            bool, Field(description=natural_language.ALLOW_ACCOUNT_CHANGES)
        ] = False,
    ) -> Annotated[CallToolResult, DataRequestOut]:
        return await requests.run(instruction, allow_account_changes)

    server.custom_route("/health", methods=["GET"])(health)  # open: no token needed
    return server


async def health(_: Request) -> Response:
    return JSONResponse({"status": "ok", "service": "data-agent"})


def data_agent_app(container: Container, server: MCPServer | None = None) -> Starlette:
    """The ASGI app: the MCP endpoint at /mcp (stateless, JSON answers, bearer token required)
    and an open GET /health. Its lifespan runs the MCP session manager, once per app."""
    settings = container.settings()
    return (server or create_data_agent(container)).streamable_http_app(
        streamable_http_path=MCP_PATH,
        stateless_http=True,
        json_response=True,
        host=settings.data_agent_host,
    )
