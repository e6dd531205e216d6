"""The Cognito build in Chromium against moto's user pool: sign-up in the site's own form, the
emailed code, sign-in, the customer profile created through `POST /api/me`, a reload that keeps
the session, a global sign-out that leaves no token behind, and a wrong password explained in
plain words; accessibility (axe, WCAG 2.1 AA) on each screen of the way. Also the shell's two
guards: a reload after the access token lapsed renews it with the refresh token (sign-in only
once the pool refuses that), and a signed-in account that left the profile step is asked for
its name on My tickets instead of meeting the API's 403.

The main build signs in with USER_PASSWORD_AUTH because moto's SRP accepts any password; one
test builds the default (SRP) flow too, so the SDK chunk that only SRP loads is proven in a real
browser."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from playwright.sync_api import Page, expect

from tests.browser.pages import assert_accessible, screenshot
from tests.support.cognito import CognitoEmulator, cognito_emulator
from tests.support.cognito_site import CognitoSite, cognito_site

PASSWORD = "Sunny-day-42"
# moto's ConfirmSignUp accepts any code (checked in test_register_confirm_...).
ANY_CODE = "123456"


@pytest.fixture(scope="module")
def pool() -> Iterator[CognitoEmulator]:
    with cognito_emulator() as emulator:
        yield emulator


@pytest.fixture(scope="module")
def site(pool: CognitoEmulator, tmp_path_factory: pytest.TempPathFactory) -> Iterator[CognitoSite]:
    with cognito_site(tmp_path_factory.mktemp("cognito-site"), pool) as running:
        yield running


@pytest.fixture(scope="module")
def browser_context_args(site: CognitoSite) -> dict[str, Any]:
    """This module's pages open the Cognito build. Replaces the shared (session) arguments,
    which would also start the local build's site for nothing; same viewport and locale."""
    return {
        "base_url": site.base_url,
        "viewport": {"width": 1280, "height": 900},
        "locale": "en-US",
    }


def new_email() -> str:
    return f"cleo-{uuid.uuid4().hex[:10]}@example.com"


def stored_session(page: Page) -> Any:
    raw = page.evaluate("() => window.sessionStorage.getItem('tap.session')")
    return json.loads(raw) if raw else None


def user_status(pool: CognitoEmulator, email: str) -> str:
    return str(
        pool.client.admin_get_user(UserPoolId=pool.user_pool_id, Username=email)["UserStatus"]
    )


def token_refused(pool: CognitoEmulator, access_token: str, within: float = 5.0) -> bool:
    """True once the pool refuses the access token (it has been signed out globally)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            pool.client.get_user(AccessToken=access_token)
        except ClientError as error:
            return bool(error.response["Error"]["Code"] == "NotAuthorizedException")
        time.sleep(0.1)
    return False


def sign_in(page: Page, email: str, password: str) -> None:
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def complete_profile(page: Page, first_name: str, last_name: str) -> None:
    page.get_by_label("First name").fill(first_name)
    page.get_by_label("Last name").fill(last_name)
    page.get_by_role("button", name="Save and continue").click()


def lapse_access_token(page: Page) -> None:
    """What the tab holds once the access token's hour is over: same tokens, past expiry."""
    page.evaluate(
        """() => {
            const session = JSON.parse(window.sessionStorage.getItem('tap.session'));
            session.expiresAt = Date.now() - 60000;
            window.sessionStorage.setItem('tap.session', JSON.stringify(session));
        }"""
    )


def test_register_confirm_sign_in_reload_and_sign_out(
    page: Page, site: CognitoSite, pool: CognitoEmulator
) -> None:
    email = new_email()
    page_errors: list[str] = []
    page.on("pageerror", lambda error: page_errors.append(str(error)))

    # Sign-up in the site's form creates an unconfirmed Cognito user, and no customer yet.
    page.goto("/#/register")
    expect(page.get_by_role("heading", name="Create an account")).to_be_visible()
    assert_accessible(page, "cognito register")
    screenshot(page, "cognito register")
    page.get_by_label("First name").fill("Cleo")
    page.get_by_label("Last name").fill("Gnito")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()

    code = page.get_by_label("Confirmation code")
    expect(page.get_by_role("heading", name="Confirm your email")).to_be_visible()
    expect(code).to_be_focused()
    assert user_status(pool, email) == "UNCONFIRMED"
    assert site.customer(email) is None
    assert_accessible(page, "cognito confirm")
    screenshot(page, "cognito confirm")

    # The code confirms the account; the site then signs in and creates the profile.
    code.fill(ANY_CODE)
    page.get_by_role("button", name="Confirm account").click()
    expect(page.get_by_role("heading", name="My tickets")).to_be_visible()
    assert user_status(pool, email) == "CONFIRMED"
    customer = site.customer(email)
    assert customer is not None, "POST /api/me did not create the customer"
    assert (str(customer.email), customer.first_name, customer.last_name) == (
        email,
        "Cleo",
        "Gnito",
    )
    session = stored_session(page)
    assert session["email"] == email
    assert session["refreshToken"]
    token = session["accessToken"]
    assert pool.client.get_user(AccessToken=token)["Username"] == customer.subject
    assert page.evaluate("() => window.sessionStorage.getItem('tap.pendingProfile')") is None
    assert page.evaluate("() => window.localStorage.length") == 0
    assert page.context.cookies() == []
    screenshot(page, "cognito my tickets")

    # A reload in the same tab keeps the session.
    page.reload()
    expect(page.get_by_role("heading", name="My tickets")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    # Sign-out: back to sign-in, no token in the tab, and the pool no longer honours it.
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert stored_session(page) is None
    assert token_refused(pool, token), "the access token still works after sign-out"
    assert_accessible(page, "cognito sign-in")

    # A wrong password is checked by the pool (USER_PASSWORD_AUTH) and said plainly.
    sign_in(page, email, "Not-the-password-1")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("We could not sign you in.")
    expect(alert).to_contain_text("The email or password is incorrect.")
    assert stored_session(page) is None
    assert_accessible(page, "cognito sign-in with error")
    screenshot(page, "cognito wrong password")

    # The right one signs in again; the profile exists, so nothing more is asked.
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="My tickets")).to_be_visible()
    assert stored_session(page)["accessToken"] != token
    assert page_errors == []


def test_sign_in_without_profile_asks_for_the_name(
    page: Page, site: CognitoSite, pool: CognitoEmulator
) -> None:
    """An account confirmed elsewhere (no names known in this tab) completes its profile."""
    email = new_email()
    pool.add_user(email, PASSWORD)
    page.goto("/#/sign-in")
    sign_in(page, email, PASSWORD)
    expect(page.get_by_role("heading", name="Complete your profile")).to_be_visible()
    assert site.customer(email) is None
    assert_accessible(page, "cognito complete profile")
    screenshot(page, "cognito complete profile")
    page.get_by_label("First name").fill("Ada")
    page.get_by_label("Last name").fill("Pool")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", name="My tickets")).to_be_visible()
    customer = site.customer(email)
    assert customer is not None
    assert (customer.first_name, customer.last_name) == ("Ada", "Pool")


def test_default_srp_build_signs_in(page: Page, pool: CognitoEmulator, tmp_path: Path) -> None:
    """The default build (SRP): the SDK chunk loads in Chromium and its proof signs in."""
    email = new_email()
    pool.add_user(email, PASSWORD)
    with cognito_site(tmp_path, pool, auth_flow="USER_SRP_AUTH") as srp_site:
        srp_chunks = list((srp_site.site_dir / "assets").glob("cognitoSrp-*.js"))
        assert len(srp_chunks) == 1, "the SRP SDK should be a chunk of its own"
        loaded: list[str] = []
        page_errors: list[str] = []
        page.on("request", lambda request: loaded.append(request.url))
        # e.g. "global is not defined" if the SDK's Node globals were not mapped at build time
        page.on("pageerror", lambda error: page_errors.append(str(error)))
        page.goto(f"{srp_site.base_url}/#/sign-in")
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
        assert not any("cognitoSrp-" in url for url in loaded), "SDK loaded before sign-in"
        sign_in(page, email, PASSWORD)
        expect(page.get_by_role("heading", name="Complete your profile")).to_be_visible()
        assert any("cognitoSrp-" in url for url in loaded)
        assert stored_session(page)["email"] == email
        assert page_errors == []


def test_reload_without_profile_asks_for_the_name_on_my_tickets(
    page: Page, site: CognitoSite, pool: CognitoEmulator
) -> None:
    """Left the profile step and reloaded on My tickets: the shell asks for the name there
    (focus on its heading), then shows My tickets, instead of the API's 403."""
    email = new_email()
    pool.add_user(email, PASSWORD)
    page.goto("/#/sign-in")
    sign_in(page, email, PASSWORD)
    expect(page.get_by_role("heading", name="Complete your profile")).to_be_visible()

    page.goto("/#/tickets")
    page.reload()
    heading = page.get_by_role("heading", name="Complete your profile", level=1)
    expect(heading).to_be_visible()
    expect(heading).to_be_focused()
    expect(page).to_have_url(f"{site.base_url}/#/tickets")
    expect(page.get_by_text("no customer profile")).to_have_count(0)
    assert site.customer(email) is None
    assert_accessible(page, "cognito complete profile on my tickets")
    screenshot(page, "cognito complete profile on my tickets")

    complete_profile(page, "Ada", "Reload")
    tickets = page.get_by_role("heading", name="My tickets", level=1)
    expect(tickets).to_be_focused()
    expect(page.get_by_text("You have no tickets on this account yet.")).to_be_visible()
    customer = site.customer(email)
    assert customer is not None
    assert (customer.first_name, customer.last_name) == ("Ada", "Reload")


def test_lapsed_access_token_is_renewed_on_reload_until_the_pool_refuses(
    page: Page, site: CognitoSite, pool: CognitoEmulator
) -> None:
    email = new_email()
    pool.add_user(email, PASSWORD)
    page.goto("/#/sign-in")
    sign_in(page, email, PASSWORD)
    complete_profile(page, "Rey", "Fresh")
    expect(page.get_by_role("heading", name="My tickets")).to_be_visible()
    before = stored_session(page)

    # The access token lapsed while the tab slept: the reload renews it, no sign-in asked.
    lapse_access_token(page)
    page.reload()
    expect(page.get_by_text("You have no tickets on this account yet.")).to_be_visible()
    expect(page).to_have_url(f"{site.base_url}/#/tickets")
    after = stored_session(page)
    assert after["accessToken"] != before["accessToken"]
    assert after["refreshToken"] == before["refreshToken"]
    assert pool.client.get_user(AccessToken=after["accessToken"])["Username"]

    # Signed out everywhere (another device): the renewal fails, so sign-in, route kept.
    pool.client.global_sign_out(AccessToken=after["accessToken"])
    lapse_access_token(page)
    page.reload()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page).to_have_url(f"{site.base_url}/#/sign-in?next=%2Ftickets&expired=1")
    expect(page.get_by_text("Your session has ended.")).to_be_visible()
    assert stored_session(page) is None
    assert_accessible(page, "cognito sign-in after a refused renewal")

    sign_in(page, email, PASSWORD)
    expect(page.get_by_role("heading", name="My tickets")).to_be_visible()
    expect(page).to_have_url(f"{site.base_url}/#/tickets")
