"""Browser tests: Debian's Chromium (never a downloaded browser) driven by pytest-playwright
against the local build, with the page helpers every test shares.

Chromium is `/usr/bin/chromium` (`TAP_CHROMIUM` overrides it); `.ci/run` installs it with apt.
Screenshots of the main screens go to `var/screenshots/`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from tests.support.live_site import LiveSite, live_site

CHROMIUM = Path(os.environ.get("TAP_CHROMIUM", "/usr/bin/chromium"))
# Quiet, deterministic Chromium: no first-run UI, no background traffic to the internet.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not CHROMIUM.is_file():
        pytest.fail(
            f"no Chromium at {CHROMIUM}: install Debian's (`apt-get install -y chromium`, as "
            ".ci/run does) or point TAP_CHROMIUM at one; the tests never download a browser"
        )
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}, "locale": "en-US"}


@pytest.fixture
def page(page: Page) -> Iterator[Page]:
    """pytest-playwright's page, failing the test on an uncaught script error or anything the
    site's Content-Security-Policy blocked (both invisible to assertions on the screen)."""
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"uncaught: {error}"))
    page.on(
        "console",
        lambda message: (
            problems.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield page
    assert not problems, problems


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveSite]:
    """One local build for the whole run; tests keep apart by using their own customers."""
    with live_site(tmp_path_factory.mktemp("site")) as running:
        yield running


@pytest.fixture(scope="session")
def base_url(site: LiveSite) -> str:
    return site.base_url
