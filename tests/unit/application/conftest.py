"""Fixtures for the use-case tests: worlds built from other settings, and honest fakes that
wrap the real adapters so a test can see what reached the payment gateway or the mail system."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from adapters.clock import FixedClock
from adapters.payments.dummy import DummyPaymentGateway
from application.outbox import EmailMessage
from application.ports.email import EmailDeliveryError
from application.ports.payments import Charge, ChargeRequest
from domain.tiers import Tier
from infra.container import build_container
from tests.builders import World
from tests.conftest import make_settings


class CountingGateway:
    """The dummy gateway, counting every charge attempt it is asked for (a spy, not a mock:
    the outcome is still the dummy's)."""

    def __init__(self, clock: FixedClock, delay: float = 0.0) -> None:
        self.inner = DummyPaymentGateway(clock)
        self.delay = delay
        self.during: Callable[[ChargeRequest], object] | None = None  # runs mid-charge
        self.requests: list[ChargeRequest] = []
        self.charges: list[Charge] = []
        self._lock = threading.Lock()

    def charge(self, request: ChargeRequest) -> Charge:
        with self._lock:
            self.requests.append(request)
        if self.delay:
            time.sleep(self.delay)  # a slow network, so concurrent payers overlap
        if self.during is not None:
            self.during(request)
        charge = self.inner.charge(request)
        with self._lock:
            if all(known.id != charge.id for known in self.charges):
                self.charges.append(charge)
        return charge

    def find_charge(self, idempotency_key: str) -> Charge | None:
        return self.inner.find_charge(idempotency_key)


class AttemptRecordingSender:
    """A mail system that records every hand-over attempt, and fails as told: the next
    `failures` attempts raise (permanently or not), and `crash` makes the next attempt die
    like a killed process would (a BaseException the dispatcher does not catch)."""

    def __init__(self) -> None:
        self.attempts: list[EmailMessage] = []
        self.sent: list[EmailMessage] = []
        self.failures = 0
        self.permanent = False
        self.crash = False

    def send(self, message: EmailMessage) -> None:
        self.attempts.append(message)
        if self.crash:
            self.crash = False
            raise DispatcherKilled
        if self.failures:
            self.failures -= 1
            raise EmailDeliveryError("mail server unavailable", permanent=self.permanent)
        self.sent.append(message)


class DispatcherKilled(BaseException):
    """The dispatcher's process dying mid-send."""


WorldFactory = Callable[..., World]


def usage(world: World, tier: Tier, day: date) -> tuple[int, int]:
    """(sold, held) of a tier on a date, as the capacity repository counts them now."""
    with world.container.unit_of_work() as uow:
        return uow.capacity.usage([(tier, day)], world.clock.now())[(tier, day)]


@pytest.fixture
def world_with(clock: FixedClock, tmp_path: Path) -> WorldFactory:
    """A world on the shared clock built from other settings (and optionally other adapters):
    `world_with(capacity_overrides={...}, overrides={"payment_gateway": gateway})`."""

    def build(overrides: dict[str, Any] | None = None, **settings: Any) -> World:
        container = build_container(
            make_settings(tmp_path, **settings),
            overrides={"clock": clock, **(overrides or {})},
        )
        return World(container, clock)

    return build


@pytest.fixture
def gateway(clock: FixedClock) -> CountingGateway:
    return CountingGateway(clock)


@pytest.fixture
def paying_world(world_with: WorldFactory, gateway: CountingGateway) -> World:
    """The default world, with the counting gateway in front of the dummy one."""
    return world_with(overrides={"payment_gateway": gateway})
