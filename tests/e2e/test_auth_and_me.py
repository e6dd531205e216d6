"""Sign-up, sign-in, bearer tokens and the signed-in customer's own details, over HTTP."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from litestar.testing import TestClient

from adapters.clock import FixedClock
from domain.customers import EmailAddress
from infra.settings import Settings
from tests.builders import PASSWORD, World
from tests.e2e.api import assert_problem, signed_token, without_request_id

# Every route behind the bearer token, with a harmless request for each.
PROTECTED = [
    ("GET", "/api/me"),
    ("PATCH", "/api/me"),
    ("GET", "/api/tickets"),
    ("GET", "/api/tickets/TKT-00000001"),
    ("GET", "/api/tickets/TKT-00000001/eligibility"),
    ("GET", "/api/tickets/TKT-00000001/upgrade-options"),
    ("POST", "/api/upgrades"),
    ("GET", "/api/upgrades"),
    ("GET", f"/api/upgrades/{uuid.UUID(int=1)}"),
    ("POST", f"/api/upgrades/{uuid.UUID(int=1)}/payment"),
    ("POST", f"/api/upgrades/{uuid.UUID(int=1)}/cancel"),
]


def register(client: TestClient[Any], email: str, password: str = PASSWORD, **names: str) -> Any:
    body = {"email": email, "password": password, "first_name": "Ana", "last_name": "Test"}
    body.update(names)
    return client.post("/api/auth/register", json=body)


def login(client: TestClient[Any], email: str, password: str = PASSWORD) -> Any:
    return client.post("/api/auth/login", json={"email": email, "password": password})


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_unauthorized(response: Any) -> dict[str, Any]:
    body = assert_problem(response, 401, response.json().get("code", "?"))
    assert body["code"] in {"unauthorized", "invalid_token", "invalid_credentials"}
    assert response.headers["www-authenticate"].startswith("Bearer")
    return body


# -- register and sign in ------------------------------------------------------------------


def test_a_new_customer_registers_signs_in_and_reads_their_own_details(
    client: TestClient[Any],
) -> None:
    created = register(client, "  Zoe@Example.COM ", first_name=" Zoe ", last_name="Park")
    assert created.status_code == 201, created.text
    account = created.json()
    assert account["email"] == "zoe@example.com"
    assert (account["first_name"], account["last_name"]) == ("Zoe", "Park")
    assert "password" not in created.text
    assert PASSWORD not in created.text

    signed_in = login(client, "zoe@example.com")
    assert signed_in.status_code == 200, signed_in.text
    token = signed_in.json()
    assert token["token_type"].lower() == "bearer"
    assert token["expires_in"] == 3600
    assert token["access_token"].count(".") == 2

    me = client.get("/api/me", headers=bearer(token["access_token"]))
    assert me.status_code == 200
    assert me.json() == account


def test_signing_in_ignores_the_case_of_the_email(client: TestClient[Any]) -> None:
    register(client, "zoe@example.com")

    assert login(client, "ZOE@example.com").status_code == 200


def test_registering_an_email_that_is_taken_in_any_case_is_a_409(
    client: TestClient[Any],
) -> None:
    assert register(client, "zoe@example.com").status_code == 201

    assert_problem(register(client, "ZOE@Example.com", password="Other-pass-1"), 409, "email_taken")
    # The first account and its password are untouched.
    assert login(client, "zoe@example.com").status_code == 200
    assert_unauthorized(login(client, "zoe@example.com", "Other-pass-1"))


@pytest.mark.parametrize("password", ["short1", "no-digits-at-all", "1234567890"])
def test_a_weak_password_is_refused_and_no_account_is_created(
    client: TestClient[Any], password: str
) -> None:
    assert_problem(register(client, "zoe@example.com", password=password), 400, "weak_password")

    assert_unauthorized(login(client, "zoe@example.com", password))
    assert register(client, "zoe@example.com").status_code == 201


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("email", "not-an-email", "invalid_email"),
        ("first_name", "   ", "invalid_first_name"),
        ("last_name", "", "invalid_last_name"),
    ],
)
def test_registering_with_an_invalid_detail_is_refused_and_creates_nothing(
    client: TestClient[Any], field: str, value: str, code: str
) -> None:
    body = {"email": "zoe@example.com", "password": PASSWORD, "first_name": "Zoe"}
    body["last_name"] = "Park"
    body[field] = value

    assert_problem(client.post("/api/auth/register", json=body), 400, code)
    assert_unauthorized(login(client, "zoe@example.com"))


@pytest.mark.parametrize(
    "body",
    [
        {"email": "zoe@example.com", "password": PASSWORD, "first_name": "Zoe"},
        {"email": "zoe@example.com", "password": PASSWORD, "first_name": "Z", "last_name": 7},
        {
            "email": "z@example.com",
            "password": PASSWORD,
            "first_name": "Z",
            "last_name": "P",
            "x": 1,
        },
        ["zoe@example.com", PASSWORD],
    ],
    ids=["missing-field", "wrong-type", "extra-field", "not-an-object"],
)
def test_a_malformed_registration_is_a_400_naming_the_problem(
    client: TestClient[Any], body: Any
) -> None:
    problem = assert_problem(client.post("/api/auth/register", json=body), 400, "invalid_request")

    assert problem["errors"]
    assert PASSWORD not in str(problem)


def test_a_registration_that_is_not_json_is_a_400(client: TestClient[Any]) -> None:
    response = client.post(
        "/api/auth/register",
        content=b'{"email": "zoe@example.com",',
        headers={"Content-Type": "application/json"},
    )

    assert_problem(response, 400, "invalid_request")


def test_a_wrong_password_and_an_unknown_email_get_the_same_401(
    client: TestClient[Any], world: World
) -> None:
    world.customer("ana@example.com")

    wrong_password = assert_unauthorized(login(client, "ana@example.com", "Wrong-pass-9"))
    unknown_email = assert_unauthorized(login(client, "nobody@example.com"))

    assert wrong_password["code"] == "invalid_credentials"
    assert without_request_id(wrong_password) == without_request_id(unknown_email)


# -- bearer tokens ---------------------------------------------------------------------------


def subject_of(world: World, email: str) -> str:
    with world.container.unit_of_work() as uow:
        customer = uow.customers.by_email(EmailAddress.parse(email))
    assert customer is not None
    return customer.subject


def test_a_token_signed_like_ours_opens_the_api(
    client: TestClient[Any],
    world: World,
    app_settings: Settings,
    clock: FixedClock,
    signing_key: rsa.RSAPrivateKey,
) -> None:
    # The control for the refusals below: the hand-made tokens differ from this one in one way.
    world.customer("ana@example.com")
    subject = subject_of(world, "ana@example.com")
    token = signed_token(client, app_settings, clock, signing_key, subject)

    response = client.get("/api/me", headers=bearer(token))

    assert response.status_code == 200
    assert response.json()["email"] == "ana@example.com"


@pytest.mark.parametrize(("method", "path"), PROTECTED)
def test_every_customer_route_answers_401_without_a_token(
    client: TestClient[Any], method: str, path: str
) -> None:
    response = client.request(method, path, json={})

    body = assert_unauthorized(response)
    assert body["code"] == "unauthorized"


@pytest.mark.parametrize(
    "authorization", ["Basic YW5hOnB3", "Bearer", "Bearer    ", "Token abc.def.ghi", "bearer"]
)
def test_an_authorization_header_without_a_bearer_token_is_a_401(
    client: TestClient[Any], authorization: str
) -> None:
    assert_unauthorized(client.get("/api/me", headers={"Authorization": authorization}))


def test_a_token_whose_signature_was_changed_is_a_401(
    client: TestClient[Any], world: World
) -> None:
    world.customer("ana@example.com")
    token = world.token("ana@example.com")
    header, payload, signature = token.split(".")
    flipped = ("A" if signature[10] != "A" else "B").join((signature[:10], signature[11:]))

    assert_unauthorized(client.get("/api/me", headers=bearer(f"{header}.{payload}.{flipped}")))
    # The genuine token still works: only the forgery was refused.
    assert client.get("/api/me", headers=bearer(token)).status_code == 200


def test_a_token_whose_claims_were_changed_after_signing_is_a_401(
    client: TestClient[Any], world: World
) -> None:
    world.customer("ana@example.com")
    world.customer("mallory@example.com")
    header, _, signature = world.token("mallory@example.com").split(".")
    other = world.token("ana@example.com").split(".")[1]  # Ana's claims, Mallory's signature

    assert_unauthorized(client.get("/api/me", headers=bearer(f"{header}.{other}.{signature}")))


def test_a_token_expires_after_its_lifetime_and_the_30_second_leeway(
    client: TestClient[Any], world: World, clock: FixedClock
) -> None:
    world.customer("ana@example.com")
    headers = world.auth("ana@example.com")
    assert client.get("/api/me", headers=headers).status_code == 200

    clock.advance(timedelta(minutes=60, seconds=29))
    assert client.get("/api/me", headers=headers).status_code == 200

    clock.advance(timedelta(seconds=1))
    body = assert_unauthorized(client.get("/api/me", headers=headers))
    assert "expired" in body["detail"].lower()


def test_a_token_not_yet_seen_is_refused_once_expired(
    client: TestClient[Any], world: World, clock: FixedClock
) -> None:
    # Never used while valid, so no verification is cached for it.
    world.customer("ana@example.com")
    headers = world.auth("ana@example.com")

    clock.advance(timedelta(minutes=61))

    assert_unauthorized(client.get("/api/tickets", headers=headers))


@pytest.mark.parametrize(
    "changes",
    [
        {"client_id": "someone-else", "aud": "someone-else"},
        {"iss": "https://evil.example"},
        {"token_use": "refresh"},
        {"exp": None},
        {"iat": "ISSUED_IN_THE_FUTURE"},
    ],
    ids=["wrong-audience", "wrong-issuer", "wrong-token-use", "no-expiry", "issued-in-future"],
)
def test_a_correctly_signed_token_with_the_wrong_claims_is_a_401(
    client: TestClient[Any],
    world: World,
    app_settings: Settings,
    clock: FixedClock,
    signing_key: rsa.RSAPrivateKey,
    changes: dict[str, Any],
) -> None:
    world.customer("ana@example.com")
    if changes.get("iat") == "ISSUED_IN_THE_FUTURE":
        changes = {"iat": int(clock.now().timestamp()) + 3600}
    subject = subject_of(world, "ana@example.com")
    token = signed_token(client, app_settings, clock, signing_key, subject, **changes)

    assert_unauthorized(client.get("/api/me", headers=bearer(token)))


def test_a_token_signed_with_another_key_or_algorithm_is_a_401(
    client: TestClient[Any], world: World, app_settings: Settings, clock: FixedClock
) -> None:
    world.customer("ana@example.com")
    subject = subject_of(world, "ana@example.com")
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    secret = "a-shared-secret-of-32-bytes-long!"
    tokens = [
        signed_token(client, app_settings, clock, other_key, subject),  # same kid, other key
        signed_token(client, app_settings, clock, secret, subject, algorithm="HS256"),
        signed_token(client, app_settings, clock, None, subject, algorithm="none"),
        "not-a-jwt",
        "a.b.c",
    ]

    for token in tokens:
        assert_unauthorized(client.get("/api/me", headers=bearer(token)))


def test_a_valid_token_for_an_identity_without_an_account_is_a_403(
    client: TestClient[Any],
    app_settings: Settings,
    clock: FixedClock,
    signing_key: rsa.RSAPrivateKey,
) -> None:
    token = signed_token(client, app_settings, clock, signing_key, str(uuid.uuid4()))

    assert_problem(
        client.get("/api/tickets", headers=bearer(token)), 403, "customer_not_registered"
    )


# -- me ---------------------------------------------------------------------------------------


def test_updating_my_names_trims_them_and_keeps_them(
    client: TestClient[Any], world: World, clock: FixedClock
) -> None:
    world.customer("ana@example.com")
    headers = world.auth("ana@example.com")
    before = client.get("/api/me", headers=headers).json()
    clock.advance(timedelta(minutes=1))

    response = client.patch("/api/me", json={"first_name": "  Anna  "}, headers=headers)

    assert response.status_code == 200, response.text
    after = response.json()
    assert after["first_name"] == "Anna"
    assert after["last_name"] == before["last_name"]
    assert after["email"] == before["email"]
    assert after["updated_at"] > before["updated_at"]
    assert client.get("/api/me", headers=headers).json() == after


def test_changing_my_email_moves_my_sign_in_to_it(client: TestClient[Any], world: World) -> None:
    world.customer("ana@example.com")
    headers = world.auth("ana@example.com")

    response = client.patch("/api/me", json={"email": "Ana.New@Example.com"}, headers=headers)

    assert response.status_code == 200, response.text
    assert response.json()["email"] == "ana.new@example.com"
    assert login(client, "ana.new@example.com").status_code == 200
    assert_unauthorized(login(client, "ana@example.com"))
    # The token issued before the change still names the same customer.
    assert client.get("/api/me", headers=headers).json()["email"] == "ana.new@example.com"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"email": "not-an-email", "first_name": "Anna"}, "invalid_email"),
        ({"first_name": "   ", "last_name": "Other"}, "invalid_first_name"),
        ({"last_name": ""}, "invalid_last_name"),
    ],
)
def test_an_update_breaking_a_rule_is_refused_and_changes_nothing(
    client: TestClient[Any], world: World, change: dict[str, str], code: str
) -> None:
    world.customer("ana@example.com")
    headers = world.auth("ana@example.com")
    before = client.get("/api/me", headers=headers).json()

    assert_problem(client.patch("/api/me", json=change, headers=headers), 400, code)

    assert client.get("/api/me", headers=headers).json() == before
    assert login(client, "ana@example.com").status_code == 200


def test_taking_another_customers_email_is_a_409_and_changes_nothing(
    client: TestClient[Any], world: World
) -> None:
    world.customer("ana@example.com")
    world.customer("ben@example.com")
    headers = world.auth("ana@example.com")
    before = client.get("/api/me", headers=headers).json()

    response = client.patch(
        "/api/me", json={"email": "BEN@example.com", "first_name": "X"}, headers=headers
    )

    assert_problem(response, 409, "email_taken")
    assert client.get("/api/me", headers=headers).json() == before
    assert login(client, "ben@example.com").status_code == 200


@pytest.mark.parametrize(
    "body",
    [{}, {"nickname": "Annie"}, {"first_name": 5}, {"email": None, "first_name": None}],
    ids=["nothing-to-change", "extra-field", "wrong-type", "all-null"],
)
def test_a_malformed_update_of_me_is_a_400(
    client: TestClient[Any], world: World, body: dict[str, Any]
) -> None:
    world.customer("ana@example.com")
    headers = world.auth("ana@example.com")
    before = client.get("/api/me", headers=headers).json()

    assert_problem(client.patch("/api/me", json=body, headers=headers), 400, "invalid_request")
    assert client.get("/api/me", headers=headers).json() == before
