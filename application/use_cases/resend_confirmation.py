"""Send an order's confirmation email again."""

from __future__ import annotations

from dataclasses import dataclass

from application.outbox import EmailKind
from application.ports.clock import Clock
from application.ports.unit_of_work import UnitOfWorkFactory
from application.results import OrderResult
from application.use_cases.lookups import find_order, order_result
from domain.errors import BusinessRuleError
from domain.ids import CustomerId, OrderId
from domain.orders import OrderStatus
from domain.policy import UpgradePolicy


@dataclass(frozen=True, slots=True)
class ResendConfirmation:
    """Queue the confirmation email of a confirmed order again.

    The same outbox message is queued again, so the resend carries the same Message-ID and a
    mail client shows one message, not two. A message still waiting or being sent is left as
    it is: asking twice sends once. Raises `NotFoundError` and `BusinessRuleError` (the order
    has no confirmation to send).
    """

    uow: UnitOfWorkFactory
    clock: Clock
    policy: UpgradePolicy

    def __call__(self, customer_id: CustomerId, order_id: OrderId) -> OrderResult:
        now = self.clock.now()
        with self.uow() as uow:
            order = find_order(uow, customer_id, order_id)
            confirmation = next(
                (
                    message
                    for message in reversed(uow.outbox.for_order(order.id))
                    if message.kind is EmailKind.UPGRADE_CONFIRMED
                ),
                None,
            )
            if order.status is not OrderStatus.CONFIRMED or confirmation is None:
                raise BusinessRuleError(
                    "no_confirmation",
                    f"This upgrade is {order.status_at(now).value}: it has no confirmation "
                    "email to send.",
                    "A confirmation is sent once the upgrade is paid.",
                )
            message = uow.outbox.get_for_update(confirmation.id)
            if message is not None and message.resend(now):
                uow.outbox.save(message)
                uow.commit()
            return order_result(uow, order, now, self.policy.max_declines)
