"""The identity provider contract, run against the local issuer and against Cognito (moto's
emulation of it): a registered login signs in with its password only, a taken email or weak
password is refused, an email change moves the sign-in, removal ends it, and `email_of` tells
a login's email. Then what only Cognito can do wrong: unconfirmed or unverified users, and an
unreachable service."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import boto3
import jwt
import pytest
from botocore.config import Config

from adapters.clock import FixedClock
from adapters.identity.cognito import CognitoIdentityProvider
from adapters.identity.local import LocalIdentityProvider, PasswordHasher
from application.errors import AuthenticationError, ServiceUnavailableError
from application.ports.identity import IdentityProvider
from domain.customers import EmailAddress
from domain.errors import ConflictError, InvalidInputError
from infra.container import Container
from tests.conftest import signing_key_pem
from tests.support.cognito import REGION, CognitoEmulator, cognito_emulator

PASSWORD = "Sunny-day-42"  # meets Cognito's default policy and ours
ANA = EmailAddress("ana@example.com")
BEA = EmailAddress("bea@example.com")


def subject_of(token: str) -> str:
    return str(jwt.decode(token, options={"verify_signature": False})["sub"])


class IdentityProviderContract:
    @pytest.fixture
    def identity(self) -> IdentityProvider:
        raise NotImplementedError

    def test_a_registered_login_signs_in_with_its_password_and_gets_a_token_for_it(
        self, identity: IdentityProvider
    ) -> None:
        subject = identity.register(ANA, PASSWORD)

        token = identity.authenticate(ANA, PASSWORD)

        assert subject_of(token.token) == subject
        assert token.expires_in > 0
        assert token.token_type.lower() == "bearer"

    def test_a_wrong_password_and_an_unknown_email_fail_alike(
        self, identity: IdentityProvider
    ) -> None:
        identity.register(ANA, PASSWORD)

        with pytest.raises(AuthenticationError) as wrong_password:
            identity.authenticate(ANA, PASSWORD + "x")
        with pytest.raises(AuthenticationError) as unknown_email:
            identity.authenticate(BEA, PASSWORD)

        assert wrong_password.value.code == unknown_email.value.code == "invalid_credentials"
        assert wrong_password.value.message == unknown_email.value.message

    def test_a_taken_email_is_refused_and_the_first_login_still_works(
        self, identity: IdentityProvider
    ) -> None:
        subject = identity.register(ANA, PASSWORD)

        with pytest.raises(ConflictError) as refused:
            identity.register(ANA, "Another-pass-7")

        assert refused.value.code == "email_taken"
        assert subject_of(identity.authenticate(ANA, PASSWORD).token) == subject

    def test_a_weak_password_is_refused_and_leaves_the_email_free(
        self, identity: IdentityProvider
    ) -> None:
        with pytest.raises(InvalidInputError) as refused:
            identity.register(ANA, "abc")

        assert refused.value.code == "weak_password"
        identity.register(ANA, PASSWORD)  # not taken by a half-made login

    def test_changing_the_email_moves_the_sign_in_to_the_new_address(
        self, identity: IdentityProvider
    ) -> None:
        subject = identity.register(ANA, PASSWORD)

        identity.change_email(subject, BEA)

        assert subject_of(identity.authenticate(BEA, PASSWORD).token) == subject
        with pytest.raises(AuthenticationError):
            identity.authenticate(ANA, PASSWORD)
        assert identity.email_of(subject) == BEA

    def test_an_email_of_another_login_cannot_be_taken_by_a_change(
        self, identity: IdentityProvider
    ) -> None:
        identity.register(ANA, PASSWORD)
        bea = identity.register(BEA, PASSWORD)

        with pytest.raises(ConflictError) as refused:
            identity.change_email(bea, ANA)

        assert refused.value.code == "email_taken"
        assert identity.email_of(bea) == BEA

    def test_an_unregistered_login_can_no_longer_sign_in_and_removing_it_again_is_harmless(
        self, identity: IdentityProvider
    ) -> None:
        subject = identity.register(ANA, PASSWORD)

        identity.unregister(subject)
        identity.unregister(subject)

        with pytest.raises(AuthenticationError):
            identity.authenticate(ANA, PASSWORD)
        assert identity.email_of(subject) is None
        assert identity.register(ANA, PASSWORD) != subject  # the email is free again

    def test_email_of_tells_each_login_its_own_email_and_nothing_for_strangers(
        self, identity: IdentityProvider
    ) -> None:
        ana = identity.register(ANA, PASSWORD)
        bea = identity.register(BEA, PASSWORD)

        assert identity.email_of(ana) == ANA
        assert identity.email_of(bea) == BEA
        assert identity.email_of("00000000-0000-4000-8000-000000000000") is None
        assert identity.email_of('x" or sub = "y') is None


class TestLocalIdentityProvider(IdentityProviderContract):
    @pytest.fixture
    def identity(self, clock: FixedClock) -> IdentityProvider:
        return LocalIdentityProvider(
            clock,
            "https://identity.test",
            "tap-web",
            timedelta(minutes=60),
            signing_key_pem(),
            PasswordHasher(cost=16),
        )


class TestLocalIdentityProviderOnPostgres(IdentityProviderContract):
    """The local issuer with its logins in PostgreSQL (the postgres profile's)."""

    @pytest.fixture
    def identity(self, postgres_container: Container) -> IdentityProvider:
        identity: IdentityProvider = postgres_container.identity()
        return identity


@pytest.fixture(scope="module")
def emulator() -> Iterator[CognitoEmulator]:
    with cognito_emulator() as running:
        yield running


@pytest.fixture
def pool(emulator: CognitoEmulator) -> tuple[Any, str, str]:
    """A Cognito client on moto, and a fresh pool and app client like the site's."""
    return (emulator.client, *emulator.new_pool())


class TestCognitoIdentityProvider(IdentityProviderContract):
    @pytest.fixture
    def identity(self, pool: tuple[Any, str, str]) -> IdentityProvider:
        return CognitoIdentityProvider(*pool)

    def test_a_registered_user_is_confirmed_with_a_verified_email_and_no_invitation(
        self, identity: IdentityProvider, pool: tuple[Any, str, str]
    ) -> None:
        client, pool_id, _ = pool

        subject = identity.register(ANA, PASSWORD)

        user = client.admin_get_user(UserPoolId=pool_id, Username=subject)
        attributes = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
        assert user["UserStatus"] == "CONFIRMED"
        assert attributes == {"email": ANA.value, "email_verified": "true", "sub": subject}

    def test_a_site_sign_up_that_is_not_confirmed_yet_cannot_sign_in(
        self, identity: IdentityProvider, pool: tuple[Any, str, str]
    ) -> None:
        client, _, client_id = pool
        client.sign_up(
            ClientId=client_id,
            Username=ANA.value,
            Password=PASSWORD,
            UserAttributes=[{"Name": "email", "Value": ANA.value}],
        )

        with pytest.raises(AuthenticationError) as refused:
            identity.authenticate(ANA, PASSWORD)

        assert refused.value.code == "account_not_confirmed"

    def test_a_confirmed_site_sign_up_has_its_email_but_an_unverified_email_counts_for_nothing(
        self, identity: IdentityProvider, pool: tuple[Any, str, str]
    ) -> None:
        client, pool_id, client_id = pool
        subject = client.sign_up(
            ClientId=client_id,
            Username=ANA.value,
            Password=PASSWORD,
            UserAttributes=[{"Name": "email", "Value": ANA.value}],
        )["UserSub"]
        client.admin_confirm_sign_up(UserPoolId=pool_id, Username=ANA.value)
        assert identity.email_of(subject) == ANA

        client.admin_update_user_attributes(
            UserPoolId=pool_id,
            Username=subject,
            UserAttributes=[{"Name": "email_verified", "Value": "false"}],
        )

        assert identity.email_of(subject) is None

    def test_an_unreachable_service_is_reported_as_unavailable_not_as_bad_credentials(
        self,
    ) -> None:
        unreachable = boto3.client(
            "cognito-idp",
            region_name=REGION,
            endpoint_url="http://127.0.0.1:9",  # nothing listens on port 9
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            config=Config(retries={"max_attempts": 1}, connect_timeout=2),
        )
        identity = CognitoIdentityProvider(unreachable, f"{REGION}_nope", "client")

        for call in (
            lambda: identity.authenticate(ANA, PASSWORD),
            lambda: identity.register(ANA, PASSWORD),
            lambda: identity.email_of("00000000-0000-4000-8000-000000000000"),
            lambda: identity.change_email("00000000-0000-4000-8000-000000000000", BEA),
        ):
            with pytest.raises(ServiceUnavailableError) as refused:
                call()
            assert refused.value.code == "identity_unavailable"
            assert PASSWORD not in refused.value.message

    def test_a_pool_that_does_not_exist_is_unavailable_rather_than_a_wrong_password(
        self, pool: tuple[Any, str, str]
    ) -> None:
        client, _, _ = pool
        identity = CognitoIdentityProvider(client, f"{REGION}_gone", "not-a-client")

        with pytest.raises(ServiceUnavailableError):
            identity.authenticate(ANA, PASSWORD)
        with pytest.raises(ServiceUnavailableError):
            identity.register(ANA, PASSWORD)
