"""SignIn: a token for the right email and password; one answer for every wrong guess."""

import pytest

from application.errors import AuthenticationError
from tests.builders import PASSWORD, World


def test_the_right_email_and_password_give_an_access_token(world: World) -> None:
    world.customer("ana@example.com")

    token = world.container.sign_in()("ana@example.com", PASSWORD)

    assert token.token
    assert token.token_type == "Bearer"
    assert token.expires_in == 3600
    assert world.container.token_verifier().verify(token.token).email == "ana@example.com"


def test_the_email_is_matched_whatever_its_case_and_spaces(world: World) -> None:
    world.customer("ana@example.com")

    assert world.container.sign_in()("  ANA@Example.com ", PASSWORD).token


def test_a_wrong_password_and_an_unknown_email_give_the_same_error(world: World) -> None:
    world.customer("ana@example.com")
    errors = []
    for email, password in (
        ("ana@example.com", "Wrong-pass-1"),
        ("nobody@example.com", PASSWORD),
        ("not an email", PASSWORD),
        ("ana@example.com", ""),
    ):
        with pytest.raises(AuthenticationError) as raised:
            world.container.sign_in()(email, password)
        errors.append(raised.value)

    assert {(e.code, e.message, e.guidance) for e in errors} == {
        (errors[0].code, errors[0].message, errors[0].guidance)
    }
    assert errors[0].code == "invalid_credentials"
    assert "@" not in errors[0].message  # never echoes which email was tried
