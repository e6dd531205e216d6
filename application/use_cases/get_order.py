"""Get one of my upgrade orders, and list them all."""

from __future__ import annotations

from dataclasses import dataclass

from application.ports.clock import Clock
from application.ports.unit_of_work import UnitOfWorkFactory
from application.results import OrderResult
from application.use_cases.lookups import find_order, order_result
from domain.ids import CustomerId, OrderId
from domain.policy import UpgradePolicy


@dataclass(frozen=True, slots=True)
class GetOrder:
    """One order of the customer's, with its status now and its email's delivery state.

    Raises `NotFoundError` (`order_not_found`) for a missing order or someone else's.
    """

    uow: UnitOfWorkFactory
    clock: Clock
    policy: UpgradePolicy

    def __call__(self, customer_id: CustomerId, order_id: OrderId) -> OrderResult:
        now = self.clock.now()
        with self.uow() as uow:
            order = find_order(uow, customer_id, order_id)
            return order_result(uow, order, now, self.policy.max_declines)


@dataclass(frozen=True, slots=True)
class ListMyOrders:
    """All the customer's upgrade orders, newest first."""

    uow: UnitOfWorkFactory
    clock: Clock
    policy: UpgradePolicy

    def __call__(self, customer_id: CustomerId) -> list[OrderResult]:
        now = self.clock.now()
        with self.uow() as uow:
            orders = sorted(
                uow.orders.list_for_customer(customer_id),
                key=lambda order: order.created_at,
                reverse=True,
            )
            return [order_result(uow, order, now, self.policy.max_declines) for order in orders]
