"""The `cognito` identity's settings: what it needs is checked at start, the issuer and the
JWKS address are derived right, and the container builds the Cognito adapters without
touching the network."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from adapters.identity.cognito import CognitoIdentityProvider
from adapters.identity.jwt_verifier import JwtTokenVerifier
from infra.container import build_container
from tests.conftest import make_settings

POOL = "eu-west-1_AbC123"
CLIENT = "3n4b5urk1ft4fl3mg5e8gk6mpa"


@pytest.mark.parametrize(
    "missing",
    [
        {"cognito_client_id": CLIENT},
        {"cognito_user_pool_id": POOL, "aws_region": "eu-west-1"},
        {},
    ],
)
def test_the_cognito_identity_without_its_pool_or_client_is_refused_at_start(
    missing: dict[str, str],
) -> None:
    with pytest.raises(ValidationError) as refused:
        make_settings(identity="cognito", **missing)

    message = str(refused.value)
    assert "TAP_COGNITO_USER_POOL_ID" in message
    assert "TAP_COGNITO_CLIENT_ID" in message


def test_a_pool_of_another_region_is_refused_with_both_regions_named() -> None:
    with pytest.raises(ValidationError) as refused:
        make_settings(
            identity="cognito", cognito_user_pool_id=POOL, cognito_client_id=CLIENT
        )  # TAP_AWS_REGION defaults to us-east-1

    assert "'eu-west-1'" in str(refused.value)
    assert "'us-east-1'" in str(refused.value)


def test_the_local_identity_needs_no_pool() -> None:
    assert make_settings(identity="local").cognito_user_pool_id is None


def test_on_aws_the_keys_are_the_issuers_own() -> None:
    settings = make_settings(
        identity="cognito",
        cognito_user_pool_id=POOL,
        cognito_client_id=CLIENT,
        aws_region="eu-west-1",
    )

    assert settings.cognito_issuer == f"https://cognito-idp.eu-west-1.amazonaws.com/{POOL}"
    assert settings.cognito_keys_url == f"{settings.cognito_issuer}/.well-known/jwks.json"


def test_an_emulator_serves_the_keys_itself_but_the_issuer_keeps_the_aws_form() -> None:
    settings = make_settings(
        identity="cognito",
        cognito_user_pool_id=POOL,
        cognito_client_id=CLIENT,
        aws_region="eu-west-1",
        cognito_endpoint_url="http://127.0.0.1:5077/",
    )

    assert settings.cognito_issuer == f"https://cognito-idp.eu-west-1.amazonaws.com/{POOL}"
    assert settings.cognito_keys_url == f"http://127.0.0.1:5077/{POOL}/.well-known/jwks.json"


def test_an_explicit_jwks_url_wins() -> None:
    settings = make_settings(
        identity="cognito",
        cognito_user_pool_id=POOL,
        cognito_client_id=CLIENT,
        aws_region="eu-west-1",
        cognito_endpoint_url="http://127.0.0.1:5077",
        cognito_jwks_url="http://keys.test/jwks.json",
    )

    assert settings.cognito_keys_url == "http://keys.test/jwks.json"


def test_the_environment_names_are_the_documented_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TAP_IDENTITY", "cognito")
    monkeypatch.setenv("TAP_COGNITO_USER_POOL_ID", POOL)
    monkeypatch.setenv("TAP_COGNITO_CLIENT_ID", CLIENT)
    monkeypatch.setenv("TAP_COGNITO_ENDPOINT_URL", "http://127.0.0.1:5077")
    monkeypatch.setenv("TAP_COGNITO_JWKS_URL", "http://keys.test/jwks.json")
    monkeypatch.setenv("TAP_AWS_REGION", "eu-west-1")

    settings = make_settings()  # keyword arguments there do not name these

    assert (settings.identity, settings.cognito_user_pool_id, settings.cognito_client_id) == (
        "cognito",
        POOL,
        CLIENT,
    )
    assert settings.cognito_endpoint_url == "http://127.0.0.1:5077"
    assert settings.cognito_keys_url == "http://keys.test/jwks.json"


def test_the_container_builds_the_cognito_adapters_at_start_without_the_network(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    settings = make_settings(
        identity="cognito",
        cognito_user_pool_id=POOL,
        cognito_client_id=CLIENT,
        aws_region="eu-west-1",
        cognito_endpoint_url="http://127.0.0.1:9",  # nothing listens: nothing may be called
    )

    container = build_container(settings)

    identity = container.identity()
    assert isinstance(identity, CognitoIdentityProvider)
    assert identity.public_keys() is None
    assert isinstance(container.token_verifier(), JwtTokenVerifier)
