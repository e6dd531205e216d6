"""Property 20 in Chromium against the local build: the interfaces for paying (the card form)
and for choosing an upgrade (tiers and the priced calendar).

Each test has one tab, built once from pytest-playwright's session `browser` (Hypothesis
cannot use function-scoped fixtures) and reset per example. The site runs privately for this
module, with days sold out (capacity 0) and closed inside the booking window.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from hypothesis import event, given
from hypothesis import strategies as st
from playwright.sync_api import Browser, Locator, Request, Route, expect

from domain.tiers import Tier
from tests.browser.property_support import (
    BRANDS,
    DECLINING_CARDS,
    PARK,
    REASON_WORDS,
    SUCCEEDING_CARD,
    TIER_NAMES,
    UNSETTLED_LENGTHS,
    CardEntry,
    Tab,
    api_client,
    bearer,
    brand_of,
    encode_component,
    judge_card,
    luhn_check_digit,
    new_customer,
    new_tab,
    only_digits,
    park_today,
    quote_upgrade,
    session_json,
    site_context,
    tiers_above,
)
from tests.support.live_site import LiveSite, live_site

# Days with no places left, and closures, inside the booking window (offsets from today), clear
# of the days the demo data books at start (10 to 21).
SOLD_OUT = {
    5: ("double-fun",),
    6: ("non-stop", "double-fun"),
    26: ("standard",),
    45: ("standard", "non-stop", "double-fun"),
    100: ("double-fun",),
}
CLOSED = (17, 33, 60)


@pytest.fixture(scope="module")
def interface_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveSite]:
    today = park_today()
    sold_out = {
        f"{today + timedelta(days=offset)}:{tier}": 0
        for offset, tiers in SOLD_OUT.items()
        for tier in tiers
    }
    with live_site(
        tmp_path_factory.mktemp("interface-site"),
        log_level="WARNING",
        capacity_overrides=sold_out,
        closures=[today + timedelta(days=offset) for offset in CLOSED],
    ) as site:
        yield site


# ==================================================================================================
# Payment processing: the card form.
# ==================================================================================================


@st.composite
def luhn_numbers(draw: st.DrawFn, prefix: str, length: int) -> str:
    middle = draw(
        st.text(
            alphabet="0123456789",
            min_size=length - len(prefix) - 1,
            max_size=length - len(prefix) - 1,
        )
    )
    return prefix + middle + luhn_check_digit(prefix + middle)


@st.composite
def brand_numbers(draw: st.DrawFn, right_length: bool = True) -> str:
    """A Luhn-valid number in one of a brand's ranges, of a length it issues (or one it
    does not)."""
    brand = draw(st.sampled_from(BRANDS))
    low, high = draw(st.sampled_from(brand.prefixes))
    prefix = str(draw(st.integers(low, high)))
    if right_length:
        length = draw(st.sampled_from(brand.lengths))
    else:
        unsettled = UNSETTLED_LENGTHS.get(brand.key, set())
        others = set(range(len(prefix) + 2, 20)) - set(brand.lengths) - unsettled
        length = draw(st.sampled_from(sorted(others)))
    return draw(luhn_numbers(prefix, length))


@st.composite
def mistyped(draw: st.DrawFn) -> str:
    """A good number with one digit changed, or two neighbours swapped."""
    number = draw(brand_numbers())
    at = draw(st.integers(0, len(number) - 2))
    if draw(st.booleans()):
        digit = draw(st.sampled_from([d for d in "0123456789" if d != number[at]]))
        return number[:at] + digit + number[at + 1 :]
    return number[:at] + number[at + 1] + number[at] + number[at + 2 :]


@st.composite
def as_typed(draw: st.DrawFn, numbers: st.SearchStrategy[str]) -> str:
    """As people type a number: in groups, with dashes, padded, or run together."""
    number = draw(numbers)
    groups = [number[i : i + 4] for i in range(0, len(number), 4)]
    return draw(st.sampled_from([number, " ".join(groups), "-".join(groups), f"  {number} "]))


NO_BRAND_NUMBERS = st.integers(12, 19).flatmap(
    lambda length: st.sampled_from("1789").flatmap(lambda first: luhn_numbers(first, length))
)
GOOD_NUMBERS = st.one_of(
    brand_numbers(),
    st.sampled_from([SUCCEEDING_CARD, *DECLINING_CARDS]),
    NO_BRAND_NUMBERS,  # any Luhn-valid number of 12-19 digits is a card (DOMAIN.md)
)
BAD_NUMBERS = st.one_of(
    brand_numbers(right_length=False),
    mistyped(),
    st.text(alphabet="0123456789", min_size=1, max_size=11),
    st.text(alphabet="0123456789", min_size=20, max_size=23),
    st.sampled_from(["", "   ", "4242 abcd 4242 4242 4242", "card"]),
)


def mostly(good: st.SearchStrategy[str], bad: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Three good values for one bad one, so that whole entries are often good too."""
    return st.integers(0, 3).flatmap(lambda n: good if n else bad)


@st.composite
def expiry_keys(draw: st.DrawFn, good: bool) -> str:
    """What a customer types as MM/YY: months from now to 20 years ahead; or past, too far
    ahead, impossible, half-typed, letters, nothing."""
    now = datetime.now(PARK)
    style = draw(st.sampled_from(["mm/yy", "mmyy", "m/yy"]))
    if not good:
        style = draw(st.sampled_from([style, "partial", "letters", "empty", "month"]))
    if style == "letters":
        return draw(st.text(alphabet="abc xyz", min_size=1, max_size=5))
    if style == "empty":
        return ""
    if style == "month":
        month, year = draw(st.sampled_from([0, 13, 14, 19])), now.year + draw(st.integers(0, 5))
    else:
        ahead = draw(st.integers(0, 240) if good else st.integers(-40, 40) | st.integers(241, 300))
        year, month = divmod(now.year * 12 + now.month - 1 + ahead, 12)
        month += 1
    if style == "m/yy" and 2 <= month <= 9:
        return f"{month}/{year % 100:02d}"
    text = f"{month:02d}{year % 100:02d}" if style == "mmyy" else f"{month:02d}/{year % 100:02d}"
    if style == "partial":
        return text[: draw(st.integers(1, len(text) - 1))]
    return text


@st.composite
def card_entries(draw: st.DrawFn) -> CardEntry:
    number = draw(as_typed(mostly(GOOD_NUMBERS, BAD_NUMBERS)))
    brand = brand_of(only_digits(number)[:19])
    cvc_digits = brand.cvc_digits if brand else 3
    cvc = draw(
        mostly(
            st.text(alphabet="0123456789", min_size=cvc_digits, max_size=cvc_digits),
            st.text(alphabet="0123456789", max_size=6) | st.sampled_from([" 12 ", "12a", "abcd"]),
        )
    )
    return CardEntry(
        number=number,
        expiry_keys=draw(st.integers(0, 3).flatmap(lambda n: expiry_keys(good=bool(n)))),
        cvc=cvc,
        name=draw(
            mostly(
                st.text(alphabet="Ada Lovelace-'éÑ", min_size=1, max_size=20),
                st.sampled_from(["", " ", "   ", "\u00a0"]),
            )
        ),
        order=tuple(draw(st.permutations(["number", "expiry", "cvc", "name"]))),
    )


LABELS = {
    "number": "Card number",
    "expiry": "Expiry date (MM/YY)",
    "cvc": "Security code",
    "name": "Name on card",
}
READ_FORM = """form => {
  const fields = {};
  for (const name of ["number", "expiry", "cvc", "name"]) {
    const input = form.querySelector(`input[name="${name}"]`);
    const error = document.getElementById(`${input.id}-error`);
    fields[name] = {
      value: input.value,
      invalid: input.getAttribute("aria-invalid") === "true",
      error: (error && error.textContent) || "",
      linked: (input.getAttribute("aria-describedby") || "").split(" ")
        .includes(`${input.id}-error`),
    };
  }
  const brand = form.querySelector("[data-testid=card-brand]");
  return { fields, brand: brand ? brand.textContent : "",
           payDisabled: form.querySelector("button[type=submit]").disabled };
}"""


@dataclass(repr=False)
class CardBench:
    """A tab on the payment page of a quote nobody pays. Payment requests are caught in the
    browser, kept, and answered 503, so the quote stays payable example after example."""

    tab: Tab
    pay_href: str
    payments: list[dict[str, Any]] = field(default_factory=list)

    def catch(self, route: Route, request: Request) -> None:
        self.payments.append(request.post_data_json)
        route.fulfill(
            status=503,
            content_type="application/problem+json",
            body=json.dumps(
                {
                    "title": "Caught",
                    "status": 503,
                    "code": "payment_unavailable",
                    "detail": "The test kept this payment in the browser.",
                }
            ),
        )

    def fresh_form(self) -> Locator:
        """The payment page mounted anew without a reload: an empty, untouched form."""
        page = self.tab.page
        page.evaluate("() => { location.hash = '#/card-form-reset'; }")
        expect(page.locator("main h1")).to_have_text("Page not found")
        page.evaluate("href => { location.hash = '#' + href; }", self.pay_href)
        form = page.locator("form.card-form")
        expect(form.get_by_role("button", name=re.compile(r"^Pay "))).to_be_visible()
        return form

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text("CardBench()")


@pytest.fixture(scope="module")
def card_bench(browser: Browser, interface_site: LiveSite) -> Iterator[CardBench]:
    with (
        api_client(interface_site.base_url) as api,
        site_context(browser, interface_site.base_url) as context,
        new_tab(context) as tab,
    ):
        customer = new_customer(interface_site, api, Tier.GENERAL, 30)
        order = quote_upgrade(
            api, customer.token, customer.ticket, "standard", str(customer.visit_date)
        )
        bench = CardBench(tab, f"/upgrades/{order['id']}/pay")
        tab.page.route("**/api/upgrades/*/payment", bench.catch)
        tab.open(bench.pay_href, session_json(customer.token, customer.email, 3600))
        yield bench


@given(entry=card_entries())
def test_the_card_form_judges_every_entry_by_the_card_rules(
    card_bench: CardBench, entry: CardEntry
) -> None:
    """Feature: ticket-auto-process, Property 20: For any user interaction, the Frontend UI should provide appropriate user interfaces for ticket upgrade selection and payment processing

    Payment processing: any card entry (Luhn-valid numbers of every brand the site knows and of
    none, DOMAIN.md's test cards, typos, swapped digits, wrong lengths, expiry dates past,
    current, ahead and too far ahead, impossible or half-typed, CVCs of every length, blank
    names) typed field by field, in any order, into the real form. What each field keeps, its
    verdict and the reason it gives, the brand shown and whether Pay is offered agree with the
    card rules. A bad entry sends nothing, even when the form is submitted some other way; a
    good one sends exactly what was typed.
    """  # noqa: E501
    page = card_bench.tab.page
    form = card_bench.fresh_form()
    sent_before = len(card_bench.payments)
    now = datetime.now(PARK)
    for name in entry.order:
        box = form.get_by_label(LABELS[name], exact=True)
        box.focus()  # visited even when nothing is typed, as a customer tabbing through
        if name == "expiry":
            box.press_sequentially(entry.expiry_keys)
        else:
            box.fill(getattr(entry, name))
    form.get_by_label(LABELS[entry.order[-1]], exact=True).blur()
    verdict = judge_card(entry, now)
    event("valid" if verdict.valid else "invalid: " + ", ".join(sorted(verdict.problems)))
    shown = form.evaluate(READ_FORM)

    fields = shown["fields"]
    assert only_digits(fields["number"]["value"]) == verdict.number_digits
    assert fields["expiry"]["value"] == verdict.expiry
    assert fields["cvc"]["value"] == verdict.cvc
    assert fields["name"]["value"] == entry.name
    for name, state in fields.items():
        reason = verdict.problems.get(name)
        assert state["invalid"] == (reason is not None), (name, reason, state)
        assert state["linked"], name
        if reason is None:
            assert state["error"] == "", (name, state)
        else:
            words = REASON_WORDS[name, reason]
            assert re.search(words, state["error"], re.IGNORECASE), (name, reason, state)
    assert shown["brand"] == (verdict.brand.name if verdict.brand else "")
    assert shown["payDisabled"] == (not verdict.valid)

    if verdict.valid:
        form.get_by_role("button", name=re.compile(r"^Pay ")).click()
        expect(form.get_by_role("alert")).to_be_visible()  # the caught answer, explained
        assert len(card_bench.payments) == sent_before + 1
        month, year = verdict.expiry.split("/")
        assert card_bench.payments[-1] == {
            "card": {
                "number": verdict.number_digits,
                "exp_month": int(month),
                "exp_year": 2000 + int(year),
                "cvc": verdict.cvc,
                "name": entry.name.strip(" \u00a0"),
            }
        }
    else:
        form.get_by_label(LABELS["name"], exact=True).press("Enter")
        form.evaluate("form => form.requestSubmit()")
        # The browser sends requests in the order they were made: once a later one is seen,
        # a payment the form had started would have been seen too.
        with page.expect_request(lambda request: "after-submit" in request.url):
            page.evaluate("() => fetch('/api/health?after-submit')")
        assert len(card_bench.payments) == sent_before, card_bench.payments[sent_before:]
    card_bench.tab.assert_no_errors()


# ==================================================================================================
# Upgrade selection: tiers and the priced calendar.
# ==================================================================================================

# Reads every month the calendar has, from its first (turning its own month buttons, each turn
# awaited), then turns back to the month of `pick`: one round trip instead of two per month.
READ_CALENDAR = """async (root, pick) => {
  const caption = () => root.querySelector(".rdp-caption_label").textContent;
  const button = (which) => root.querySelector(`.rdp-button_${which}`);
  const can = (which) =>
    button(which).getAttribute("aria-disabled") !== "true" && !button(which).disabled;
  let turns = 0;
  const turn = async (which) => {
    if (++turns > 40) throw new Error("the calendar never reached its end");
    const before = caption();
    button(which).click();
    for (let frames = 0; caption() === before; frames++) {
      if (frames > 120) throw new Error(`the calendar did not turn from ${before}`);
      await new Promise((resolve) => requestAnimationFrame(resolve));
    }
  };
  while (can("previous")) await turn("previous");
  const days = [];
  for (;;) {
    for (const cell of root.querySelectorAll("td[data-day]")) {
      const day = cell.querySelector("button");
      if (!day || cell.offsetParent === null) continue;  // a neighbouring month's day, hidden
      days.push({
        day: cell.getAttribute("data-day"),
        label: day.getAttribute("aria-label"),
        disabled: day.disabled,
      });
    }
    if (!can("next")) break;
    await turn("next");
  }
  while (!root.querySelector(`td[data-day="${pick}"] button`) && can("previous")) {
    await turn("previous");
  }
  return days;
}"""
REASON_LABELS = {"sold_out": "sold out", "date_closed": "park closed"}


def money(amount: str) -> str:
    return f"${Decimal(amount):,.2f}"


def spoken(day: date) -> str:
    return f"{day:%A}, {day:%B} {day.day}"


@dataclass(repr=False)
class UpgradeBench:
    tab: Tab
    site: LiveSite
    api: httpx.Client

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text("UpgradeBench()")


@pytest.fixture(scope="module")
def upgrade_bench(browser: Browser, interface_site: LiveSite) -> Iterator[UpgradeBench]:
    with (
        api_client(interface_site.base_url) as api,
        site_context(browser, interface_site.base_url) as context,
        new_tab(context) as tab,
    ):
        yield UpgradeBench(tab, interface_site, api)


def read_calendar(calendar: Locator, pick: str) -> dict[str, dict[str, Any]]:
    """Every day the calendar shows, and `pick` chosen with a click."""
    days = {cell["day"]: cell for cell in calendar.evaluate(READ_CALENDAR, pick)}
    calendar.locator(f'td[data-day="{pick}"] button').click()
    return days


@given(
    tier=st.sampled_from([Tier.GENERAL, Tier.STANDARD, Tier.NON_STOP]),
    visit_in_days=st.integers(0, 125),
    tier_pick=st.integers(0, 2),
    day_pick=st.integers(0, 10_000),
)
def test_the_upgrade_page_offers_the_higher_tiers_and_the_priced_days(
    upgrade_bench: UpgradeBench, tier: Tier, visit_in_days: int, tier_pick: int, day_pick: int
) -> None:
    """Feature: ticket-auto-process, Property 20: For any user interaction, the Frontend UI should provide appropriate user interfaces for ticket upgrade selection and payment processing

    Upgrade selection: for any eligible ticket (a tier below the top, a visit from today to
    past the booking window) and any tier chosen, the page offers exactly the tiers above the
    ticket's, and the calendar covers the whole booking window: each bookable day shows the
    amount due the API prices it at, sold-out and closed days are named so and cannot be
    chosen. Picking a day states tier, day and amount before anything is held.
    """  # noqa: E501
    page, api = upgrade_bench.tab.page, upgrade_bench.api
    customer = new_customer(upgrade_bench.site, api, tier, visit_in_days)
    upgrade_bench.tab.open(
        f"/tickets/{encode_component(customer.ticket)}/upgrade",
        session_json(customer.token, customer.email, 3600),
    )
    hold = page.get_by_role("button", name="Hold this upgrade")
    expect(hold).to_be_visible()

    options = api.get(
        f"/api/tickets/{customer.ticket}/upgrade-options",
        params={"days": 180},
        headers=bearer(customer.token),
    ).json()
    first = date.fromisoformat(options["first_bookable"])
    last = date.fromisoformat(options["last_bookable"])
    window = {
        day["date"]: day
        for day in options["calendar"]
        if first <= date.fromisoformat(day["date"]) <= last
    }
    assert len(window) == (last - first).days + 1

    radios = page.locator("main input[type=radio]").evaluate_all(
        "radios => radios.map((radio) => [radio.value, radio.disabled])"
    )
    assert [value for value, _ in radios] == list(TIER_NAMES)
    higher = list(tiers_above(tier.value))
    assert [value for value, disabled in radios if not disabled] == higher

    chosen = higher[tier_pick % len(higher)]
    page.get_by_role("radio", name=TIER_NAMES[chosen], exact=True).check()
    bookable = sorted(iso for iso, day in window.items() if day["tiers"][chosen]["available"])
    pick = bookable[day_pick % len(bookable)]
    shown = read_calendar(page.locator(".rdp-root"), pick)

    missing = sorted(set(window) - set(shown))
    assert not missing, f"{len(missing)} days of the booking window never shown: {missing[:3]}"
    for iso, cell in shown.items():
        label = cell["label"]
        assert label.startswith(spoken(date.fromisoformat(iso))), (iso, label)
        day = window.get(iso)
        if day is None:  # outside the booking window
            assert cell["disabled"], (iso, label)
            continue
        option = day["tiers"][chosen]
        if option["available"]:
            assert not cell["disabled"], (iso, label)
            assert f", {money(option['amount_due'])}" in label, (iso, label, option)
        else:
            assert cell["disabled"], (iso, label, option)
            reason = "date_closed" if day["closed"] else option["reason"]
            assert REASON_LABELS.get(reason, "") in label, (iso, label, option)

    amount = money(window[pick]["tiers"][chosen]["amount_due"])
    expect(page.locator("#hold-summary")).to_contain_text(
        f"{TIER_NAMES[chosen]} on {spoken(date.fromisoformat(pick))}: {amount} to pay"
    )
    expect(hold).to_be_enabled()
    upgrade_bench.tab.assert_no_errors()
