"""Properties 7 and 8: the three upgrade tiers, and the priced availability calendar."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import event, given
from hypothesis import strategies as st

from application.results import TicketResult
from application.use_cases.get_upgrade_options import GetUpgradeOptionsCommand
from domain.tiers import Tier
from entrypoints.http.schemas import options_out, ticket_out
from tests.property.support import (
    UPGRADE_KEYS,
    expected_amount_due,
    expected_day_type,
    expected_price,
    fresh_world,
    instants,
    rank,
)

PARK_ZONE = ZoneInfo("America/Los_Angeles")
NAMES = ("Standard", "Non-stop", "Double Fun")
DEFAULT_CAPACITY = {"standard": 300, "non-stop": 120, "double-fun": 40}
HOLD = timedelta(minutes=15)


@given(
    now=instants,
    tier=st.sampled_from(["general", "standard", "non-stop"]),
    visit_in=st.integers(min_value=0, max_value=150),
    start_offset=st.none() | st.integers(min_value=-366, max_value=366),
    days=st.integers(min_value=1, max_value=180),
)
def test_options_always_present_exactly_the_three_upgrade_tiers_in_order(
    now: datetime, tier: str, visit_in: int, start_offset: int | None, days: int
) -> None:
    """Feature: ticket-auto-process, Property 7: For any upgrade options presentation, the system should always present exactly three upgrade tiers: Standard, Non-stop, and Double Fun

    For any upgradable ticket, any start (or none) and any number of days: the tiers are
    standard, non-stop, double-fun in that order, named Standard, Non-stop, Double Fun, and every
    calendar date prices exactly those three, in the use case's result and on the wire."""  # noqa: E501
    world = fresh_world(now)
    ana = world.customer()
    ticket = world.ticket(ana, Tier(tier), visit_in=visit_in)
    start = None if start_offset is None else world.day(start_offset)

    result = world.container.get_upgrade_options()(
        GetUpgradeOptionsCommand(ana, ticket.number.value, start, days)
    )
    wire = options_out(result, ticket_out(TicketResult(result.ticket, result.eligibility)))

    assert tuple(t.key for t in result.tiers) == UPGRADE_KEYS
    assert tuple(t.name for t in result.tiers) == NAMES
    assert tuple(t.key for t in wire.tiers) == UPGRADE_KEYS
    assert tuple(t.name for t in wire.tiers) == NAMES
    assert [t.rank for t in wire.tiers] == [1, 2, 3]
    assert all(t.features for t in wire.tiers)
    assert len(result.calendar) == days
    for calendar_day in result.calendar:
        assert tuple(t.key for t in calendar_day.options) == UPGRADE_KEYS
    for wire_day in wire.calendar:
        assert tuple(wire_day.tiers) == UPGRADE_KEYS


# -- Property 8 ------------------------------------------------------------------------------


def park_today(now: datetime) -> date:
    return now.astimezone(PARK_ZONE).date()


@st.composite
def calendar_scenarios(draw: st.DrawFn) -> dict[str, object]:
    """A calendar request and the state of the park around it, all relative to today:
    closures, small capacity overrides and, per booked (tier, date), how many upgrades are
    confirmed, held by a live quote, or were held by a quote that has since lapsed."""
    now = draw(instants)
    today = park_today(now)
    start_offset = draw(st.integers(min_value=-6, max_value=126))
    days = draw(st.integers(min_value=1, max_value=21))
    requested = [today + timedelta(days=start_offset + i) for i in range(days)]
    # Quotes are taken 3..119 days ahead, so they stay bookable however the clock moves here.
    bookable = [day for day in requested if 3 <= (day - today).days <= 119]
    closures = draw(st.lists(st.sampled_from(requested), max_size=3, unique=True))
    open_days = [day for day in bookable if day not in closures]
    bookings: dict[tuple[str, date], tuple[int, int, int, int | None]] = {}
    if open_days:
        pairs = draw(
            st.lists(
                st.tuples(st.sampled_from(UPGRADE_KEYS), st.sampled_from(open_days)),
                max_size=2,
                unique=True,
            )
        )
        for pair in pairs:
            override = draw(st.none() | st.integers(min_value=0, max_value=4))
            capacity = DEFAULT_CAPACITY[pair[0]] if override is None else override
            lapsed = draw(st.integers(min_value=0, max_value=min(2, capacity)))
            confirmed = draw(st.integers(min_value=0, max_value=min(3, capacity)))
            live = draw(st.integers(min_value=0, max_value=min(3, capacity - confirmed)))
            if override is not None and draw(st.booleans()):
                live = capacity - confirmed  # sold out
            bookings[pair] = (lapsed, confirmed, live, override)
    # An override on a date nobody booked (it may be zero: sold out before anything is sold).
    extra_override = draw(
        st.none() | st.tuples(st.sampled_from(UPGRADE_KEYS), st.sampled_from(requested))
    )
    overrides = {
        f"{day.isoformat()}:{tier}": value[3]
        for (tier, day), value in bookings.items()
        if value[3] is not None
    }
    if extra_override is not None and extra_override not in bookings:
        overrides[f"{extra_override[1].isoformat()}:{extra_override[0]}"] = draw(
            st.integers(min_value=0, max_value=2)
        )
    return {
        "now": now,
        "start_offset": start_offset,
        "days": days,
        "closures": closures,
        "bookings": bookings,
        "overrides": overrides,
        "viewer_tier": draw(st.sampled_from(["general", "standard", "non-stop"])),
    }


def expected_reason(
    viewer_tier: str, tier: str, day: date, today: date, closed: bool, remaining: int
) -> str | None:
    """The first reason an option is unavailable: tier, then date, then capacity."""
    if rank(tier) <= rank(viewer_tier):
        return "tier_not_higher"
    if not 2 <= (day - today).days <= 120:
        return "date_out_of_window"
    if closed:
        return "date_closed"
    if remaining <= 0:
        return "sold_out"
    return None


@given(scenario=calendar_scenarios())
def test_the_calendar_prices_every_requested_date_and_counts_what_remains(
    scenario: dict,  # type: ignore[type-arg]
) -> None:
    """Feature: ticket-auto-process, Property 8: For any upgrade options presentation, the system should include availability calendar data with corresponding pricing information

    Exactly one entry per requested date, consecutive from the start; each prices all three
    tiers by the day type of its date; remaining = capacity - confirmed - live holds (lapsed
    holds do not count); an option is available iff it has no reason, and the reason is the
    first of tier_not_higher, date_out_of_window, date_closed, sold_out that applies."""  # noqa: E501
    world = fresh_world(
        scenario["now"],
        closures=scenario["closures"],
        capacity_overrides=scenario["overrides"],
    )
    bookings = scenario["bookings"]
    bob = world.customer()

    def quote(tier: str, day: date) -> object:
        ticket = world.ticket(bob, Tier.GENERAL, visit_in=5)
        return world.quote(bob, ticket, Tier(tier), day)

    for (tier, day), (lapsed, _, _, _) in bookings.items():
        for _ in range(lapsed):
            quote(tier, day)
    world.clock.advance(HOLD)  # every quote so far lapses, exactly at its expiry
    event(f"lapsed holds: {sum(b[0] for b in bookings.values()) > 0}")
    for (tier, day), (_, confirmed, live, _) in bookings.items():
        for _ in range(confirmed):
            world.pay(bob, quote(tier, day).id)  # type: ignore[attr-defined]
        for _ in range(live):
            quote(tier, day)

    ana = world.customer()
    viewer_tier = scenario["viewer_tier"]
    ticket = world.ticket(ana, Tier(viewer_tier), visit_in=1)
    today = world.today
    start = today + timedelta(days=scenario["start_offset"])
    result = world.container.get_upgrade_options()(
        GetUpgradeOptionsCommand(ana, ticket.number.value, start, scenario["days"])
    )

    assert [d.day for d in result.calendar] == [
        start + timedelta(days=i) for i in range(scenario["days"])
    ]
    assert Counter(d.day for d in result.calendar).most_common(1)[0][1] == 1
    assert result.first_bookable == today + timedelta(days=2)
    assert result.last_bookable == today + timedelta(days=120)
    for calendar_day in result.calendar:
        day = calendar_day.day
        closed = day in scenario["closures"]
        assert calendar_day.day_type.value == expected_day_type(day)
        assert calendar_day.closed is closed
        assert tuple(t.key for t in calendar_day.options) == UPGRADE_KEYS
        for tier in UPGRADE_KEYS:
            option = calendar_day.options[Tier(tier)]
            capacity = scenario["overrides"].get(
                f"{day.isoformat()}:{tier}", DEFAULT_CAPACITY[tier]
            )
            _, confirmed, live, _ = bookings.get((tier, day), (0, 0, 0, None))
            remaining = capacity - confirmed - live
            assert remaining >= 0
            assert option.price.amount == expected_price(tier, day)
            assert option.remaining == remaining
            reason = expected_reason(viewer_tier, tier, day, today, closed, remaining)
            event(f"reason: {reason}")
            assert (option.reason.value if option.reason else None) == reason
            assert option.available is (option.reason is None)
            if rank(tier) > rank(viewer_tier):
                assert option.amount_due is not None
                assert option.amount_due.amount == expected_amount_due(
                    viewer_tier, ticket.price_paid.amount, tier, day
                )
            else:
                assert option.amount_due is None
