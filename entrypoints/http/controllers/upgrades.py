"""Upgrade orders: quote, pay, cancel, read; the POSTs honour Idempotency-Key."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, HeaderParameter, JSONBody

from application.use_cases.pay_for_upgrade import PayForUpgradeCommand
from application.use_cases.quote_upgrade import QuoteUpgradeCommand
from domain.cards import PaymentCard
from domain.ids import OrderId
from entrypoints.http.dependencies import Services
from entrypoints.http.idempotency import run_idempotently
from entrypoints.http.schemas import OrderOut, PaymentRequest, QuoteRequest, order_out

IdempotencyKey = Annotated[
    str | None,
    HeaderParameter(
        name="Idempotency-Key",
        required=False,
        description="A fresh random value per attempt (a UUID); retrying with the same key "
        "replays the first answer instead of running the request again.",
    ),
]


class UpgradeController(Controller):
    path = "/api/upgrades"
    tags = ["upgrades"]

    @post(
        "/",
        operation_id="quoteUpgrade",
        responses={201: ResponseSpec(OrderOut, description="A pending order holding capacity")},
    )
    async def quote(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[QuoteRequest],
        services: NamedDependency[Services],
        idempotency_key: IdempotencyKey = None,
    ) -> Response[bytes]:
        """Quote an upgrade: price it and hold one unit of the (tier, date) until `expires_at`."""

        def work() -> Response[bytes]:
            customer_id = services.customer_id(request.user)
            command = QuoteUpgradeCommand(customer_id, data.ticket, data.tier, data.day)
            quote_upgrade = services.quote_upgrade
            return run_idempotently(
                request,
                services.idempotency,
                idempotency_key,
                str(customer_id),
                (data.ticket.strip().upper(), data.tier, data.day.isoformat()),
                lambda: (201, order_out(quote_upgrade(command))),
            )

        return await services.run(work)

    @get("/", operation_id="listMyOrders")
    async def list_orders(
        self, request: Request[Any, Any, Any], services: NamedDependency[Services]
    ) -> list[OrderOut]:
        """My upgrade orders, newest first."""

        def work() -> list[OrderOut]:
            customer_id = services.customer_id(request.user)
            return [order_out(result) for result in services.list_my_orders(customer_id)]

        return await services.run(work)

    @get("/{order_id:uuid}", operation_id="getOrder")
    async def get_order(
        self,
        request: Request[Any, Any, Any],
        order_id: FromPath[UUID],
        services: NamedDependency[Services],
    ) -> OrderOut:
        """One order: its status, confirmation code, payment brand and last four, email status."""

        def work() -> OrderOut:
            customer_id = services.customer_id(request.user)
            return order_out(services.get_order(customer_id, OrderId(order_id)))

        return await services.run(work)

    @post(
        "/{order_id:uuid}/payment",
        operation_id="payForUpgrade",
        responses={200: ResponseSpec(OrderOut, description="The confirmed order")},
    )
    async def pay(
        self,
        request: Request[Any, Any, Any],
        order_id: FromPath[UUID],
        data: JSONBody[PaymentRequest],
        services: NamedDependency[Services],
        idempotency_key: IdempotencyKey = None,
    ) -> Response[bytes]:
        """Pay the amount due: 200 confirmed, 402 declined (with `decline_code`), 422 not payable,
        409 a payment already in progress, 503 `payment_unavailable` (nothing charged; the
        breaker may be open: see Retry-After) or `payment_unconfirmed` (the gateway did not
        answer: do not pay again, the order is confirmed or refunded automatically)."""

        def work() -> Response[bytes]:
            customer_id = services.customer_id(request.user)
            given = data.card
            card = PaymentCard.parse(
                given.number, given.exp_month, given.exp_year, given.cvc, given.name
            )
            command = PayForUpgradeCommand(customer_id, OrderId(order_id), card)
            pay_for_upgrade = services.pay_for_upgrade
            # The whole card counts (a retry with another card is another request); the
            # digest is keyed, so it does not keep the number in a form anyone can read back.
            parts = (card.number, f"{card.exp_month}/{card.exp_year}", card.cvc, card.name)
            return run_idempotently(
                request,
                services.idempotency,
                idempotency_key,
                str(customer_id),
                parts,
                lambda: (200, order_out(pay_for_upgrade(command))),
            )

        # Always in a worker thread: a payment waits on the gateway, and between its retries.
        return await services.run_blocking(work)

    @post(
        "/{order_id:uuid}/cancel",
        status_code=200,
        operation_id="cancelUpgrade",
    )
    async def cancel(
        self,
        request: Request[Any, Any, Any],
        order_id: FromPath[UUID],
        services: NamedDependency[Services],
    ) -> OrderOut:
        """Cancel a pending quote and release its hold (harmless if already cancelled)."""

        def work() -> OrderOut:
            customer_id = services.customer_id(request.user)
            return order_out(services.cancel_upgrade(customer_id, OrderId(order_id)))

        return await services.run(work)

    @post(
        "/{order_id:uuid}/refund",
        status_code=200,
        operation_id="refundUpgrade",
        responses={200: ResponseSpec(OrderOut, description="The refunded order")},
    )
    async def refund(
        self,
        request: Request[Any, Any, Any],
        order_id: FromPath[UUID],
        services: NamedDependency[Services],
    ) -> OrderOut:
        """Refund a confirmed upgrade, until the day before its visit: the money back, the
        ticket as it was, the unit released, an email. Asking again is harmless (one refund).
        422 `visit_date_reached`, `not_refundable`, `upgrade_superseded` or
        `upgrade_in_progress` (a newer quote of the ticket is waiting); 503
        `refund_pending` (registered; finished automatically once the gateway answers)."""

        def work() -> OrderOut:
            customer_id = services.customer_id(request.user)
            return order_out(services.refund_upgrade(customer_id, OrderId(order_id)))

        return await services.run_blocking(work)

    @post(
        "/{order_id:uuid}/resend-confirmation",
        status_code=202,
        operation_id="resendConfirmation",
        responses={202: ResponseSpec(OrderOut, description="The confirmation is queued")},
    )
    async def resend_confirmation(
        self,
        request: Request[Any, Any, Any],
        order_id: FromPath[UUID],
        services: NamedDependency[Services],
    ) -> OrderOut:
        """Send the confirmation email again, with the same Message-ID; `emails` shows its
        delivery. A confirmation still on its way is not queued twice."""

        def work() -> OrderOut:
            customer_id = services.customer_id(request.user)
            return order_out(services.resend_confirmation(customer_id, OrderId(order_id)))

        return await services.run(work)
