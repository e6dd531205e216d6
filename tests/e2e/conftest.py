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
from adapters.identity import local as local_identity
from entrypoints.http.app import create_app
from infra.container import Container
from infra.settings import Settings
from tests.builders import World
from tests.conftest import build_test_container, make_settings
from tests.e2e.api import Api, ChargeSpy, Watcher

BASE_URL = "http://testserver.local"


@pytest.fixture(scope="session")
def signing_key() -> rsa.RSAPrivateKey:
    """One RSA key for the whole run: tests can sign their own (bad) tokens with it."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="session")
def signing_pem(signing_key: rsa.RSAPrivateKey) -> str:
    return signing_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


@pytest.fixture(autouse=True)
def _reuse_the_signing_key(
    monkeypatch: pytest.MonkeyPatch, signing_key: rsa.RSAPrivateKey, signing_pem: str
) -> None:
    """Loading (or generating) an RSA key costs ~80 ms per app; every app of the run uses the
    session's key instead, which the settings below name, so nothing else changes."""

    def load(pem: str | None) -> rsa.RSAPrivateKey:
        assert pem == signing_pem
        return signing_key

    monkeypatch.setattr(local_identity, "load_or_generate_key", load)


@pytest.fixture
def app_settings(tmp_path: Path, signing_pem: str) -> Settings:
    return make_settings(tmp_path, token_signing_key=signing_pem)


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
