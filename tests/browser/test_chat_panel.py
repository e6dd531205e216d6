"""The chat panel in Chromium against the local build: the Ticket Agent (rules reasoner) reaches
the Data Agent over MCP, holds a price, and its payment action becomes a button that opens the
payment form; the conversation and that button survive a reload."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.journey import Card, confirmation_code, fill_card, pay_button
from tests.browser.pages import assert_accessible, screenshot, sign_in
from tests.support.live_site import DEMO_PASSWORD, LiveSite


def ask(page: Page, question: str) -> None:
    page.get_by_label("Your question").fill(question)
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("button", name="Send")).to_be_enabled(timeout=15_000)


def test_the_chat_holds_a_price_and_its_action_opens_the_payment_form(
    page: Page, site: LiveSite
) -> None:
    ticket = site.customer_with_ticket("chatty@example.com").number.value
    sign_in(page, "chatty@example.com", DEMO_PASSWORD)
    page.get_by_role("button", name="Ask our assistant").click()
    assert_accessible(page, "chat panel open")

    ask(page, f"I'd like to upgrade {ticket}")
    ask(page, "What is the cheapest date for Non-stop?")

    page.reload()  # the conversation is kept by its session id, and the agent remembers it
    page.get_by_role("button", name="Ask our assistant").click()
    expect(page.get_by_text("What is the cheapest date for Non-stop?")).to_be_visible()

    ask(page, "Yes please, hold it")
    action = page.get_by_role("button", name=re.compile(r"^Pay \$[\d.]+ for Non-stop on "))
    expect(action).to_be_visible()
    assert_accessible(page, "chat with a payment action")
    screenshot(page, "chat-payment-action")

    page.reload()  # the button comes back with its turn
    page.get_by_role("button", name="Ask our assistant").click()
    action.click()
    expect(page.get_by_role("heading", name="Pay by card")).to_be_visible()
    fill_card(page, Card())
    pay_button(page).click()
    assert confirmation_code(page)
    assert len(site.charges_for("chatty@example.com")) == 1


def test_a_card_number_typed_in_the_chat_is_hidden_and_never_sent(
    page: Page, site: LiveSite
) -> None:
    site.customer_with_ticket("careless@example.com")
    sign_in(page, "careless@example.com", DEMO_PASSWORD)
    page.get_by_role("button", name="Ask our assistant").click()
    sent: list[str] = []
    page.on("request", lambda request: sent.append(request.post_data or ""))
    ask(page, "my card is 4242 4242 4242 4242, pay it")
    expect(page.locator(".chat-panel")).not_to_contain_text("4242 4242 4242 4242")
    assert not [body for body in sent if "4242424242424242" in body.replace(" ", "")]
