"""The bridge from the container to Litestar: one typed facade, one property per service.

The container builds everything; Litestar only hands handlers this facade. A single dependency
(rather than one per use case) also spares every request Litestar's concurrent resolution of
sibling dependencies, which costs a task per dependency.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from litestar.di import Provide
from prometheus_client import CollectorRegistry

from application.idempotency import IdempotentRequests
from application.ports.clock import Clock
from application.ports.identity import IdentityProvider
from application.ports.progress import ProgressFeed
from application.use_cases.cancel_upgrade import CancelUpgrade
from application.use_cases.check_eligibility import CheckEligibility
from application.use_cases.create_my_customer_profile import CreateMyCustomerProfile
from application.use_cases.customers import (
    GetCustomer,
    IdentifyCustomer,
    RegisterCustomer,
    SignIn,
    UpdateCustomer,
)
from application.use_cases.get_order import GetOrder, ListMyOrders
from application.use_cases.get_ticket import GetTicket
from application.use_cases.get_upgrade_options import GetUpgradeOptions
from application.use_cases.list_my_tickets import ListMyTickets
from application.use_cases.pay_for_upgrade import PayForUpgrade
from application.use_cases.quote_upgrade import QuoteUpgrade
from application.use_cases.read_chat_history import ReadChatHistory
from application.use_cases.refund_upgrade import RefundUpgrade
from application.use_cases.resend_confirmation import ResendConfirmation
from application.use_cases.take_chat_turn import TakeChatTurn
from domain.ids import CustomerId
from infra.container import Container, breaker_state, retry_after_seconds

T = TypeVar("T")
MAX_REMEMBERED_CUSTOMERS = 100_000


class Services:
    """What the HTTP handlers may use, looked up in the container on each use, so a test's
    provider overrides apply."""

    def __init__(
        self,
        container: Container,
        profile: str,
        version: str,
        use_threads: bool = True,
        worker_threads: int = 8,
    ) -> None:
        self._container = container
        self.profile = profile
        self.version = version
        self._use_threads = use_threads
        # A pool of our own, sized by settings: asyncio's default one is shared with everything
        # else and fixed at min(32, CPUs + 4) threads.
        self._workers = ThreadPoolExecutor(worker_threads, thread_name_prefix="use-case")
        self._customers: dict[str, CustomerId] = {}

    async def run(self, work: Callable[[], T]) -> T:
        """Run a use case. Adapters that wait on I/O (a database, a remote service) would stall
        every other request if run on the event loop, so then it goes to a worker thread; when
        every adapter answers from memory, the thread hop would cost more than the work."""
        if self._use_threads:
            return await self.run_blocking(work)
        return work()

    async def run_blocking(self, work: Callable[[], T]) -> T:
        """Run work in a worker thread, with the request's context (its request id)."""
        context = contextvars.copy_context()
        return await asyncio.get_running_loop().run_in_executor(self._workers, context.run, work)

    def close(self) -> None:
        self._workers.shutdown(wait=False, cancel_futures=True)

    def customer_id(self, principal: Any) -> CustomerId:
        """The customer the request's verified token speaks for.

        Remembered per subject: a subject's customer never changes (customers are not deleted),
        and looking it up costs a database transaction on every request otherwise."""
        known = self._customers.get(principal.subject)
        if known is not None:
            return known
        identify: IdentifyCustomer = self._container.identify_customer()
        customer_id = identify(principal)
        if len(self._customers) >= MAX_REMEMBERED_CUSTOMERS:
            self._customers.clear()
        self._customers[principal.subject] = customer_id
        return customer_id

    @property
    def register_customer(self) -> RegisterCustomer:
        return self._container.register_customer()

    @property
    def sign_in(self) -> SignIn:
        return self._container.sign_in()

    @property
    def get_customer(self) -> GetCustomer:
        return self._container.get_customer()

    @property
    def update_customer(self) -> UpdateCustomer:
        return self._container.update_customer()

    @property
    def create_my_customer_profile(self) -> CreateMyCustomerProfile:
        return self._container.create_my_customer_profile()

    @property
    def list_my_tickets(self) -> ListMyTickets:
        return self._container.list_my_tickets()

    @property
    def get_ticket(self) -> GetTicket:
        return self._container.get_ticket()

    @property
    def check_eligibility(self) -> CheckEligibility:
        return self._container.check_eligibility()

    @property
    def get_upgrade_options(self) -> GetUpgradeOptions:
        return self._container.get_upgrade_options()

    @property
    def quote_upgrade(self) -> QuoteUpgrade:
        return self._container.quote_upgrade()

    @property
    def pay_for_upgrade(self) -> PayForUpgrade:
        return self._container.pay_for_upgrade()

    @property
    def cancel_upgrade(self) -> CancelUpgrade:
        return self._container.cancel_upgrade()

    @property
    def take_chat_turn(self) -> TakeChatTurn:
        return self._container.take_chat_turn()

    @property
    def read_chat_history(self) -> ReadChatHistory:
        return self._container.read_chat_history()

    @property
    def refund_upgrade(self) -> RefundUpgrade:
        return self._container.refund_upgrade()

    @property
    def resend_confirmation(self) -> ResendConfirmation:
        return self._container.resend_confirmation()

    def payment_breaker(self) -> tuple[str, int | None]:
        """The gateway breaker's state, and while open the seconds until it lets calls through."""
        breaker = self._container.payment_breaker()
        state = breaker_state(breaker)
        return state, retry_after_seconds(breaker) if state == "open" else None

    @property
    def get_order(self) -> GetOrder:
        return self._container.get_order()

    @property
    def list_my_orders(self) -> ListMyOrders:
        return self._container.list_my_orders()

    @property
    def idempotency(self) -> IdempotentRequests:
        return self._container.idempotency()

    @property
    def progress_feed(self) -> ProgressFeed:
        return self._container.progress_hub()

    @property
    def identity(self) -> IdentityProvider:
        identity: IdentityProvider = self._container.identity()
        return identity

    @property
    def clock(self) -> Clock:
        return self._container.clock()

    @property
    def metrics_registry(self) -> CollectorRegistry:
        return self._container.metrics_registry()


def dependencies(services: Services) -> dict[str, Provide]:
    def provide_services() -> Services:
        return services

    return {"services": Provide(provide_services, sync_to_thread=False, use_cache=True)}
