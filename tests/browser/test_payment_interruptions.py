"""What can interrupt a payment, in Chromium against the local build: a reload while the card is
being charged, and a quote whose price hold ran out, seen by the server or by the page's own
countdown. Nothing is charged twice, and the customer is told what to do next."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.journey import (
    CONFIRMATION_CODE,
    Card,
    confirmation_code,
    fill_card,
    hold_an_upgrade,
    pay_button,
)
from tests.browser.pages import assert_accessible, screenshot
from tests.support.live_site import LiveSite, live_site

GATEWAY_LATENCY = 3.0  # seconds: long enough to reload while the charge is in flight


def test_a_reload_while_paying_resumes_on_the_live_progress_and_charges_once(
    page: Page, site: LiveSite
) -> None:
    hold_an_upgrade(page, site, "reload@example.com", "Standard")
    fill_card(page, Card())
    site.set_faults(latency=GATEWAY_LATENCY)
    try:
        pay_button(page).click()
        expect(page.get_by_role("button", name="Paying…")).to_be_disabled()
        page.reload()
        # The order is processing: no card form to pay again, the steps follow it live.
        expect(page.get_by_text("We are still confirming your payment")).to_be_visible()
        expect(page.get_by_label("Card number")).to_have_count(0)
        assert_accessible(page, "payment processing after a reload")
        screenshot(page, "payment-processing")
        code = confirmation_code(page)  # arrives over the WebSocket, no second reload
    finally:
        site.set_faults()
    assert CONFIRMATION_CODE.match(code)
    assert len(site.charges_for("reload@example.com")) == 1


@pytest.fixture
def own_site(tmp_path: Path) -> Iterator[LiveSite]:
    """A build of its own: this test moves the server's clock forward."""
    with live_site(tmp_path) as running:
        yield running


@pytest.fixture
def own_page(browser: Browser, own_site: LiveSite) -> Iterator[Page]:
    context = browser.new_context(base_url=own_site.base_url, locale="en-US")
    yield context.new_page()
    context.close()


def test_paying_after_the_server_let_the_hold_lapse_explains_it_and_charges_nothing(
    own_page: Page, own_site: LiveSite
) -> None:
    page, site = own_page, own_site
    ticket = hold_an_upgrade(page, site, "lapsed-hold@example.com", "Non-stop")
    fill_card(page, Card())
    site.clock.advance(timedelta(minutes=16))  # past the 15-minute hold, on the server only
    pay_button(page).click()
    # The page shows the order as it now is: expired, with no Pay button left to press.
    expect(page.get_by_text("This upgrade can no longer be paid")).to_contain_text("Expired")
    expect(pay_button(page)).to_have_count(0)
    assert_accessible(page, "payment after the hold lapsed")
    screenshot(page, "payment-hold-lapsed")
    assert site.charges_for("lapsed-hold@example.com") == []
    page.get_by_role("link", name=re.compile("Choose a date again|Start a new upgrade")).click()
    expect(page.get_by_role("heading", name=f"Upgrade ticket {ticket}")).to_be_visible()


def test_the_countdown_reaching_zero_replaces_the_card_form_with_a_new_quote_link(
    page: Page, site: LiveSite
) -> None:
    page.clock.install()
    ticket = hold_an_upgrade(page, site, "countdown@example.com", "Double Fun")
    expect(page.get_by_label("Card number")).to_be_visible()
    page.clock.fast_forward("15:01")
    expect(page.locator(".countdown-expired")).to_contain_text("This quote has expired")
    expect(page.get_by_label("Card number")).to_have_count(0)
    assert_accessible(page, "quote expired")
    screenshot(page, "quote-expired")
    page.get_by_role("link", name="Choose a date again").click()
    expect(page.get_by_role("heading", name=f"Upgrade ticket {ticket}")).to_be_visible()


def test_a_double_click_on_pay_charges_once(page: Page, site: LiveSite) -> None:
    hold_an_upgrade(page, site, "double-click@example.com", "Standard")
    fill_card(page, Card())
    site.set_faults(latency=1.0)
    try:
        pay_button(page).dblclick()
        assert CONFIRMATION_CODE.match(confirmation_code(page))
    finally:
        site.set_faults()
    assert len(site.charges_for("double-click@example.com")) == 1


def test_the_gateway_being_down_is_explained_and_trying_again_pays_once(
    page: Page, site: LiveSite
) -> None:
    hold_an_upgrade(page, site, "outage@example.com", "Non-stop")
    fill_card(page, Card())
    site.set_faults(outage=True)
    try:
        pay_button(page).click()
        alert = page.get_by_role("alert").filter(has_text="Payments are not available")
        expect(alert).to_be_visible(timeout=15_000)  # after the server's own retries
        assert_accessible(page, "payment gateway unavailable")
        screenshot(page, "payment-unavailable")
    finally:
        site.set_faults()
    assert site.charges_for("outage@example.com") == []
    alert.get_by_role("button", name="Try again").click()
    assert CONFIRMATION_CODE.match(confirmation_code(page))
    assert len(site.charges_for("outage@example.com")) == 1
