"""Steps of the upgrade journey as a customer takes them in the site, shared by the tests."""

from __future__ import annotations

import re
from dataclasses import dataclass

from playwright.sync_api import Locator, Page, expect

from tests.browser.pages import sign_in
from tests.support.live_site import DEMO_PASSWORD, LiveSite

TEST_CARD = "4242 4242 4242 4242"
DECLINED_CARD = "4000 0000 0000 0002"
# The site's confirmation codes (DOMAIN.md): upper-case letters and digits.
CONFIRMATION_CODE = re.compile(r"^[A-Z0-9-]{6,}$")


@dataclass(frozen=True)
class Card:
    number: str = TEST_CARD
    expiry: str = "12/34"
    cvc: str = "123"
    name: str = "Test Customer"


def open_upgrade(page: Page, ticket: str) -> None:
    page.goto(f"/#/tickets/{ticket}/upgrade")
    expect(page.get_by_role("heading", name="1. Choose a tier")).to_be_visible()


def bookable_days(page: Page) -> Locator:
    """The calendar's day buttons that can be chosen (priced and enabled)."""
    return page.locator(".rdp-day_button:not([disabled])").filter(has_text="$")


def choose_tier(page: Page, tier: str) -> None:
    page.get_by_role("radio", name=tier).check()


def hold_first_bookable_day(page: Page, tier: str) -> str:
    """Choose the tier and the first bookable day, hold the price; returns the day's label."""
    choose_tier(page, tier)
    day = bookable_days(page).first
    label = day.get_attribute("aria-label") or ""
    day.click()
    page.get_by_role("button", name=re.compile("^Hold")).click()
    expect(page.get_by_role("heading", name="Pay by card")).to_be_visible()
    return label


def hold_an_upgrade(page: Page, site: LiveSite, email: str, tier: str) -> str:
    """A new customer with one ticket signs in and holds `tier` on the first bookable day,
    ending on the payment page; returns the ticket's number."""
    ticket = site.customer_with_ticket(email).number.value
    sign_in(page, email, DEMO_PASSWORD)
    open_upgrade(page, ticket)
    hold_first_bookable_day(page, tier)
    return ticket


def fill_card(page: Page, card: Card) -> None:
    page.get_by_label("Card number").fill(card.number)
    page.get_by_label("Expiry date (MM/YY)").fill(card.expiry)
    page.get_by_label("Security code").fill(card.cvc)
    page.get_by_label("Name on card").fill(card.name)


def pay_button(page: Page) -> Locator:
    """The payment form's submit button (not the chat's "Pay … for …" action)."""
    return page.locator("main").get_by_role("button", name=re.compile(r"^(Pay \$[\d.,]+$|Paying)"))


def confirmation_code(page: Page) -> str:
    code = page.locator(".confirmation-code")
    expect(code).to_be_visible(timeout=10_000)
    return code.inner_text().strip()
