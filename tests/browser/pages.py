"""What every browser test does to a page: sign in, check accessibility, keep a screenshot."""

from __future__ import annotations

import json
import re
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "var" / "screenshots"
FIGURES = SCREENSHOTS / "figures.json"
# WCAG 2.1 levels A and AA, the target of issue 6.
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
_axe = Axe()


def sign_in(page: Page, email: str, password: str) -> None:
    """Through the site's own form, ending on My tickets."""
    page.goto("/#/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="My tickets")).to_be_visible()


def assert_accessible(page: Page, screen: str) -> None:
    """axe-core on the page as it is now: no WCAG 2.1 A or AA violation."""
    results = _axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_21_AA}})
    assert results.violations_count == 0, f"{screen}:\n{results.generate_report()}"


def record_figure(name: str, value: float) -> None:
    """A measurement for the closing note and bench/RESULTS.md (never asserted: timing on a
    shared machine is noise; bench/site.py takes the medians)."""
    FIGURES.parent.mkdir(parents=True, exist_ok=True)
    figures = json.loads(FIGURES.read_text()) if FIGURES.is_file() else {}
    figures[name] = round(value, 3)
    FIGURES.write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n")


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{re.sub(r'[^a-z0-9-]+', '-', name.lower())}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
