"""Helpers for talking to the HTTP API the way a client does, and for checking its answers."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx
import jwt
from litestar.testing import TestClient

from adapters.clock import FixedClock
from application.errors import PaymentDeclinedError, PaymentUnavailableError
from application.ports.payments import Charge, ChargeRequest
from infra.container import Container
from infra.settings import Settings
from tests.builders import CARDS, World

PROBLEM_JSON = "application/problem+json"
PROBLEM_KEYS = {"type", "title", "status", "detail", "code", "guidance", "request_id"}
CONFIRMATION_CODE = re.compile(r"[0-9A-HJKMNP-TV-Z]{8}")  # Crockford base32: no I, L, O, U
LUHN_INVALID = "4242424242424241"


def card_body(number: str = CARDS["success"], **changes: Any) -> dict[str, Any]:
    card: dict[str, Any] = {
        "number": number,
        "exp_month": 12,
        "exp_year": 2030,
        "cvc": "123",
        "name": "Ana Test",
    }
    card.update(changes)
    return {"card": card}


def quote_body(ticket: str, tier: str, day: date) -> dict[str, str]:
    return {"ticket": ticket, "tier": tier, "date": day.isoformat()}


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """An RFC 9457 answer with our fields, the right status and code, and no stack trace."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_JSON), response.headers
    body: dict[str, Any] = response.json()
    assert body.keys() >= PROBLEM_KEYS, body
    assert body["status"] == status
    assert body["code"] == code, body
    assert body["type"].endswith(code)
    assert body["title"]
    assert body["detail"]
    assert body["request_id"] == response.headers["x-request-id"]
    assert "Traceback" not in response.text
    assert 'File "' not in response.text
    return body


def signed_token(
    client: TestClient[Any],
    settings: Settings,
    clock: FixedClock,
    key: Any,
    subject: str,
    algorithm: str = "RS256",
    **changes: Any,
) -> str:
    """A token shaped like the ones this server issues, signed with `key`; `changes` replace
    claims (None removes one)."""
    now = int(clock.now().timestamp())
    claims = {
        "sub": subject,
        "email": "ana@example.com",
        "token_use": "access",
        "iss": settings.token_issuer,
        "client_id": settings.token_client_id,
        "aud": settings.token_client_id,
        "iat": now,
        "exp": now + 3600,
    }
    claims.update(changes)
    kid = client.get("/.well-known/jwks.json").json()["keys"][0]["kid"]
    return jwt.encode(
        {name: value for name, value in claims.items() if value is not None},
        key,
        algorithm=algorithm,
        headers={"kid": kid},
    )


def without_request_id(body: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in body.items() if key != "request_id"}


@dataclass
class ChargeSpy:
    """Wraps the container's raw payment gateway, under the retries and the circuit breaker:
    records each charge request that reaches it and its outcome, and can hold a charge until
    the test lets it go (to catch a payment in flight)."""

    calls: list[tuple[ChargeRequest, str]] = field(default_factory=list)
    entered: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self.release.set()

    @classmethod
    def install(cls, container: Container) -> ChargeSpy:
        spy = cls()
        gateway = container.gateway()
        real_charge = gateway.charge

        def charge(request: ChargeRequest) -> Charge:
            spy.entered.set()
            assert spy.release.wait(timeout=10), "the test never released the held charge"
            try:
                result = real_charge(request)
            except PaymentDeclinedError as error:
                spy.calls.append((request, f"declined:{error.decline_code}"))
                raise
            except PaymentUnavailableError:
                spy.calls.append((request, "unavailable"))
                raise
            spy.calls.append((request, "charged"))
            return result

        gateway.charge = charge
        return spy

    def hold(self) -> None:
        self.release.clear()
        self.entered.clear()

    @property
    def charged(self) -> list[ChargeRequest]:
        return [request for request, outcome in self.calls if outcome == "charged"]

    @property
    def outcomes(self) -> list[str]:
        return [outcome for _, outcome in self.calls]


@dataclass(frozen=True)
class Watcher:
    """A second customer with an untouched General ticket, to read the calendar's remaining
    capacity while the customer under test has a quote pending."""

    headers: dict[str, str]
    ticket: str


@dataclass
class Api:
    """A client, the world behind it and the gateway spy, for apps built with other settings."""

    client: TestClient[Any]
    world: World
    container: Container
    charges: ChargeSpy


def quote(
    client: TestClient[Any],
    headers: dict[str, str],
    ticket: str,
    tier: str,
    day: date,
    key: str | None = None,
) -> httpx.Response:
    extra = {"Idempotency-Key": key} if key else {}
    return client.post(
        "/api/upgrades", json=quote_body(ticket, tier, day), headers={**headers, **extra}
    )


def pay(
    client: TestClient[Any],
    headers: dict[str, str],
    order_id: str,
    number: str = CARDS["success"],
    key: str | None = None,
    **card_changes: Any,
) -> httpx.Response:
    extra = {"Idempotency-Key": key} if key else {}
    return client.post(
        f"/api/upgrades/{order_id}/payment",
        json=card_body(number, **card_changes),
        headers={**headers, **extra},
    )


def remaining(
    client: TestClient[Any], headers: dict[str, str], ticket: str, tier: str, day: date
) -> int:
    """What the calendar says is left of `tier` on `day` (read through another ticket if the
    one given is busy: pass any eligible ticket of the customer)."""
    response = client.get(
        f"/api/tickets/{ticket}/upgrade-options",
        params={"start": day.isoformat(), "days": 1},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    [calendar_day] = response.json()["calendar"]
    return int(calendar_day["tiers"][tier]["remaining"])


def my_orders(client: TestClient[Any], headers: dict[str, str]) -> list[dict[str, Any]]:
    response = client.get("/api/upgrades", headers=headers)
    assert response.status_code == 200, response.text
    orders: list[dict[str, Any]] = response.json()
    return orders
