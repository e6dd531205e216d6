"""Registration, sign-in and sessions in Chromium against the local build's identity endpoints:
the site's own forms, errors in words, and an expired session that returns the customer to
where they were."""

from __future__ import annotations

import json
import re

from playwright.sync_api import Page, expect

from tests.browser.pages import assert_accessible, screenshot, sign_in
from tests.support.live_site import DEMO_PASSWORD, LiveSite

SESSION_KEY = "tap.session"  # frontend/src/auth/sessionStore.ts


def test_register_then_sign_out_and_sign_in_again(page: Page) -> None:
    page.goto("/#/register")
    expect(page.get_by_role("heading", name="Create an account")).to_be_visible()
    page.get_by_role("button", name="Create account").click()  # everything empty
    expect(page.get_by_label("First name")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("First name")).to_be_focused()
    assert_accessible(page, "register with errors")
    screenshot(page, "register-errors")

    page.get_by_label("First name").fill("Rosa")
    page.get_by_label("Last name").fill("Parks")
    page.get_by_label("Email").fill("rosa@example.com")
    page.get_by_label("Password").fill("Rides-2026")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="My tickets")).to_be_visible()
    expect(page.get_by_text("You have no tickets on this account yet.")).to_be_visible()
    assert_accessible(page, "my tickets, none yet")

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert page.evaluate(f"sessionStorage.getItem('{SESSION_KEY}')") is None
    assert page.context.cookies() == []  # tokens never live in a cookie

    page.get_by_label("Email").fill("rosa@example.com")
    page.get_by_label("Password").fill("Wrong-2026")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("incorrect")
    assert_accessible(page, "sign-in refused")
    screenshot(page, "sign-in-refused")
    page.get_by_label("Password").fill("Rides-2026")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="My tickets")).to_be_visible()


def test_registering_a_taken_email_says_so_beside_the_field(page: Page) -> None:
    page.goto("/#/register")
    page.get_by_label("First name").fill("Alice")
    page.get_by_label("Last name").fill("Again")
    page.get_by_label("Email").fill("alice@example.com")
    page.get_by_label("Password").fill("Rides-2026")
    page.get_by_role("button", name="Create account").click()
    email = page.get_by_label("Email")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_accessible_description(re.compile("already"))
    assert_accessible(page, "register: email taken")


def test_a_signed_out_visitor_is_sent_to_sign_in_and_brought_back(
    page: Page, site: LiveSite
) -> None:
    ticket = site.customer_with_ticket("returning@example.com").number.value
    page.goto(f"/#/tickets/{ticket}/upgrade")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert_accessible(page, "sign-in")
    screenshot(page, "sign-in")
    page.get_by_label("Email").fill("returning@example.com")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name=f"Upgrade ticket {ticket}")).to_be_visible()


def test_a_session_the_server_no_longer_accepts_returns_to_sign_in_keeping_the_page(
    page: Page, site: LiveSite
) -> None:
    ticket = site.customer_with_ticket("lapsed@example.com").number.value
    sign_in(page, "lapsed@example.com", DEMO_PASSWORD)
    # The server stops accepting the token (as when it expires or is revoked) while the tab
    # still holds it: the next request answers 401.
    stored = json.loads(page.evaluate(f"sessionStorage.getItem('{SESSION_KEY}')"))
    stored["accessToken"] = stored["accessToken"][:-8] + "AAAAAAAA"
    page.evaluate(
        "([key, value]) => sessionStorage.setItem(key, value)", [SESSION_KEY, json.dumps(stored)]
    )
    page.goto(f"/#/tickets/{ticket}/upgrade")
    page.reload()
    expect(page.get_by_role("status")).to_contain_text("Your session has ended")
    assert "expired=1" in page.url
    assert page.evaluate(f"sessionStorage.getItem('{SESSION_KEY}')") is None
    assert_accessible(page, "sign-in after the session ended")
    page.get_by_label("Email").fill("lapsed@example.com")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name=f"Upgrade ticket {ticket}")).to_be_visible()


def test_an_unknown_address_shows_a_page_not_found(page: Page) -> None:
    page.goto("/#/no/such/page")
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    assert_accessible(page, "page not found")
