"""The local build as a browser meets it: the built site and the API on one origin, served by
uvicorn from a thread of the test process over a memory-profile container with the demo data,
the Data Agent on its own port (the chat reaches it over MCP), a clock tests can move forward,
and the in-process gateway's faults within reach."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from adapters.payments.dummy import Faults
from application.errors import DomainError
from application.ports.payments import Charge
from application.use_cases.quote_upgrade import QuoteUpgradeCommand
from domain.customers import EmailAddress
from domain.ids import CustomerId
from domain.tickets import Ticket, TicketStatus
from domain.tiers import Tier
from entrypoints.http.app import create_app
from infra.container import Container, build_container
from infra.demo_data import demo_settings, seed_demo_data
from infra.seeding import DEMO_PASSWORD, Seeder, TicketSpec
from infra.settings import Settings
from tests.conftest import make_settings
from tests.support.data_agent import ServedDataAgent
from tests.support.live_http import free_port, uvicorn_in_thread

ROOT = Path(__file__).resolve().parents[2]
BUILT_SITE = ROOT / "frontend" / "dist"


class ShiftedClock:
    """The real time plus an offset that only grows: lets a test jump past a quote's hold while
    the server, its timers and the browser keep running in real time."""

    def __init__(self) -> None:
        self._offset = timedelta()
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return datetime.now(UTC) + self._offset

    def advance(self, by: timedelta) -> None:
        with self._lock:
            self._offset += by

    def set(self, at: datetime) -> None:
        """Never back in time (the Seeder may ask for `at` in the past only when replaying)."""
        with self._lock:
            self._offset = max(self._offset, at - datetime.now(UTC))


@dataclass
class LiveSite:
    """The running build: where it answers, and the handles tests use to arrange a scene."""

    base_url: str
    container: Container
    settings: Settings
    clock: ShiftedClock

    @property
    def today(self) -> date:
        return Seeder(self.container).today

    def customer_with_ticket(
        self, email: str, tier: Tier = Tier.GENERAL, visit_in_days: int = 30, serial: int = 0
    ) -> Ticket:
        """A new customer (password `DEMO_PASSWORD`) holding one active ticket, for tests that
        must not share state with other tests."""
        seeder = Seeder(self.container)
        owner: CustomerId = seeder.register(email, "Test", "Customer")
        spec = TicketSpec(
            owner=owner,
            serial=serial or _next_serial(),
            tier=tier,
            visit=self.today + timedelta(days=visit_in_days),
            purchased_at=self.clock.now(),
            status=TicketStatus.ACTIVE,
        )
        return seeder.issue([spec])[0]

    def sell_out(self, tier: Tier, day: date) -> int:
        """Hold `tier` on `day` for new customers until none is left; returns how many it took."""
        quote = self.container.quote_upgrade()
        for held in range(10_000):
            ticket = self.customer_with_ticket(
                f"crowd-{_next_serial()}@example.com", visit_in_days=(day - self.today).days
            )
            try:
                quote(QuoteUpgradeCommand(ticket.customer_id, ticket.number.value, tier.key, day))
            except DomainError as refused:
                if refused.code != "sold_out":
                    raise
                return held
        raise AssertionError(f"{tier.key} on {day} never sold out")

    def set_faults(self, **faults: Any) -> None:
        """The in-process gateway's faults (latency in seconds, outage...), until set again."""
        self.container.gateway().faults = Faults(**faults)

    def charges_for(self, email: str) -> list[Charge]:
        """The charges the gateway holds for this customer's orders, refunded or not."""
        with self.container.unit_of_work() as uow:
            customer = uow.customers.by_email(EmailAddress.parse(email))
            assert customer is not None, email
            order_ids = {str(order.id) for order in uow.orders.list_for_customer(customer.id)}
        since = self.clock.now() - timedelta(days=1)
        return [
            charge
            for charge in self.container.gateway().charges_since(since)
            if charge.metadata.get("order_id") in order_ids
        ]


_serials = iter(range(90_000_000, 99_999_999))
_serial_lock = threading.Lock()


def _next_serial() -> int:
    with _serial_lock:
        return next(_serials)


def site_settings(workdir: Path, **overrides: Any) -> Settings:
    missing = not (BUILT_SITE / "index.html").is_file()
    assert not missing, "the site is not built: run `make site` (the test command does)"
    values: dict[str, Any] = {
        "demo_data": True,
        "site_dir": BUILT_SITE,
        "password_hash_cost": 16,
        "email": "file",
        **overrides,
    }
    return make_settings(workdir / "mail", **values)


@contextmanager
def live_site(workdir: Path, **overrides: Any) -> Iterator[LiveSite]:
    """Serve the local build (memory profile, demo data) until the block ends."""
    clock = ShiftedClock()
    agent_port = free_port()
    settings = site_settings(
        workdir, data_agent_url=f"http://127.0.0.1:{agent_port}/mcp", **overrides
    )
    settings = demo_settings(settings, clock)
    container = build_container(settings, overrides={"clock": clock})
    seed_demo_data(container)
    with ExitStack() as stack:
        agent = ServedDataAgent(container, agent_port).start()
        stack.callback(agent.stop)
        port = stack.enter_context(uvicorn_in_thread(create_app(container, settings)))
        yield LiveSite(f"http://127.0.0.1:{port}", container, settings, clock)


__all__ = ["DEMO_PASSWORD", "LiveSite", "ShiftedClock", "live_site"]
