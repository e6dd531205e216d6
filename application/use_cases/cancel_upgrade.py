"""Cancel an upgrade quote and give its capacity back."""

from __future__ import annotations

from dataclasses import dataclass

from application.audit import order_change, snapshot_order
from application.ports.clock import Clock
from application.ports.ids import IdGenerator
from application.ports.progress import ProgressPublisher
from application.ports.unit_of_work import UnitOfWorkFactory
from application.results import OrderResult
from application.use_cases.lookups import find_order, order_result
from domain.ids import CustomerId, OrderId
from domain.policy import UpgradePolicy


@dataclass(frozen=True, slots=True)
class CancelUpgrade:
    """Cancel a pending quote (cancelling it twice is harmless).

    Raises `NotFoundError`, `PaymentInProgressError` while it is being paid, and
    `BusinessRuleError` when nothing live is left to cancel (expired, failed, paid).
    """

    uow: UnitOfWorkFactory
    clock: Clock
    ids: IdGenerator
    policy: UpgradePolicy
    progress: ProgressPublisher

    def __call__(self, customer_id: CustomerId, order_id: OrderId) -> OrderResult:
        now = self.clock.now()
        with self.uow() as uow:
            order = find_order(uow, customer_id, order_id, for_update=True)
            before = snapshot_order(order)
            order.cancel(now)
            result = order_result(uow, order, now, self.policy.max_declines)
            if order.events:
                uow.orders.save(order)
                uow.audit.record(
                    order_change(
                        self.ids.new_id(), now, str(customer_id), "upgrade.cancelled", order, before
                    )
                )
                uow.commit()
        self.progress.publish(order.pull_events())
        return result
