"""Oracles and helpers for the site's property tests (test_ui_*_properties.py).

The oracles restate the rules from DOMAIN.md, the site map and the card networks' published
numbering rules, written apart from the site's code (a different algorithm where there is a
choice), so that the site drifting from them is noticed. The helpers put a session in the
browser, reach the API from Python and read what a page shows.
"""

from __future__ import annotations

import itertools
import json
import re
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import parse_qs, quote, unquote_to_bytes
from zoneinfo import ZoneInfo

import httpx
from playwright.sync_api import Browser, BrowserContext, Page

from domain.tiers import Tier
from infra.seeding import DEMO_PASSWORD
from tests.support.live_site import LiveSite

PARK = ZoneInfo("America/Los_Angeles")  # the park's zone (settings' default)
SHOWN_WITHIN_MS = 5_000  # "a few seconds": the longest a page may take to show a change
SESSION_KEY = "tap.session"
LADDER = ("general", "standard", "non-stop", "double-fun")
TIER_NAMES = {"standard": "Standard", "non-stop": "Non-stop", "double-fun": "Double Fun"}


# -- cards -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Brand:
    key: str
    name: str
    prefixes: tuple[tuple[int, int], ...]  # inclusive ranges of leading digits
    lengths: tuple[int, ...]
    cvc_digits: int


# The networks' published IIN ranges and lengths. Diners Club also issues 15 and 17-19 digit
# numbers in some ranges; the site takes 14 and 16, and the generators leave the rest out rather
# than assert either way (UNSETTLED_LENGTHS).
BRANDS = (
    Brand("visa", "Visa", ((4, 4),), (13, 16, 19), 3),
    Brand("mastercard", "Mastercard", ((51, 55), (2221, 2720)), (16,), 3),
    Brand("amex", "American Express", ((34, 34), (37, 37)), (15,), 4),
    Brand(
        "discover",
        "Discover",
        ((6011, 6011), (644, 649), (65, 65), (622126, 622925)),
        (16, 17, 18, 19),
        3,
    ),
    Brand("diners", "Diners Club", ((300, 305), (36, 36), (38, 39)), (14, 16), 3),
    Brand("jcb", "JCB", ((3528, 3589),), (16, 17, 18, 19), 3),
    Brand("unionpay", "UnionPay", ((62, 62),), (16, 17, 18, 19), 3),
)
UNSETTLED_LENGTHS = {"diners": {15, 17, 18, 19}}
# DOMAIN.md's test cards.
SUCCEEDING_CARD = "4242424242424242"
DECLINING_CARDS = {
    "4000000000000002": "card_declined",
    "4000000000009995": "insufficient_funds",
    "4000000000000069": "expired_card",
    "4000000000000127": "incorrect_cvc",
}
MAX_DIGITS = 19  # the longest card number there is; the field keeps no more
UNKNOWN_CVC_CAP = 4  # before the brand is known the field takes the longest code there is


def luhn_ok(digits: str) -> bool:
    """Mod 10, computed from the left with the doubling parity set by the length."""
    if not digits.isdigit():
        return False
    parity = len(digits) % 2
    total = 0
    for index, char in enumerate(digits):
        value = int(char)
        if index % 2 == parity:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def luhn_check_digit(body: str) -> str:
    return next(d for d in "0123456789" if luhn_ok(body + d))


def brand_of(digits: str) -> Brand | None:
    """The brand whose matching prefix is the longest (the most specific range wins)."""
    best: tuple[int, Brand] | None = None
    for brand in BRANDS:
        for low, high in brand.prefixes:
            width = len(str(low))
            matches = len(digits) >= width and low <= int(digits[:width]) <= high
            if matches and (best is None or width > best[0]):
                best = (width, brand)
    return best[1] if best else None


def only_digits(text: str) -> str:
    return "".join(ch for ch in text if ch in "0123456789")


def expiry_field(keys: str) -> str:
    """What the expiry field holds after `keys` are typed one by one: digits only, at most
    four, a first digit 2-9 is a month by itself (a 0 goes before it), shown as MM/YY."""
    held = ""
    for key in keys:
        if not key.isdigit() or not key.isascii():
            continue
        if not held and key in "23456789":
            held = "0" + key
        elif len(held) < 4:
            held += key
    return held if len(held) <= 2 else f"{held[:2]}/{held[2:]}"


@dataclass(frozen=True)
class CardEntry:
    """What a customer types, field by field, and in which order."""

    number: str
    expiry_keys: str
    cvc: str
    name: str
    order: tuple[str, ...]  # a permutation of ("number", "expiry", "cvc", "name")


@dataclass(frozen=True)
class CardVerdict:
    number_digits: str
    expiry: str  # the field's text
    cvc: str  # the field's text
    brand: Brand | None
    problems: dict[str, str]  # field -> reason key

    @property
    def valid(self) -> bool:
        return not self.problems


def judge_card(entry: CardEntry, now: datetime) -> CardVerdict:
    """The oracle: what each field holds and what is wrong with it, if anything."""
    digits = only_digits(entry.number)[:MAX_DIGITS]
    brand = brand_of(digits)
    typed_before_cvc = entry.order.index("number") < entry.order.index("cvc")
    brand_then = brand if typed_before_cvc else None
    cap = brand_then.cvc_digits if brand_then else UNKNOWN_CVC_CAP
    cvc = only_digits(entry.cvc)[:cap]
    expiry = expiry_field(entry.expiry_keys)
    problems: dict[str, str] = {}

    if not digits:
        problems["number"] = "empty"
    elif (brand is not None and len(digits) not in brand.lengths) or (
        brand is None and not 12 <= len(digits) <= MAX_DIGITS
    ):
        problems["number"] = "length"
    elif not luhn_ok(digits):
        problems["number"] = "checksum"

    match = re.fullmatch(r"(\d\d)/(\d\d)", expiry)
    if not expiry:
        problems["expiry"] = "empty"
    elif not match or not 1 <= int(match[1]) <= 12:
        problems["expiry"] = "format"
    else:
        # Good to the last day of its month; more than 20 years ahead is a typo.
        ahead = (2000 + int(match[2]) - now.year) * 12 + int(match[1]) - now.month
        if ahead < 0:
            problems["expiry"] = "past"
        elif ahead > 20 * 12:
            problems["expiry"] = "far"

    wanted = brand.cvc_digits if brand else 3
    if not cvc:
        problems["cvc"] = "empty"
    elif len(cvc) != wanted:
        problems["cvc"] = "length"

    if not entry.name.strip(" \u00a0"):
        problems["name"] = "empty"
    return CardVerdict(digits, expiry, cvc, brand, problems)


# What the site says for each reason, loosely: the words a customer needs to see.
REASON_WORDS = {
    ("number", "empty"): r"enter the card number",
    ("number", "length"): r"digits",
    ("number", "checksum"): r"not valid|mistyped",
    ("expiry", "empty"): r"enter the expiry",
    ("expiry", "format"): r"MM/YY",
    ("expiry", "past"): r"expired",
    ("expiry", "far"): r"too far",
    ("cvc", "empty"): r"enter the \d-digit security code",
    ("cvc", "length"): r"security code is \d digits",
    ("name", "empty"): r"enter the name",
}


# -- routes --------------------------------------------------------------------------------------

# The URL standard's fragment percent-encode set: what the browser escapes in a typed hash.
_FRAGMENT_ESCAPED = set(' "<>`')


def as_browser_keeps(href: str) -> str:
    """The hash as `location.hash` gives it back: controls, space, quotes, angle brackets,
    backtick and anything beyond ASCII percent-encoded (UTF-8); everything else kept."""
    out = []
    for char in href:
        if ord(char) < 0x20 or ord(char) > 0x7E or char in _FRAGMENT_ESCAPED:
            out.append("".join(f"%{byte:02X}" for byte in char.encode("utf-8")))
        else:
            out.append(char)
    return "".join(out)


def decode_segment(segment: str) -> str | None:
    """decodeURIComponent's result, or None where it refuses (a stray %, or bytes that are not
    UTF-8)."""
    if re.search(r"%(?![0-9A-Fa-f]{2})", segment):
        return None
    try:
        return unquote_to_bytes(segment).decode("utf-8")
    except UnicodeDecodeError:
        return None


def encode_component(text: str) -> str:
    """encodeURIComponent."""
    return quote(text, safe="-_.!~*'()")


@dataclass(frozen=True)
class Route:
    kind: str  # sign-in, register, tickets, upgrade, pay, confirmation, dashboard, home, not-found
    param: str | None = None  # the decoded ticket reference or order id
    query: str = ""

    @property
    def public(self) -> bool:
        return self.kind in ("sign-in", "register", "not-found")

    def query_value(self, name: str) -> str | None:
        values = parse_qs(self.query, keep_blank_values=True).get(name)
        return values[0] if values else None

    def heading(self) -> str:
        """The page's <h1> (the confirmation page names the state in it: checked loosely)."""
        return {
            "sign-in": "Sign in",
            "register": "Create an account",
            "tickets": "My tickets",
            "upgrade": f"Upgrade ticket {self.param}",
            "pay": "Quote and payment",
            "confirmation": "Your upgrade",
            "dashboard": "My upgrades",
            "not-found": "Page not found",
        }[self.kind]

    def api_path(self) -> str | None:
        """The API resource the page reads first (none for public pages)."""
        param = encode_component(self.param or "")
        return {
            "tickets": "/api/tickets",
            "upgrade": f"/api/tickets/{param}/upgrade-options",
            "pay": f"/api/upgrades/{param}",
            "confirmation": f"/api/upgrades/{param}",
            "dashboard": "/api/upgrades",
        }.get(self.kind)


def route_of(href: str) -> Route:
    """The site map (agents' notes): which page a hash route is, from the hash as the browser
    keeps it. A segment that does not decode is no page at all."""
    path, _, query = href.partition("?")
    raw = [part for part in path.split("/") if part]
    parts = [decode_segment(part) for part in raw]
    if any(part is None for part in parts):
        return Route("not-found", query=query)
    match parts:
        case []:
            return Route("home", query=query)
        case ["sign-in"]:
            return Route("sign-in", query=query)
        case ["register"]:
            return Route("register", query=query)
        case ["tickets"]:
            return Route("tickets", query=query)
        case ["upgrades"]:
            return Route("dashboard", query=query)
        case ["upgrades", order]:
            return Route("confirmation", order, query)
        case ["tickets", ticket, "upgrade"]:
            return Route("upgrade", ticket, query)
        case ["upgrades", order, "pay"]:
            return Route("pay", order, query)
    return Route("not-found", query=query)


def safe_next(next_href: str | None) -> str | None:
    """Where the site may send a customer after signing in: a path of this site (not one
    that a browser reads as another host, and not the sign-in pages themselves)."""
    if not next_href or not next_href.startswith("/") or next_href[1:2] in ("/", "\\"):
        return None
    if route_of(next_href).kind in ("sign-in", "register"):
        return None
    return next_href


# -- sessions and the API ------------------------------------------------------------------------


def api_client(base_url: str) -> httpx.Client:
    return httpx.Client(base_url=base_url, timeout=10.0)


def login(api: httpx.Client, email: str, password: str = DEMO_PASSWORD) -> str:
    answer = api.post("/api/auth/login", json={"email": email, "password": password})
    assert answer.status_code == 200, answer.text
    return str(answer.json()["access_token"])


def bearer(token: str, idempotent: bool = False) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {token}"}
    if idempotent:
        headers["Idempotency-Key"] = str(uuid.uuid4())
    return headers


def session_json(token: str, email: str, expires_in_s: float) -> str:
    """A session as the site stores it: the token and when it stops being sent (epoch ms)."""
    expires_at = int((time.time() + expires_in_s) * 1000)
    return json.dumps({"accessToken": token, "expiresAt": expires_at, "email": email})


def quote_upgrade(api: httpx.Client, token: str, ticket: str, tier: str, day: str) -> Any:
    answer = api.post(
        "/api/upgrades",
        json={"ticket": ticket, "tier": tier, "date": day},
        headers=bearer(token, idempotent=True),
    )
    assert answer.status_code == 201, answer.text
    return answer.json()


def card_body(number: str, year: int) -> dict[str, Any]:
    return {
        "card": {"number": number, "exp_month": 12, "exp_year": year, "cvc": "123", "name": "P T"}
    }


def tiers_above(tier: str) -> Sequence[str]:
    return LADDER[LADDER.index(tier) + 1 :]


# -- the browser side ----------------------------------------------------------------------------


def park_today() -> date:
    return datetime.now(PARK).date()


@contextmanager
def site_context(browser: Browser, base_url: str) -> Iterator[BrowserContext]:
    """A context of its own on the site, in the park's zone, with short waits throughout."""
    context = browser.new_context(
        base_url=base_url,
        viewport={"width": 1280, "height": 900},
        locale="en-US",
        timezone_id=str(PARK),
    )
    context.set_default_timeout(SHOWN_WITHIN_MS)  # expect() waits as long by default
    try:
        yield context
    finally:
        context.close()


@dataclass
class Tab:
    """One tab on the site, with what it threw; reused by every example of a test."""

    page: Page
    errors: list[str] = field(default_factory=list)
    loads: Iterator[int] = field(default_factory=itertools.count)

    def open(self, href: str, stored: str | None) -> None:
        """A new page load at `href` with `stored` (or nothing) in sessionStorage, as when a
        customer opens a link in a tab they used before."""
        self.page.evaluate(
            "([key, value]) => { sessionStorage.clear(); if (value !== null) "
            "sessionStorage.setItem(key, value); }",
            [SESSION_KEY, stored],
        )
        self.page.goto(f"/?load={next(self.loads)}#{href}", wait_until="commit")

    def assert_no_errors(self) -> None:
        assert not self.errors, f"the page threw: {self.errors}"


@contextmanager
def new_tab(context: BrowserContext) -> Iterator[Tab]:
    page = context.new_page()
    tab = Tab(page)
    page.on("pageerror", lambda error: tab.errors.append(str(error)))
    page.goto("/#/sign-in")
    try:
        yield tab
    finally:
        page.close()


def stored_session(page: Page) -> str | None:
    return page.evaluate("key => sessionStorage.getItem(key)", SESSION_KEY)


def current_hash(page: Page) -> str:
    return str(page.evaluate("() => location.hash.replace(/^#/, '')"))


# -- customers of their own ------------------------------------------------------------------------

_customers = itertools.count(1)


@dataclass(frozen=True)
class Customer:
    email: str
    token: str
    ticket: str  # its number
    visit_date: date


def new_customer(site: LiveSite, api: httpx.Client, tier: Tier, visit_in_days: int) -> Customer:
    """A customer of the test's own with one active ticket, signed in through the API."""
    email = f"ui-{next(_customers)}-{uuid.uuid4().hex[:6]}@example.com"
    ticket = site.customer_with_ticket(email, tier, visit_in_days)
    return Customer(email, login(api, email), ticket.number.value, ticket.visit_date)
