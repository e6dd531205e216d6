"""What a newcomer does after `make run`: open http://127.0.0.1:<port>/, sign in as a demo
customer from the README and upgrade a ticket. `tap serve` runs here exactly as `make run`
starts it (memory profile, demo data, the built site), in its own process."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.journey import (
    CONFIRMATION_CODE,
    Card,
    confirmation_code,
    fill_card,
    hold_first_bookable_day,
    pay_button,
)
from tests.browser.pages import sign_in
from tests.support.live_http import free_port, serve_process, tap_serve_memory
from tests.support.live_site import BUILT_SITE, DEMO_PASSWORD


@pytest.fixture
def make_run(tmp_path: Path) -> Iterator[str]:
    """`tap serve` with nothing configured but where to write mail and which port to use."""
    assert (BUILT_SITE / "index.html").is_file(), "run `make site` first (the test command does)"
    port = free_port()
    env = {name: value for name, value in os.environ.items() if not name.startswith("TAP_")}
    env |= {"TAP_MAIL_DIR": str(tmp_path / "mail"), "TAP_DATA_AGENT_PORT": "0"}
    with serve_process(tap_serve_memory(port), env, tmp_path / "server.log"):
        yield f"http://127.0.0.1:{port}"


@pytest.fixture
def newcomer(browser: Browser, make_run: str) -> Iterator[Page]:
    context = browser.new_context(base_url=make_run, locale="en-US")
    yield context.new_page()
    context.close()


def test_a_newcomer_signs_in_as_alice_and_upgrades_a_ticket(newcomer: Page) -> None:
    page = newcomer
    page.goto("/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()  # the site, not the API
    sign_in(page, "alice@example.com", DEMO_PASSWORD)
    page.get_by_role("link", name="Upgrade ticket TKT-10000001").click()
    hold_first_bookable_day(page, "Non-stop")
    expect(page.get_by_text("Use card 4242 4242 4242 4242")).to_be_visible()  # says which card
    fill_card(page, Card())
    pay_button(page).click()
    assert CONFIRMATION_CODE.match(confirmation_code(page))
