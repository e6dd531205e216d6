"""Helpers for the property tests: a fresh application per example, and independent oracles.

Function-scoped pytest fixtures are shared by every example of a Hypothesis test, so each
example builds its own container and World here. The oracles (day types, prices, amounts due)
are written from DOMAIN.md, not from the domain code, so that a broken rule is noticed.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import strategies as st
from litestar.testing import TestClient

from adapters.clock import FixedClock
from entrypoints.http.app import create_app
from infra.container import Container
from infra.settings import Settings
from tests.builders import World
from tests.conftest import NOW, build_test_container, make_settings

MAIL_DIR = Path(tempfile.gettempdir()) / "tap-property-mail"  # the recording sender writes nothing

# -- a fresh application per example ---------------------------------------------------------


def _settings_key(overrides: Mapping[str, Any]) -> str:
    return repr(sorted(overrides.items(), key=lambda item: item[0]))


_SETTINGS: dict[str, Settings] = {}


def settings_for(**overrides: Any) -> Settings:
    """Test settings (memory profile), built once per distinct set of overrides."""
    key = _settings_key(overrides)
    found = _SETTINGS.get(key)
    if found is None:
        found = _SETTINGS[key] = make_settings(MAIL_DIR, **overrides)
    return found


def fresh_container(clock: FixedClock, **overrides: Any) -> Container:
    """A new memory-profile container. Generating an RSA key is most of the cost of building
    one, so every container of these tests signs its tokens with the same key."""
    return build_test_container(settings_for(**overrides), clock)


def fresh_world(now: datetime = NOW, **overrides: Any) -> World:
    clock = FixedClock(now)
    return World(fresh_container(clock, **overrides), clock)


@contextmanager
def app_client(world: World, **overrides: Any) -> Iterator[TestClient[Any]]:
    """A Litestar TestClient over the world's container (no background outbox dispatcher)."""
    app = create_app(world.container, settings_for(**overrides), background=False)
    with TestClient(app, base_url="http://testserver.local") as client:
        yield client


# -- the price rules of DOMAIN.md, restated ----------------------------------------------------

LIST_PRICES = {
    "general": Decimal("59.00"),
    "standard": Decimal("79.00"),
    "non-stop": Decimal("109.00"),
    "double-fun": Decimal("149.00"),
}
LADDER = ("general", "standard", "non-stop", "double-fun")
UPGRADE_KEYS = ("standard", "non-stop", "double-fun")
MULTIPLIERS = {
    "peak": Decimal("1.50"),
    "weekend": Decimal("1.25"),
    "off-peak": Decimal("0.85"),
    "regular": Decimal("1.00"),
}
CENT = Decimal("0.01")


def expected_day_type(day: date) -> str:
    """Peak (Dec 20 - Jan 3, Jul 1 - Aug 31), then weekend, then off-peak Tue/Wed in
    Jan-Mar and Sep-Nov, else regular: the first match wins."""
    month_day = (day.month, day.day)
    in_winter_peak = month_day >= (12, 20) or month_day <= (1, 3)
    in_summer_peak = (7, 1) <= month_day <= (8, 31)
    if in_winter_peak or in_summer_peak:
        return "peak"
    name = day.strftime("%A")
    if name in ("Saturday", "Sunday"):
        return "weekend"
    if day.month in (1, 2, 3, 9, 10, 11) and name in ("Tuesday", "Wednesday"):
        return "off-peak"
    return "regular"


def half_up_cents(amount: Decimal) -> Decimal:
    """Round to cents, ties away from zero, by integer arithmetic (no quantize, no float)."""
    sign = -1 if amount < 0 else 1
    hundredths = abs(amount) * 100
    whole = int(hundredths)  # truncates toward zero
    if hundredths - whole >= Decimal("0.5"):
        whole += 1
    return Decimal(sign * whole) / 100


def expected_price(
    tier: str, day: date, list_prices: Mapping[str, Decimal] = LIST_PRICES
) -> Decimal:
    return half_up_cents(list_prices[tier] * MULTIPLIERS[expected_day_type(day)])


def expected_amount_due(
    current: str,
    paid: Decimal,
    target: str,
    day: date,
    list_prices: Mapping[str, Decimal] = LIST_PRICES,
) -> Decimal:
    credit = min(paid, expected_price(current, day, list_prices))
    return expected_price(target, day, list_prices) - credit


def rank(tier: str) -> int:
    return LADDER.index(tier)


# -- strategies ------------------------------------------------------------------------------

# Instants from 2025 to 2030 (every season, both DST changes, year ends); whole minutes.
instants = st.datetimes(
    min_value=datetime(2025, 1, 1),
    max_value=datetime(2030, 12, 31),
).map(lambda moment: moment.replace(second=0, microsecond=0, tzinfo=UTC))

# An amount with odd cents in a plausible range for a ticket's price.
prices_paid = st.decimals(
    min_value=Decimal("1.00"), max_value=Decimal("400.00"), places=2, allow_nan=False
)


@st.composite
def list_price_ladders(draw: st.DrawFn) -> dict[str, Decimal]:
    """Strictly increasing list prices with odd cents, far enough apart that every day type
    keeps the ladder strictly increasing (the only tables the park accepts)."""
    price = draw(st.decimals(min_value=Decimal("10.00"), max_value=Decimal("120.00"), places=2))
    ladder = {"general": price}
    for tier in LADDER[1:]:
        price += draw(st.decimals(min_value=Decimal("1.00"), max_value=Decimal("90.00"), places=2))
        ladder[tier] = price
    return ladder


def price_settings(ladder: Mapping[str, Decimal]) -> dict[str, Decimal]:
    return {f"price_{tier.replace('-', '_')}": value for tier, value in ladder.items()}


def store_fingerprint(world: World) -> dict[str, Any]:
    """Everything a failed request must leave as it was, read from the committed store."""
    store = world.container.memory_store()
    return {
        "orders": {oid: (o.status, o.attempts, o.declines) for oid, o in store.orders.items()},
        "audit": len(store.audit),
        "sold": dict(store.sold),
        "holds": {key: dict(value) for key, value in store.holds.items() if value},
        "outbox": len(store.outbox),
        "tickets": {
            tid: (t.tier, t.visit_date, t.price_paid, t.status, t.updated_at)
            for tid, t in store.tickets.items()
        },
        "customers": {
            cid: (c.email, c.first_name, c.last_name, c.updated_at)
            for cid, c in store.customers.items()
        },
    }
