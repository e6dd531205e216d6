"""Property 21 in Chromium against the local build: an order's page keeps its customer informed,
live, of every step the order goes through.

One tab, built once from pytest-playwright's session `browser` (Hypothesis cannot use
function-scoped fixtures), follows a new order per example. The site runs privately for this
module: its clock jumps forward to let quotes lapse, and its outbox is sent only when a test
says so (both would disturb the shared site of the other browser tests).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from hypothesis import event, given
from hypothesis import strategies as st
from playwright.sync_api import Browser, expect

from domain.tiers import Tier
from tests.browser.property_support import (
    DECLINING_CARDS,
    SHOWN_WITHIN_MS,
    SUCCEEDING_CARD,
    Tab,
    api_client,
    bearer,
    card_body,
    new_customer,
    new_tab,
    quote_upgrade,
    session_json,
    site_context,
)
from tests.support.live_site import LiveSite, live_site

MAX_DECLINES = 3  # settings' default
# How long a quote left to lapse still has, in real time, when the server last hears of it:
# time enough to load the page and show the state before the lapse on a busy machine.
LAPSE_MARGIN = timedelta(seconds=1.5)

# Records what the page shows each time its DOM changes (anew on every page load), so a state
# shown only briefly is still seen, and a reload (a new load id) is noticed.
RECORDER = """(() => {
  const shown = [];
  window.__tapShown = shown;
  window.__tapLoad = Math.random().toString(36).slice(2);
  let last = "";
  const text = (node) => (node ? node.textContent.trim() : null);
  const snap = () => {
    const main = document.querySelector("main");
    if (!main) return;
    const steps = main.querySelector('section[aria-label="Upgrade progress"]');
    const current = steps && steps.querySelector('li[aria-current="step"]');
    const facts = {};
    for (const dt of main.querySelectorAll("dl.facts dt")) {
      facts[dt.textContent] = text(dt.nextElementSibling);
    }
    const ended = [...main.querySelectorAll("p")]
      .find((p) => p.textContent.startsWith("This upgrade can no longer be paid"));
    const state = {
      heading: text(main.querySelector("h1")),
      loading: !!main.querySelector(".loading"),
      step: current ? current.firstChild.textContent : null,
      done: steps ? steps.querySelectorAll("li.done").length : 0,
      notes: steps ? [...steps.querySelectorAll(".step-note")].map(text).join(" ") : "",
      pay: !!main.querySelector("form.card-form"),
      ended: ended ? text(ended.querySelector("strong")) : null,
      email: facts["Confirmation email"] ?? null,
    };
    const key = JSON.stringify(state);
    if (key !== last) { last = key; shown.push(state); }
  };
  new MutationObserver(snap)
    .observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
})();"""

ENDED = {
    "Cancelled": "cancelled",
    "Expired (not paid in time)": "expired",
    "Not paid (card declined)": "failed",
}
ENDINGS = {"cancel": "cancelled", "expire": "expired"}


def state_shown(shown: dict[str, Any]) -> str | None:
    """The order's state as the page presents it; None while it loads (or is on its way to
    the confirmation page); 'inconsistent' for a page that says the order is paid or over yet
    still offers its card form, or says it is payable and offers none."""
    if shown["loading"] or shown["heading"] is None:
        return None
    if shown["heading"].startswith("Your upgrade"):  # the confirmation page
        return {"Sent": "email_sent", "Being sent": "confirmed"}.get(shown["email"])
    if shown["ended"] is not None:
        return ENDED.get(shown["ended"])  # else "Confirmed": about to show the confirmation
    notes, step, pay = shown["notes"], shown["step"], shown["pay"]
    declined = re.search(r"Card declined\. (\d) attempts? left", notes)
    if declined:
        return f"declined:{declined[1]}" if pay else "inconsistent"
    if "cancelled" in notes:
        state = "cancelled"
    elif "expired" in notes:
        state = "expired"
    elif "no attempts are left" in notes:
        state = "failed"
    elif step == "Quote held":
        return "quoted" if pay else "inconsistent"
    elif step == "Payment":
        return "paying"
    elif step == "Upgrade confirmed":
        state = "confirmed"
    elif shown["done"] == 4:
        state = "email_sent"
    else:
        return None  # the steps are not shown yet
    return "inconsistent" if pay else state


@dataclass(frozen=True)
class Story:
    """What happens to an order while its payment page is open."""

    declines: tuple[str, ...]  # test card numbers, one per declined attempt
    ending: str  # pay, pay+email, cancel, expire; or failed, when the declines used every attempt
    reload_after: int | None  # reload the page after this many steps (0: as soon as it opened)


@st.composite
def stories(draw: st.DrawFn) -> Story:
    ending = draw(st.sampled_from(["pay", "cancel", "failed", "expire", "pay+email"]))
    count = MAX_DECLINES if ending == "failed" else draw(st.integers(0, MAX_DECLINES - 1))
    declines = draw(
        st.lists(st.sampled_from(sorted(DECLINING_CARDS)), min_size=count, max_size=count)
    )
    steps = count + {"failed": 0, "pay+email": 2}.get(ending, 1)
    return Story(tuple(declines), ending, draw(st.none() | st.integers(0, steps)))


def lapse_trigger(story: Story, steps: int) -> tuple[str, int] | None:
    """A quote lapses by the clock. The server sets its timer for a quote whenever it hears of
    the order (the page opening, a reload, a decline), so the clock moves on just before the
    last of these ahead of the lapse, leaving the quote a moment to run out while watched."""
    if story.ending != "expire":
        return None
    before = steps - 1  # the position the lapse follows
    if story.reload_after == before:
        return ("reload", before)
    return ("decline", before) if before else ("open", 0)


@dataclass(repr=False)
class OrderWatch:
    """A tab on one order's page, and what that page load must have shown, in order."""

    tab: Tab
    expected: list[str] = field(default_factory=list)
    load: str = ""
    seen: int = 0  # how much of this load's record the expected states account for

    def start(self) -> None:
        """A new page load: recording starts afresh."""
        self.load = str(self.tab.page.evaluate("() => window.__tapLoad"))
        self.expected, self.seen = [], 0

    def wait_for(self, state: str) -> None:
        """The page shows `state` within a few seconds (however briefly: the next state may
        follow at once), with no reload in between."""
        self.expected.append(state)
        deadline = time.monotonic() + SHOWN_WITHIN_MS / 1000
        since: list[Any] = []
        while time.monotonic() < deadline:
            load, since = self.tab.page.evaluate(
                "seen => [window.__tapLoad, window.__tapShown.slice(seen)]", self.seen
            )
            assert load == self.load, "the page was reloaded"
            found = [i for i, shown in enumerate(since) if state_shown(shown) == state]
            if found:
                self.seen += found[0]
                return
            self.tab.page.wait_for_timeout(20)
        pytest.fail(f"the page never showed {state!r}; it showed {since}")

    def check_history(self) -> None:
        """What this load showed, in order: the expected states, with only loading, a moment
        of 'payment in progress' and the render before the page follows a change between."""
        history = self.tab.page.evaluate("() => window.__tapShown")
        states = [state_shown(shown) for shown in history]
        kept = [s for s in states if s not in (None, "paying", "inconsistent")]
        deduped = [s for i, s in enumerate(kept) if i == 0 or kept[i - 1] != s]
        assert deduped == self.expected, (deduped, self.expected, history)


@dataclass(repr=False)
class FeedbackBench:
    tab: Tab
    site: LiveSite
    api: httpx.Client

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text("FeedbackBench()")


@pytest.fixture(scope="module")
def feedback_bench(
    browser: Browser, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FeedbackBench]:
    with (
        live_site(
            tmp_path_factory.mktemp("feedback-site"),
            log_level="WARNING",
            outbox_poll_seconds=3600.0,  # the emails go when a test sends the outbox
        ) as site,
        api_client(site.base_url) as api,
        site_context(browser, site.base_url) as context,
        new_tab(context) as tab,
    ):
        tab.page.add_init_script(RECORDER)
        yield FeedbackBench(tab, site, api)


@given(story=stories())
def test_the_order_page_shows_each_step_as_it_happens(
    feedback_bench: FeedbackBench, story: Story
) -> None:
    """Feature: ticket-auto-process, Property 21: For any upgrade process step, the Frontend UI should provide real-time feedback to keep users informed of progress and status

    While a quote's payment page stays open, its order goes through a generated story, driven
    from Python through the real API and use cases: declined up to three times with
    DOMAIN.md's test cards, then paid (and its confirmation email sent by the outbox),
    cancelled, or left to lapse (the clock moved on); three declines fail it. The page shows
    each state live, from its WebSocket, within a few seconds and in order, never offers to
    pay an order that is paid or over, and after a reload at any point resumes from the
    state the order is in.
    """  # noqa: E501
    site, api, page = feedback_bench.site, feedback_bench.api, feedback_bench.tab.page
    customer = new_customer(site, api, Tier.GENERAL, 30)
    order = quote_upgrade(
        api, customer.token, customer.ticket, "standard", str(customer.visit_date)
    )
    expires_at = datetime.fromisoformat(order["expires_at"])
    watch = OrderWatch(feedback_bench.tab)
    year = datetime.now(UTC).year + 3
    event(f"{len(story.declines)} declines, then {story.ending}")
    event("no reload" if story.reload_after is None else "a reload")

    def post(path: str, body: Any = None) -> httpx.Response:
        return api.post(
            f"/api/upgrades/{order['id']}{path}",
            json=body,
            headers=bearer(customer.token, idempotent=True),
        )

    # The steps after the page opens, each with the state it leads to.
    steps = [
        ("decline", f"declined:{MAX_DECLINES - n}" if n < MAX_DECLINES else "failed")
        for n in range(1, len(story.declines) + 1)
    ]
    if story.ending.startswith("pay"):
        steps.append(("pay", "confirmed"))
    if story.ending == "pay+email":
        steps.append(("email", "email_sent"))
    if story.ending in ENDINGS:
        steps.append((story.ending, ENDINGS[story.ending]))
    lapse_on = lapse_trigger(story, len(steps))

    def lapse_soon_if(trigger: tuple[str, int]) -> None:
        if trigger == lapse_on:
            site.clock.advance(expires_at - site.clock.now() - LAPSE_MARGIN)

    def reload_if(position: int, state: str) -> None:
        if story.reload_after == position:
            watch.check_history()
            lapse_soon_if(("reload", position))
            page.reload(wait_until="commit")
            watch.start()
            watch.wait_for(state)

    lapse_soon_if(("open", 0))
    feedback_bench.tab.open(
        f"/upgrades/{order['id']}/pay", session_json(customer.token, customer.email, 3600)
    )
    watch.start()
    state = "quoted"
    watch.wait_for(state)
    reload_if(0, state)
    for position, (kind, state) in enumerate(steps, start=1):
        if kind == "decline":
            lapse_soon_if(("decline", position))
            answer = post("/payment", card_body(story.declines[position - 1], year))
            assert answer.status_code == 402, answer.text
        elif kind == "pay":
            answer = post("/payment", card_body(SUCCEEDING_CARD, year))
            assert answer.status_code == 200, answer.text
        elif kind == "email":
            assert site.container.dispatch_outbox()().sent >= 1
        elif kind == "cancel":
            answer = post("/cancel")
            assert answer.status_code == 200, answer.text
        watch.wait_for(state)  # "expire": nothing to do but wait
        reload_if(position, state)
    watch.check_history()
    if state != "quoted" and not state.startswith("declined"):
        expect(page.get_by_role("button", name=re.compile(r"^Pay "))).to_have_count(0)
    feedback_bench.tab.assert_no_errors()
