"""The API with the `cognito` identity, against moto's Cognito served over HTTP: tokens the pool
issues are accepted (their keys fetched from the pool's JWKS URL), everyone else's refused; a
site sign-up creates its customer record with `POST /api/me`, its email taken from the pool;
and the API's own registration and sign-in go through the pool too."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from adapters.clock import FixedClock
from entrypoints.http.app import create_app
from infra.container import Container, build_container
from infra.settings import Settings
from tests.conftest import make_settings
from tests.e2e.api import assert_problem
from tests.support.cognito import CognitoEmulator, cognito_emulator

PASSWORD = "Sunny-day-42"
NAMES = {"first_name": " Cleo ", "last_name": "Gnito"}


@pytest.fixture(scope="module")
def pool() -> Iterator[CognitoEmulator]:
    with cognito_emulator() as emulator:
        yield emulator


def cognito_settings(pool: CognitoEmulator, tmp_path: Path, **overrides: Any) -> Settings:
    return make_settings(
        tmp_path,
        identity="cognito",
        cognito_user_pool_id=pool.user_pool_id,
        cognito_client_id=pool.client_id,
        cognito_endpoint_url=pool.endpoint_url,
        aws_region=pool.region,
        **overrides,
    )


def serve(container: Container, settings: Settings) -> TestClient[Any]:
    return TestClient(create_app(container, settings, background=False))


@pytest.fixture
def app_settings(pool: CognitoEmulator, tmp_path: Path) -> Settings:
    return cognito_settings(pool, tmp_path)


@pytest.fixture
def api(app_settings: Settings) -> Iterator[TestClient[Any]]:
    # The system clock: the pool stamps its tokens with the real time.
    with serve(build_container(app_settings), app_settings) as client:
        yield client


@pytest.fixture
def new_user(pool: CognitoEmulator) -> str:
    """A site sign-up (confirmed, email verified) with no customer record yet."""
    email = f"site-{uuid.uuid4().hex[:12]}@example.com"
    pool.add_user(email, PASSWORD)
    return email


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def access_token(pool: CognitoEmulator, email: str) -> str:
    return pool.sign_in(email, PASSWORD)["AccessToken"]


def test_a_site_sign_up_creates_its_customer_record_with_the_pools_email_and_then_uses_the_api(
    api: TestClient[Any], pool: CognitoEmulator, new_user: str
) -> None:
    headers = bearer(access_token(pool, new_user))
    assert_problem(api.get("/api/me", headers=headers), 403, "customer_not_registered")

    created = api.post("/api/me", json=NAMES, headers=headers)

    assert created.status_code == 201, created.text
    profile = created.json()
    assert profile["email"] == new_user
    assert (profile["first_name"], profile["last_name"]) == ("Cleo", "Gnito")
    me = api.get("/api/me", headers=headers)
    assert me.status_code == 200, me.text
    assert me.json() == profile
    tickets = api.get("/api/tickets", headers=headers)
    assert tickets.status_code == 200, tickets.text
    assert tickets.json() == []


def test_the_email_is_never_taken_from_the_request(
    api: TestClient[Any], pool: CognitoEmulator, new_user: str
) -> None:
    headers = bearer(access_token(pool, new_user))

    refused = api.post("/api/me", json={**NAMES, "email": "mallory@example.com"}, headers=headers)

    assert_problem(refused, 400, "invalid_request")
    assert_problem(api.get("/api/me", headers=headers), 403, "customer_not_registered")
    assert api.post("/api/me", json=NAMES, headers=headers).json()["email"] == new_user


def test_an_id_token_is_accepted_as_well_as_an_access_token(
    api: TestClient[Any], pool: CognitoEmulator, new_user: str
) -> None:
    tokens = pool.sign_in(new_user, PASSWORD)
    created = api.post("/api/me", json=NAMES, headers=bearer(tokens["IdToken"]))
    assert created.status_code == 201, created.text

    me = api.get("/api/me", headers=bearer(tokens["AccessToken"]))

    assert me.json() == created.json()


def test_creating_the_record_twice_is_a_conflict_and_keeps_the_first(
    api: TestClient[Any], pool: CognitoEmulator, new_user: str
) -> None:
    headers = bearer(access_token(pool, new_user))
    first = api.post("/api/me", json=NAMES, headers=headers)
    assert first.status_code == 201, first.text

    again = api.post("/api/me", json={"first_name": "Other", "last_name": "Name"}, headers=headers)

    assert_problem(again, 409, "customer_exists")
    assert api.get("/api/me", headers=headers).json() == first.json()


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"first_name": "  ", "last_name": "Gnito"}, "invalid_first_name"),
        ({"first_name": "Cleo", "last_name": "Gn\u202eito"}, "invalid_last_name"),
    ],
)
def test_bad_names_are_refused_and_create_nothing(
    api: TestClient[Any], pool: CognitoEmulator, new_user: str, body: dict[str, str], code: str
) -> None:
    headers = bearer(access_token(pool, new_user))

    assert_problem(api.post("/api/me", json=body, headers=headers), 400, code)
    assert_problem(
        api.post("/api/me", json={"first_name": "Cleo"}, headers=headers), 400, "invalid_request"
    )
    assert_problem(api.get("/api/me", headers=headers), 403, "customer_not_registered")


def test_an_email_that_another_customer_has_is_a_conflict(
    api: TestClient[Any], pool: CognitoEmulator
) -> None:
    registered = api.post(
        "/api/auth/register", json={"email": "dora@example.com", "password": PASSWORD, **NAMES}
    )
    assert registered.status_code == 201, registered.text
    # An administrator removes Dora's login from the pool; her customer record stays. Someone
    # then signs up on the site with her address.
    pool.client.admin_delete_user(UserPoolId=pool.user_pool_id, Username="dora@example.com")
    pool.add_user("dora@example.com", PASSWORD)
    headers = bearer(access_token(pool, "dora@example.com"))

    assert_problem(api.post("/api/me", json=NAMES, headers=headers), 409, "email_taken")
    assert_problem(api.get("/api/me", headers=headers), 403, "customer_not_registered")


def test_the_apis_own_registration_and_sign_in_go_through_the_pool(
    api: TestClient[Any], pool: CognitoEmulator
) -> None:
    registered = api.post(
        "/api/auth/register", json={"email": "Eve@Example.com", "password": PASSWORD, **NAMES}
    )
    assert registered.status_code == 201, registered.text
    user = pool.client.admin_get_user(UserPoolId=pool.user_pool_id, Username="eve@example.com")
    assert user["UserStatus"] == "CONFIRMED"

    signed_in = api.post("/api/auth/login", json={"email": "eve@example.com", "password": PASSWORD})
    assert signed_in.status_code == 200, signed_in.text
    token = signed_in.json()["access_token"]
    me = api.get("/api/me", headers=bearer(token))
    assert me.json() == registered.json()
    assert_problem(api.post("/api/me", json=NAMES, headers=bearer(token)), 409, "customer_exists")

    wrong = api.post("/api/auth/login", json={"email": "eve@example.com", "password": "Nope-1234"})
    assert_problem(wrong, 401, "invalid_credentials")
    weak = api.post(
        "/api/auth/register", json={"email": "fay@example.com", "password": "abc", **NAMES}
    )
    assert_problem(weak, 400, "weak_password")
    taken = api.post(
        "/api/auth/register", json={"email": "eve@example.com", "password": PASSWORD, **NAMES}
    )
    assert_problem(taken, 409, "email_taken")


def test_changing_my_email_moves_my_sign_in_in_the_pool(
    api: TestClient[Any], pool: CognitoEmulator, new_user: str
) -> None:
    headers = bearer(access_token(pool, new_user))
    assert api.post("/api/me", json=NAMES, headers=headers).status_code == 201

    changed = api.patch("/api/me", json={"email": "Moved@Example.com"}, headers=headers)

    assert changed.status_code == 200, changed.text
    assert changed.json()["email"] == "moved@example.com"
    moved = api.get("/api/me", headers=bearer(access_token(pool, "moved@example.com")))
    assert moved.json() == changed.json()
    old = api.post("/api/auth/login", json={"email": new_user, "password": PASSWORD})
    assert_problem(old, 401, "invalid_credentials")


def test_tokens_of_another_pool_or_another_app_client_are_refused(
    api: TestClient[Any], pool: CognitoEmulator
) -> None:
    other_pool = CognitoEmulator(pool.endpoint_url, pool.region, *pool.new_pool(), pool.client)
    other_pool.add_user("gus@example.com", PASSWORD)
    pool.add_user("gus@example.com", PASSWORD)
    other_app = pool.client.create_user_pool_client(
        UserPoolId=pool.user_pool_id,
        ClientName="someone-elses-app",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]

    for elsewhere in (other_pool, replace(pool, client_id=other_app)):
        tokens = elsewhere.sign_in("gus@example.com", PASSWORD)
        for token in (tokens["AccessToken"], tokens["IdToken"]):
            refused = api.post("/api/me", json=NAMES, headers=bearer(token))
            assert_problem(refused, 401, "unauthorized")
    # The same person through the site's own client is recognised.
    own = bearer(access_token(pool, "gus@example.com"))
    assert_problem(api.get("/api/me", headers=own), 403, "customer_not_registered")


def test_this_server_publishes_no_keys_of_its_own(api: TestClient[Any]) -> None:
    assert_problem(api.get("/.well-known/jwks.json"), 404, "not_found")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def test_a_forged_token_is_refused(
    api: TestClient[Any], pool: CognitoEmulator, new_user: str
) -> None:
    victim = access_token(pool, new_user)
    header, payload, signature = victim.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    forged = ".".join(
        (header, _b64(json.dumps({**claims, "sub": "someone-else"}).encode()), signature)
    )

    assert_problem(api.get("/api/me", headers=bearer(forged)), 401, "unauthorized")
    unsigned = ".".join((_b64(b'{"alg":"none","typ":"JWT"}'), payload, ""))
    assert_problem(api.get("/api/me", headers=bearer(unsigned)), 401, "unauthorized")


def test_an_expired_token_is_refused(
    pool: CognitoEmulator, new_user: str, app_settings: Settings
) -> None:
    token = access_token(pool, new_user)  # valid for an hour
    two_hours_on = FixedClock(datetime.now(UTC) + timedelta(hours=2))
    container = build_container(app_settings, overrides={"clock": two_hours_on})

    with serve(container, app_settings) as later:
        refused = later.post("/api/me", json=NAMES, headers=bearer(token))

    body = assert_problem(refused, 401, "unauthorized")
    assert "expired" in body["detail"]


def test_keys_that_cannot_be_fetched_make_the_api_unavailable_not_the_token_bad(
    pool: CognitoEmulator, new_user: str, tmp_path: Path
) -> None:
    token = access_token(pool, new_user)
    settings = cognito_settings(pool, tmp_path, cognito_jwks_url="http://127.0.0.1:9/jwks.json")

    with serve(build_container(settings), settings) as api:
        answer = api.get("/api/me", headers=bearer(token))

    assert_problem(answer, 503, "identity_unavailable")
    assert answer.headers["retry-after"]
