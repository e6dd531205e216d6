"""End-to-end fixtures: the real HTTP app over a memory container, a known signing key, a spy on
the payment gateway, and a factory for apps built with other park settings."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from litestar.testing import TestClient

from adapters.clock import FixedClock
from domain.ids import CustomerId
from entrypoints.http.app import create_app
from infra.container import Container
from infra.settings import Settings
from tests.builders import World
from tests.conftest import build_test_container, make_settings, signing_key_pem
from tests.e2e.api import Api, ChargeSpy, Watcher

BASE_URL = "http://testserver.local"


@pytest.fixture(scope="session")
def signing_pem() -> str:
    return signing_key_pem()


@pytest.fixture(scope="session")
def signing_key(signing_pem: str) -> rsa.RSAPrivateKey:
    """The run's signing key: tests sign their own (bad) tokens with it."""
    key = serialization.load_pem_private_key(signing_pem.encode(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return key


@pytest.fixture
def app_settings(tmp_path: Path, signing_pem: str) -> Settings:
    return make_settings(tmp_path, token_signing_key=signing_pem)


@pytest.fixture
def ana(world: World) -> CustomerId:
    """Ana, the customer most tests act as."""
    return world.customer("ana@example.com")


@pytest.fixture
def headers(world: World, ana: CustomerId) -> dict[str, str]:
    """Ana's bearer token."""
    return world.auth("ana@example.com")


@pytest.fixture
def charges(container: Container) -> ChargeSpy:
    """Every call the payment gateway receives, and what it answered."""
    return ChargeSpy.install(container)


@pytest.fixture
def make_api(tmp_path: Path, clock: FixedClock, signing_pem: str) -> Iterator[Callable[..., Api]]:
    """Build another app on the same clock with some settings changed (closures, capacity...)."""
    stack = ExitStack()

    def make(**overrides: object) -> Api:
        settings = make_settings(tmp_path, token_signing_key=signing_pem, **overrides)
        container = build_test_container(settings, clock)
        app = create_app(container, settings, background=False)
        client = stack.enter_context(TestClient(app, base_url=BASE_URL))
        return Api(client, World(container, clock), container, ChargeSpy.install(container))

    with stack:
        yield make


@pytest.fixture
def watcher(world: World) -> Watcher:
    owner = world.customer("watcher@example.com")
    ticket = world.ticket(owner, visit_in=30)
    return Watcher(world.auth("watcher@example.com"), ticket.number.value)
