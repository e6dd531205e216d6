"""Upgrade orders: quote, pay, cancel, read; POSTs honour Idempotency-Key."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import HeaderParameter

from application.idempotency import IdempotentRequests
from application.use_cases.cancel_upgrade import CancelUpgrade
from application.use_cases.customers import IdentifyCustomer
from application.use_cases.get_order import GetOrder, ListMyOrders
from application.use_cases.pay_for_upgrade import PayForUpgrade, PayForUpgradeCommand
from application.use_cases.quote_upgrade import QuoteUpgrade, QuoteUpgradeCommand
from domain.cards import PaymentCard
from domain.ids import OrderId
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
        sync_to_thread=True,
        responses={201: ResponseSpec(OrderOut, description="A pending order holding capacity")},
    )
    def quote(
        self,
        request: Request[Any, Any, Any],
        data: QuoteRequest,
        identify_customer: NamedDependency[IdentifyCustomer],
        quote_upgrade: NamedDependency[QuoteUpgrade],
        idempotency: NamedDependency[IdempotentRequests],
        idempotency_key: IdempotencyKey = None,
    ) -> Response[bytes]:
        """Quote an upgrade: price it, hold one unit of the (tier, date) until `expires_at`."""
        customer_id = identify_customer(request.user)
        command = QuoteUpgradeCommand(customer_id, data.ticket, data.tier, data.day)
        return run_idempotently(
            request,
            idempotency,
            idempotency_key,
            str(customer_id),
            (data.ticket.strip().upper(), data.tier, data.day.isoformat()),
            lambda: (201, order_out(quote_upgrade(command))),
        )

    @get("/", operation_id="listMyOrders", sync_to_thread=True)
    def list_orders(
        self,
        request: Request[Any, Any, Any],
        identify_customer: NamedDependency[IdentifyCustomer],
        list_my_orders: NamedDependency[ListMyOrders],
    ) -> list[OrderOut]:
        """My upgrade orders, newest first."""
        return [order_out(result) for result in list_my_orders(identify_customer(request.user))]

    @get("/{order_id:uuid}", operation_id="getOrder", sync_to_thread=True)
    def get_order(
        self,
        request: Request[Any, Any, Any],
        order_id: UUID,
        identify_customer: NamedDependency[IdentifyCustomer],
        get_order: NamedDependency[GetOrder],
    ) -> OrderOut:
        """One order: its status, confirmation code, payment brand and last four, email status."""
        return order_out(get_order(identify_customer(request.user), OrderId(order_id)))

    @post(
        "/{order_id:uuid}/payment",
        operation_id="payForUpgrade",
        sync_to_thread=True,
        responses={200: ResponseSpec(OrderOut, description="The confirmed order")},
    )
    def pay(
        self,
        request: Request[Any, Any, Any],
        order_id: UUID,
        data: PaymentRequest,
        identify_customer: NamedDependency[IdentifyCustomer],
        pay_for_upgrade: NamedDependency[PayForUpgrade],
        idempotency: NamedDependency[IdempotentRequests],
        idempotency_key: IdempotencyKey = None,
    ) -> Response[bytes]:
        """Pay the amount due: 200 confirmed, 402 declined (with `decline_code`), 422 not payable,
        409 a payment already in progress, 503 the gateway is unavailable (nothing charged)."""
        customer_id = identify_customer(request.user)
        card_in = data.card
        card = PaymentCard.parse(
            card_in.number, card_in.exp_month, card_in.exp_year, card_in.cvc, card_in.name
        )
        command = PayForUpgradeCommand(customer_id, OrderId(order_id), card)
        # The fingerprint names the card by what may be kept: brand, last four, expiry, name.
        parts = (card.brand, card.last4, f"{card.exp_month}/{card.exp_year}", card.name)
        return run_idempotently(
            request,
            idempotency,
            idempotency_key,
            str(customer_id),
            parts,
            lambda: (200, order_out(pay_for_upgrade(command))),
        )

    @post(
        "/{order_id:uuid}/cancel",
        status_code=200,
        operation_id="cancelUpgrade",
        sync_to_thread=True,
    )
    def cancel(
        self,
        request: Request[Any, Any, Any],
        order_id: UUID,
        identify_customer: NamedDependency[IdentifyCustomer],
        cancel_upgrade: NamedDependency[CancelUpgrade],
    ) -> OrderOut:
        """Cancel a pending quote and release its hold (harmless if already cancelled)."""
        return order_out(cancel_upgrade(identify_customer(request.user), OrderId(order_id)))
