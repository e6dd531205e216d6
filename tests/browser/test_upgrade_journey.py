"""The upgrade journey in Chromium against the local build: from a ticket to a confirmation
code, a declined card then a retry, a sold-out day, a reload in the middle of paying, with
axe-core run on every screen on the way and screenshots of the main ones."""

from __future__ import annotations

import re
import time

from playwright.sync_api import Page, expect

from domain.tiers import Tier
from infra.demo_data import nearly_sold_out_day
from tests.browser.journey import (
    CONFIRMATION_CODE,
    DECLINED_CARD,
    Card,
    bookable_days,
    choose_tier,
    confirmation_code,
    fill_card,
    hold_an_upgrade,
    hold_first_bookable_day,
    open_upgrade,
    pay_button,
)
from tests.browser.pages import assert_accessible, record_figure, screenshot, sign_in
from tests.support.live_site import DEMO_PASSWORD, LiveSite


def test_the_full_upgrade_with_the_test_card_ends_on_the_confirmation_code(
    page: Page, site: LiveSite
) -> None:
    ticket = site.customer_with_ticket("journey@example.com").number.value
    sign_in(page, "journey@example.com", DEMO_PASSWORD)
    assert_accessible(page, "my tickets")
    screenshot(page, "tickets")

    page.get_by_role("link", name=f"Upgrade ticket {ticket}").click()
    expect(page.get_by_role("heading", name="1. Choose a tier")).to_be_visible()
    choose_tier(page, "Non-stop")
    expect(bookable_days(page).first).to_be_visible()
    assert_accessible(page, "upgrade: tiers and calendar")
    screenshot(page, "upgrade-calendar")

    hold_first_bookable_day(page, "Non-stop")
    expect(page.get_by_role("timer")).to_contain_text(re.compile(r"^Price held for 1[45]:\d\d"))
    expect(pay_button(page)).to_be_disabled()  # nothing typed yet
    fill_card(page, Card(number="4242 4242 4242 4241"))  # one digit wrong: Luhn fails
    page.get_by_label("Name on card").focus()
    expect(pay_button(page)).to_be_disabled()
    assert_accessible(page, "payment with a field error")
    screenshot(page, "payment-invalid-card")

    fill_card(page, Card())
    expect(pay_button(page)).to_be_enabled()
    screenshot(page, "payment")
    pay_button(page).click()

    code = confirmation_code(page)
    assert CONFIRMATION_CODE.match(code), code
    expect(page.get_by_text("Non-stop").first).to_be_visible()
    assert_accessible(page, "confirmation")
    screenshot(page, "confirmation")
    assert len(site.charges_for("journey@example.com")) == 1

    page.get_by_role("navigation", name="Main").get_by_role("link", name="My upgrades").click()
    expect(page.get_by_role("list", name="Upgrade history")).to_contain_text(ticket)
    assert_accessible(page, "my upgrades")
    screenshot(page, "upgrade-history")


def test_a_declined_card_is_explained_and_a_retry_with_another_card_pays_once(
    page: Page, site: LiveSite
) -> None:
    hold_an_upgrade(page, site, "declined@example.com", "Standard")

    fill_card(page, Card(number=DECLINED_CARD))
    pay_button(page).click()
    alert = page.get_by_role("alert").filter(has_text="declined")
    expect(alert).to_be_visible()
    assert_accessible(page, "payment declined")
    screenshot(page, "payment-declined")
    assert site.charges_for("declined@example.com") == []

    fill_card(page, Card())
    pay_button(page).click()
    assert CONFIRMATION_CODE.match(confirmation_code(page))
    assert len(site.charges_for("declined@example.com")) == 1


def test_a_date_months_ahead_can_be_booked_from_the_calendar(page: Page, site: LiveSite) -> None:
    ticket = site.customer_with_ticket("later@example.com", visit_in_days=100)
    sign_in(page, "later@example.com", DEMO_PASSWORD)
    started = time.perf_counter()
    open_upgrade(page, ticket.number.value)
    choose_tier(page, "Standard")
    visit = ticket.visit_date
    own_day = page.get_by_role(
        "button", name=re.compile(f"^{visit.strftime('%A, %B')} {visit.day}, \\$")
    )
    expect(own_day).to_be_enabled()  # the calendar opens on the ticket's month, 100 days out
    record_figure("upgrade page to a usable calendar (s)", time.perf_counter() - started)
    own_day.click()
    expect(page.get_by_role("button", name="Hold this upgrade")).to_be_enabled()


def test_the_calendar_works_from_the_keyboard(page: Page, site: LiveSite) -> None:
    ticket = site.customer_with_ticket("keyboard@example.com").number.value
    sign_in(page, "keyboard@example.com", DEMO_PASSWORD)
    open_upgrade(page, ticket)
    choose_tier(page, "Standard")
    first = bookable_days(page).first
    first.focus()
    start = first.get_attribute("aria-label")
    page.keyboard.press("ArrowRight")
    moved = page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert moved != start, "ArrowRight did not move to the next day"
    page.keyboard.press("Enter")
    focused_day = moved.split(",")[0] + "," + moved.split(",")[1]  # "Monday, December 7"
    expect(page.locator("#hold-summary")).to_contain_text(focused_day.split(", ", 1)[1])
    expect(page.get_by_role("button", name="Hold this upgrade")).to_be_enabled()


def test_a_sold_out_day_is_marked_and_cannot_be_chosen(page: Page, site: LiveSite) -> None:
    day = nearly_sold_out_day(site.today, site.container.policy())
    assert site.sell_out(Tier.DOUBLE_FUN, day) == 2  # the demo's tour group left two
    visit = (day - site.today).days  # the calendar opens on the ticket's month
    ticket = site.customer_with_ticket("soldout@example.com", visit_in_days=visit).number.value
    sign_in(page, "soldout@example.com", DEMO_PASSWORD)
    open_upgrade(page, ticket)
    choose_tier(page, "Double Fun")
    label = re.compile(f"^{day.strftime('%A, %B')} {day.day}, sold out")
    sold_out = page.get_by_role("button", name=label)
    expect(sold_out).to_be_disabled()
    expect(sold_out).to_have_attribute("title", re.compile("sold out"))
    sold_out.click(force=True)  # what a determined click does: nothing
    expect(page.get_by_role("button", name=re.compile("^Hold"))).to_be_disabled()
    assert_accessible(page, "upgrade: a sold-out day")
    screenshot(page, "calendar-sold-out")
