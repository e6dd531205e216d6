"""Record a payment someone says was made: confirm the order only with the gateway's word for it."""

from __future__ import annotations

from dataclasses import dataclass

from application.ports.clock import Clock
from application.ports.payments import Charge, PaymentGateway
from application.ports.unit_of_work import UnitOfWorkFactory
from application.results import OrderResult
from application.settlement import Settlement
from application.use_cases.lookups import find_order, order_result
from domain.errors import BusinessRuleError, NotFoundError
from domain.ids import CustomerId, OrderId
from domain.orders import UpgradeOrder
from domain.policy import UpgradePolicy


class ChargeNotVerifiedError(BusinessRuleError):
    """The gateway does not vouch for this charge as the payment of this order."""


@dataclass(frozen=True, slots=True)
class RecordPaymentCommand:
    customer_id: CustomerId
    order_id: OrderId
    charge_id: str


@dataclass(frozen=True, slots=True)
class RecordPayment:
    """Confirm one of the customer's orders with a charge already made, once the gateway shows
    that the charge exists, was made under the order's current payment attempt for the amount
    due, and has not been refunded. An order is never marked paid on anyone's say-so.

    Recording the charge that already confirmed the order returns the order as it is. A charge
    that checks out but can no longer confirm the order (it moved on, or its visit date passed)
    is given back, as a late charge is. Raises `NotFoundError` (`order_not_found`,
    `charge_not_found`), `ChargeNotVerifiedError` (`charge_not_for_order`, `charge_refunded`),
    `ChargeNotApplicableError`, `ServiceUnavailableError` (the gateway cannot answer: nothing
    recorded) and `BusyError`.
    """

    uow: UnitOfWorkFactory
    clock: Clock
    policy: UpgradePolicy
    gateway: PaymentGateway
    settlement: Settlement

    def __call__(self, command: RecordPaymentCommand) -> OrderResult:
        now = self.clock.now()
        with self.uow() as uow:
            order = find_order(uow, command.customer_id, command.order_id)
            if order.was_paid_with(command.charge_id):
                return order_result(uow, order, now, self.policy.max_declines)
        charge = self._verified_charge(order, command.charge_id)
        actor = str(command.customer_id)
        return self.settlement.confirm_or_give_back(order.id, charge, actor)

    def _verified_charge(self, order: UpgradeOrder, charge_id: str) -> Charge:
        charge = self.gateway.get_charge(charge_id) if charge_id.strip() else None
        if charge is None:
            raise NotFoundError(
                "charge_not_found",
                "The payment provider has no such charge.",
                "Check the charge id on the payment receipt.",
            )
        # The key names the order and its attempt; a charge of another order (anyone's), or of
        # an attempt that is over, cannot confirm this one. Its amount is checked too, although
        # the gateway refuses a key reused for another amount.
        if charge.idempotency_key != order.payment_key or charge.amount != order.amount_due:
            raise ChargeNotVerifiedError(
                "charge_not_for_order",
                "That charge is not the payment of this upgrade.",
                "Pay for the upgrade from its payment form.",
            )
        if charge.refunded is not None:
            raise ChargeNotVerifiedError(
                "charge_refunded",
                "That charge has been refunded, so it pays for nothing.",
                "Pay for the upgrade from its payment form.",
            )
        return charge
