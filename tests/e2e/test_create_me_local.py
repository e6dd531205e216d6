"""`POST /api/me` with the local identity: a customer who registered through the API already has
their record, and a token the provider knows no login for gets none."""

from __future__ import annotations

import uuid
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa
from litestar.testing import TestClient

from adapters.clock import FixedClock
from infra.settings import Settings
from tests.builders import World
from tests.e2e.api import assert_problem, signed_token

NAMES = {"first_name": "Ana", "last_name": "Again"}


def test_a_registered_customer_cannot_create_their_record_again(
    client: TestClient[Any], world: World
) -> None:
    world.customer("ana@example.com", first="Ana", last="Test")
    headers = world.auth("ana@example.com")
    before = client.get("/api/me", headers=headers).json()

    refused = client.post("/api/me", json=NAMES, headers=headers)

    assert_problem(refused, 409, "customer_exists")
    assert client.get("/api/me", headers=headers).json() == before


def test_a_valid_token_for_a_login_the_provider_does_not_know_creates_nothing(
    client: TestClient[Any],
    app_settings: Settings,
    clock: FixedClock,
    signing_key: rsa.RSAPrivateKey,
) -> None:
    # Signed with the server's own key, and claiming an email: the email still has to come
    # from the provider, which has no such login.
    token = signed_token(client, app_settings, clock, signing_key, str(uuid.uuid4()))
    headers = {"Authorization": f"Bearer {token}"}

    refused = client.post("/api/me", json=NAMES, headers=headers)

    assert_problem(refused, 422, "email_not_verified")
    assert_problem(client.get("/api/me", headers=headers), 403, "customer_not_registered")


def test_creating_my_record_needs_a_token(client: TestClient[Any]) -> None:
    refused = client.post("/api/me", json=NAMES)

    assert_problem(refused, 401, "unauthorized")
