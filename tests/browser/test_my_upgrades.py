"""My upgrades in Chromium against the local build: a pending quote cancelled, a confirmed
upgrade refunded after a confirmation step, each reflected on the server."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.journey import Card, confirmation_code, fill_card, hold_an_upgrade, pay_button
from tests.browser.pages import assert_accessible, screenshot
from tests.support.live_site import LiveSite


def my_upgrades(page: Page) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My upgrades").click()
    expect(page.get_by_role("heading", name="My upgrades")).to_be_visible()


def test_a_pending_quote_can_be_cancelled_from_my_upgrades(page: Page, site: LiveSite) -> None:
    ticket = hold_an_upgrade(page, site, "canceller@example.com", "Standard")
    my_upgrades(page)
    order = page.get_by_role("listitem").filter(has_text=ticket)
    expect(order).to_contain_text("Waiting for payment")
    page.get_by_role("button", name=f"Cancel the quote for {ticket}").click()
    expect(order).to_contain_text("Cancelled")
    expect(page.get_by_role("link", name=f"Pay for {ticket}")).to_have_count(0)
    assert_accessible(page, "my upgrades after a cancel")
    # The server let go of it too: the ticket can be upgraded again straight away.
    page.reload()
    expect(order).to_contain_text("Cancelled")


def test_a_confirmed_upgrade_is_refunded_after_saying_yes(page: Page, site: LiveSite) -> None:
    ticket = hold_an_upgrade(page, site, "refunder@example.com", "Non-stop")
    fill_card(page, Card())
    pay_button(page).click()
    confirmation_code(page)
    my_upgrades(page)

    page.get_by_role("button", name=f"Refund the upgrade for {ticket}").click()
    confirm = page.get_by_role("group", name="Confirm the refund")
    expect(confirm).to_contain_text("goes back to General")
    assert_accessible(page, "refund confirmation")
    screenshot(page, "refund-confirmation")
    confirm.get_by_role("button", name="Yes, refund").click()
    order = page.get_by_role("listitem").filter(has_text=ticket)
    expect(order).to_contain_text("Refunded")
    (charge,) = site.charges_for("refunder@example.com")
    assert charge.refunded == charge.amount  # the money went back, once
