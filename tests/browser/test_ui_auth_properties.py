"""Property 17 in Chromium against the local build: every way into the site goes through its
sign-in (the build's AuthClient against the identity provider's tokens).

One tab, built once from pytest-playwright's session `browser` (Hypothesis cannot use
function-scoped fixtures), opens each generated route afresh with the generated session in its
sessionStorage.
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from hypothesis import event, given
from hypothesis import strategies as st
from playwright.sync_api import Browser, Page, expect

from domain.tiers import Tier
from tests.browser.property_support import (
    Route,
    Tab,
    api_client,
    as_browser_keeps,
    bearer,
    current_hash,
    encode_component,
    login,
    new_customer,
    new_tab,
    quote_upgrade,
    route_of,
    safe_next,
    session_json,
    site_context,
    stored_session,
)
from tests.support.live_site import LiveSite

# -- what is tried ---------------------------------------------------------------------------------

TICKETS = st.one_of(
    st.just("OWN-TICKET"),
    st.just("TKT-10000001"),  # alice's: someone else's ticket
    st.from_regex(r"TKT-\d{8}", fullmatch=True),
    st.sampled_from(["//evil.example", "https:", "..", "%zz", "%E0%A4%A", "%FF", "<b>x</b>"]),
    st.text(alphabet="abcXYZ019-_.~!$&'()*+,;=:@% /?#<>\"`é€", min_size=1, max_size=10),
)
ORDERS = st.one_of(
    st.just("OWN-ORDER"),
    st.uuids().map(str),
    st.sampled_from(["not-a-uuid", "%zz", "..", "//evil.example"]),
    st.text(alphabet="abc0129-%/?é ", min_size=1, max_size=10),
)
NEXTS = st.one_of(
    st.sampled_from(
        [
            "/tickets",
            "/upgrades",
            "/tickets/TKT-10000001/upgrade",
            "/upgrades/OWN-ORDER/pay",
            "/nowhere",
            "/",
            "//evil.example",
            "//evil.example/tickets",
            "/\\evil.example",
            "https://evil.example/",
            "javascript:alert(1)",
            "tickets",
            "/sign-in?next=/tickets",
            "/register",
            "",
        ]
    ),
    st.text(alphabet="abc/\\:.?=&%#", max_size=12),
)
QUERIES = st.sampled_from(["", "?next=//evil.example", "?next=https://x", "?expired=1", "?q=%zz"])
KINDS = ["sign-in", "register", "tickets", "upgrade", "pay", "confirmation", "upgrades", "home"]


@st.composite
def route_hrefs(draw: st.DrawFn) -> str:
    """A hash route of every kind, with generated (often hostile) parameters, some typed raw
    into the address bar rather than encoded as the site encodes them. OWN-TICKET and
    OWN-ORDER stand for the visitor's own."""

    def param(values: st.SearchStrategy[str]) -> str:
        value = draw(values)
        return value if draw(st.booleans()) else encode_component(value)

    kind = draw(st.sampled_from([*KINDS, "unknown"]))
    if kind in ("sign-in", "register"):
        query = []
        if draw(st.booleans()):
            query.append("next=" + encode_component(draw(NEXTS)))
        if kind == "sign-in" and draw(st.booleans()):
            query.append("expired=1")
        return f"/{kind}" + ("?" + "&".join(query) if query else "")
    if kind == "upgrade":
        path = f"/tickets/{param(TICKETS)}/upgrade"
    elif kind == "pay":
        path = f"/upgrades/{param(ORDERS)}/pay"
    elif kind == "confirmation":
        path = f"/upgrades/{param(ORDERS)}"
    elif kind == "home":
        path = draw(st.sampled_from(["/", ""]))
    elif kind == "unknown":
        path = draw(st.sampled_from(["/nowhere", "/tickets/x", "//tickets", "/upgrades/a/b/c"]))
    else:
        path = {"tickets": "/tickets", "upgrades": "/upgrades"}[kind]
    return path + draw(QUERIES)


@dataclass(frozen=True)
class AccessAttempt:
    href: str
    session: str  # none, valid, lapsed, forged, garbled
    forgery: str
    garbled: str
    lapsed_seconds: int
    then_sign_in: bool


access_attempts = st.builds(
    AccessAttempt,
    href=route_hrefs(),
    session=st.sampled_from(["none", "valid", "lapsed", "forged", "garbled"]),
    forgery=st.sampled_from(["garbage", "tampered", "foreign-key", "unsigned"]),
    garbled=st.sampled_from(
        ["{", "null", '"text"', "[]", '{"accessToken": 5, "expiresAt": 1}', '{"expiresAt": 1e15}']
    ),
    lapsed_seconds=st.integers(1, 3 * 24 * 3600),
    then_sign_in=st.booleans(),
)

_FOREIGN_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def forged_token(kind: str, real: str) -> str:
    """A token the identity's verifier must refuse: noise, a real one with its claims changed,
    the same claims signed with a key the issuer never had, or one claiming no signature."""
    header = jwt.get_unverified_header(real)
    claims = jwt.decode(real, options={"verify_signature": False})
    if kind == "garbage":
        return "not-a-token." + uuid.uuid4().hex
    if kind == "tampered":
        head, _, rest = real.partition(".")
        return f"{head}.{_b64({**claims, 'sub': str(uuid.uuid4())})}.{rest.partition('.')[2]}"
    if kind == "foreign-key":
        return jwt.encode(claims, _FOREIGN_KEY, algorithm="RS256", headers={"kid": header["kid"]})
    return f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."


# -- the bench -------------------------------------------------------------------------------------


@dataclass(repr=False)
class Visitors:
    """A tab, the API, and a customer whose own ticket and pending order routes may name."""

    tab: Tab
    api: httpx.Client
    email: str
    ticket: str
    order: str

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(f"Visitors(ticket={self.ticket!r}, order={self.order!r})")


@pytest.fixture(scope="module")
def visitors(browser: Browser, site: LiveSite) -> Iterator[Visitors]:
    """On the browser tests' shared site: nothing here changes what other tests see."""
    with (
        api_client(site.base_url) as api,
        site_context(browser, site.base_url) as context,
        new_tab(context) as tab,
    ):
        customer = new_customer(site, api, Tier.STANDARD, 40)
        order = quote_upgrade(
            api, customer.token, customer.ticket, "non-stop", str(customer.visit_date)
        )
        yield Visitors(tab, api, customer.email, customer.ticket, order["id"])


def expect_page(page: Page, route: Route) -> None:
    """The page of `route` is shown, done loading."""
    heading = page.locator("main h1")
    if route.kind == "home":
        route = route_of("/tickets")
    if route.kind == "confirmation":  # its heading names the order's state
        expect(heading).to_have_text(re.compile(r"^Your upgrade( is confirmed)?$"))
    else:
        expect(heading).to_have_text(route.heading())
    expect(page.locator("main .loading")).to_have_count(0)


def expect_sign_in(page: Page, next_href: str | None, expired: bool | None) -> None:
    """On sign-in, keeping `next_href`, saying the session ended (or not; None: either)."""
    expect(page.locator("main h1")).to_have_text("Sign in")
    landed = route_of(current_hash(page))
    assert landed.kind == "sign-in", current_hash(page)
    assert landed.query_value("next") == next_href, (current_hash(page), next_href)
    if expired is not None:
        notice = page.get_by_text("Your session has ended")
        expect(notice).to_have_count(1 if expired else 0)


def sign_in_through_the_form(page: Page, email: str) -> None:
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("Funland-2026")
    page.get_by_role("button", name="Sign in").click()


@given(attempt=access_attempts)
def test_every_access_attempt_goes_through_the_sites_sign_in(
    visitors: Visitors, attempt: AccessAttempt
) -> None:
    """Feature: ticket-auto-process, Property 17: For any system access attempt, the Frontend UI should properly integrate with Cognito for login authentication

    An access attempt is a route of the site (every kind, with generated and hostile ticket
    numbers, order ids, `next` values and queries) opened in a tab whose sessionStorage holds
    no session, a valid one (signed in through the API), a lapsed one, a token the identity's
    verifier refuses (forged four ways), or garbage. Public pages always render. A protected
    page renders only with a usable session; without one the tab lands on sign-in keeping the
    route as `next`; with a refused token it lands there marked expired, the session
    forgotten. Signing in from there comes back to the route, and never goes anywhere that is
    not a page of this site.
    """  # noqa: E501
    page, api = visitors.tab.page, visitors.api
    href = attempt.href.replace("OWN-TICKET", visitors.ticket)
    href = href.replace("OWN-ORDER", visitors.order)
    seen = as_browser_keeps(href)  # the route as the site reads it from location.hash
    route = route_of(seen)
    token = login(api, visitors.email)
    stored = {
        "none": None,
        "valid": session_json(token, visitors.email, 3600),
        "lapsed": session_json(token, visitors.email, -attempt.lapsed_seconds),
        "garbled": attempt.garbled,
    }.get(attempt.session)
    if attempt.session == "forged":
        token = forged_token(attempt.forgery, token)
        stored = session_json(token, visitors.email, 3600)
    visitors.tab.open(href, stored)

    signed_out = False
    if route.public:
        expect_page(page, route)
        assert current_hash(page) == seen
        if route.kind == "sign-in":
            notice = page.get_by_text("Your session has ended")
            expect(notice).to_have_count(1 if route.query_value("expired") == "1" else 0)
            signed_out = attempt.session != "valid"
        next_href = route.query_value("next")
    else:
        # What the identity's verifier says of the token, asked where the page asks first.
        verdict = api.get(route.api_path() or "/api/tickets", headers=bearer(token)).status_code
        if attempt.session == "valid" or (attempt.session == "forged" and verdict != 401):
            # A forged token the API never got to check (a malformed id fails routing first)
            # may show the page, but only its error.
            assert attempt.session == "valid" or verdict >= 400, verdict
            expect_page(page, route)
            if route.kind != "home":
                assert current_hash(page) == seen
                problems = page.locator("main [role=alert]")
                expect(problems).to_have_count(0 if verdict < 300 else 1)
            assert stored_session(page) == stored
        elif attempt.session == "forged":
            expect_sign_in(page, "/tickets" if route.kind == "home" else seen, expired=True)
            assert stored_session(page) is None
            signed_out = True
        else:
            # A lapsed session may be said to have ended; no session or garbage may not.
            expired = None if attempt.session == "lapsed" else False
            expect_sign_in(page, None if route.kind == "home" else seen, expired)
            if attempt.session == "lapsed":
                assert stored_session(page) is None
            signed_out = True
        next_href = route_of(current_hash(page)).query_value("next")

    event(f"{route.kind}, {attempt.session}: " + ("sign-in" if signed_out else "shown"))
    if signed_out and attempt.then_sign_in:
        sign_in_through_the_form(page, visitors.email)
        back_to = safe_next(next_href) or "/tickets"
        expect_page(page, route_of(back_to))
        if route_of(back_to).kind != "home":
            assert current_hash(page) == back_to
        assert stored_session(page) is not None
    visitors.tab.assert_no_errors()
