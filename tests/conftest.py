"""Shared fixtures: a fresh memory-profile container per test, on a fixed clock."""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from hypothesis import HealthCheck, settings
from litestar.testing import TestClient

from adapters.clock import FixedClock
from entrypoints.http.app import create_app
from infra.container import Container, build_container
from infra.settings import Settings
from tests.builders import World

pytest_plugins = ["tests.support.postgres", "tests.support.data_api"]

# Every property test runs at least 100 examples; CI runs more, derandomized so a failure
# reproduces on a rerun.
settings.register_profile(
    "dev", max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "ci",
    max_examples=200,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))

BROWSER_TESTS = Path(__file__).resolve().parent / "browser"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests last: Playwright's sync API leaves its event loop marked as running in the
    main thread until the session ends, and tests that run asyncio themselves (the MCP client)
    would then fail with "Cannot run the event loop while another loop is running"."""
    items.sort(key=lambda item: item.path.is_relative_to(BROWSER_TESTS))  # stable: order kept


# Tuesday 10 March 2026, 09:00 at the park (America/Los_Angeles, UTC-7 after the DST change).
NOW = datetime(2026, 3, 10, 16, 0, tzinfo=UTC)


@functools.cache
def signing_key_pem() -> str:
    """One RSA key for the whole run: making one per container would dominate the run time,
    and tests can sign their own (bad) tokens with it."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def make_settings(mail_dir: Path | None = None, **overrides: object) -> Settings:
    """Memory profile, the in-process gateway, fast password hashing, emails recorded, no demo
    data, no rate limit, no site (even when frontend/dist is built), and the run's signing key."""
    values: dict[str, object] = {
        "token_signing_key": signing_key_pem(),
        "profile": "memory",
        "email": "recording",
        "payments": "dummy",
        "password_hash_cost": 16,
        "demo_data": False,
        "rate_limit_per_minute": 0,
        "log_json": False,
        "mail_dir": mail_dir or Path("var/test-mail"),
        "site_dir": None,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


def build_test_container(settings: Settings, clock: FixedClock) -> Container:
    return build_container(settings, overrides={"clock": clock})


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def app_settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
def container(app_settings: Settings, clock: FixedClock) -> Container:
    return build_test_container(app_settings, clock)


@pytest.fixture
def world(container: Container, clock: FixedClock) -> World:
    return World(container, clock)


@pytest.fixture
def client(container: Container, app_settings: Settings) -> Iterator[TestClient]:
    app = create_app(container, app_settings, background=False)
    with TestClient(app, base_url="http://testserver.local") as test_client:
        yield test_client
