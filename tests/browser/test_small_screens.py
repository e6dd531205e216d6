"""The site at 375 px wide (a small phone) in Chromium: every main screen fits without sideways
scrolling, the calendar's days stay large enough to tap, and axe-core still finds nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.journey import (
    Card,
    bookable_days,
    choose_tier,
    confirmation_code,
    fill_card,
    hold_first_bookable_day,
    open_upgrade,
    pay_button,
)
from tests.browser.pages import assert_accessible, screenshot, sign_in
from tests.support.live_site import DEMO_PASSWORD, LiveSite

PHONE = {"width": 375, "height": 740}
MIN_TAP_TARGET = 40  # px: close to WCAG 2.5.5's 44, as far as seven columns in 375 px allow


@pytest.fixture
def phone(browser: Browser, site: LiveSite) -> Iterator[Page]:
    # is_mobile makes Chromium lay out like a phone (and widen the viewport to fit overflowing
    # content, which is why overflow is measured against the document, not the window).
    context = browser.new_context(
        base_url=site.base_url, viewport=PHONE, is_mobile=True, has_touch=True, locale="en-US"
    )
    yield context.new_page()
    context.close()


def assert_fits(page: Page, screen: str) -> None:
    widths = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth,"
        " client: document.documentElement.clientWidth})"
    )
    assert widths["scroll"] <= widths["client"] <= PHONE["width"], f"{screen} overflows: {widths}"
    assert_accessible(page, f"{screen} at 375 px")
    screenshot(page, f"phone-{screen}")


def test_every_main_screen_fits_a_375_px_phone(phone: Page, site: LiveSite) -> None:
    page = phone
    ticket = site.customer_with_ticket("phone@example.com").number.value
    page.goto("/#/sign-in")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert_fits(page, "sign-in")
    sign_in(page, "phone@example.com", DEMO_PASSWORD)
    assert_fits(page, "tickets")

    open_upgrade(page, ticket)
    choose_tier(page, "Double Fun")
    day = bookable_days(page).first
    expect(day).to_be_visible()
    box = day.bounding_box()
    assert box is not None
    assert min(box["width"], box["height"]) >= MIN_TAP_TARGET, box
    assert_fits(page, "upgrade")

    hold_first_bookable_day(page, "Double Fun")
    fill_card(page, Card())
    assert_fits(page, "payment")
    pay_button(page).click()
    confirmation_code(page)
    assert_fits(page, "confirmation")

    page.get_by_role("button", name="Ask our assistant").click()
    assert_fits(page, "chat")
