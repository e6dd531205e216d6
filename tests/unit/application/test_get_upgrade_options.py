"""GetUpgradeOptions: always the three upgrade tiers, and a priced calendar of each."""

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

import pytest

from application.results import CalendarDay, UpgradeOptionsResult
from application.use_cases.get_upgrade_options import GetUpgradeOptionsCommand
from domain.errors import BusinessRuleError, InvalidInputError, NotFoundError
from domain.ids import CustomerId
from domain.money import Money
from domain.options import OptionReason
from domain.pricing import DayType, price_upgrade
from domain.tickets import Ticket, TicketStatus
from domain.tiers import UPGRADE_TIERS, Tier
from tests.builders import World
from tests.unit.application.conftest import WorldFactory


def options(
    world: World,
    customer: CustomerId,
    ticket: Ticket,
    start: date | None = None,
    days: int = 30,
) -> UpgradeOptionsResult:
    command = GetUpgradeOptionsCommand(customer, ticket.number.value, start, days)
    return world.container.get_upgrade_options()(command)


def test_exactly_the_three_upgrade_tiers_are_offered_in_ladder_order(world: World) -> None:
    ana = world.customer()
    ticket = world.ticket(ana)

    result = options(world, ana, ticket)

    assert [tier.key for tier in result.tiers] == ["standard", "non-stop", "double-fun"]
    assert [tier.name for tier in result.tiers] == ["Standard", "Non-stop", "Double Fun"]
    assert all(tier.features for tier in result.tiers)
    for day in result.calendar:
        assert list(day.options) == list(UPGRADE_TIERS)


def test_even_a_non_stop_ticket_is_shown_all_three_tiers(world: World) -> None:
    ana = world.customer()
    ticket = world.ticket(ana, Tier.NON_STOP)

    result = options(world, ana, ticket, days=1)

    assert [tier.key for tier in result.tiers] == ["standard", "non-stop", "double-fun"]
    [day] = result.calendar
    assert list(day.options) == list(UPGRADE_TIERS)


def test_the_calendar_starts_at_the_first_bookable_date_and_lasts_30_days(world: World) -> None:
    ana = world.customer()
    ticket = world.ticket(ana)

    result = options(world, ana, ticket)

    assert result.first_bookable == world.day(2)
    assert result.last_bookable == world.day(120)
    assert [day.day for day in result.calendar] == [world.day(2 + n) for n in range(30)]
    assert result.currency == "USD"
    assert result.generated_at == world.clock.now()
    assert result.ticket.id == ticket.id
    assert result.eligibility.eligible


def test_the_calendar_covers_exactly_the_days_asked_for_from_start(world: World) -> None:
    ana = world.customer()
    ticket = world.ticket(ana)

    result = options(world, ana, ticket, start=world.day(40), days=7)

    assert [day.day for day in result.calendar] == [world.day(40 + n) for n in range(7)]


def test_each_day_has_its_day_type_and_list_price(world: World) -> None:
    ana = world.customer()
    ticket = world.ticket(ana)

    result = options(world, ana, ticket, start=date(2026, 3, 13), days=5)

    by_day = {day.day: day for day in result.calendar}
    assert by_day[date(2026, 3, 13)].day_type is DayType.REGULAR  # a Friday
    assert by_day[date(2026, 3, 14)].day_type is DayType.WEEKEND
    assert by_day[date(2026, 3, 17)].day_type is DayType.OFF_PEAK  # a Tuesday in March
    saturday = by_day[date(2026, 3, 14)].options
    assert saturday[Tier.STANDARD].price.amount == Decimal("98.75")
    assert saturday[Tier.NON_STOP].price.amount == Decimal("136.25")
    assert saturday[Tier.DOUBLE_FUN].price.amount == Decimal("186.25")


def test_every_amount_due_is_what_price_upgrade_says(world: World) -> None:
    ana = world.customer()
    ticket = world.ticket(ana, Tier.STANDARD, price_paid="70.00")
    prices = world.container.policy().prices

    result = options(world, ana, ticket, days=60)

    for day in result.calendar:
        for tier, option in day.options.items():
            if tier is Tier.STANDARD:
                assert option.amount_due is None
                continue
            expected = price_upgrade(prices, Tier.STANDARD, ticket.price_paid, tier, day.day)
            assert option.amount_due == expected.amount_due
            assert option.price == expected.price
            assert option.amount_due.is_positive


def test_a_cheaper_day_refunds_nothing_and_a_dearer_day_costs_the_difference(
    world: World,
) -> None:
    ana = world.customer()
    ticket = world.ticket(ana, visit_in=10)  # Friday 20 March, paid 59.00 (regular)

    result = options(world, ana, ticket, start=date(2026, 3, 21), days=4)
    by_day = {day.day: day.options for day in result.calendar}

    # Saturday: 136.25 - min(59.00, 73.75); Tuesday (off-peak): 92.65 - min(59.00, 50.15)
    assert by_day[date(2026, 3, 21)][Tier.NON_STOP].amount_due == Money.of("77.25", "USD")
    assert by_day[date(2026, 3, 24)][Tier.NON_STOP].amount_due == Money.of("42.50", "USD")


def test_remaining_capacity_counts_sales_and_live_holds(world_with: WorldFactory) -> None:
    world = world_with(capacity_overrides={"2026-03-20:non-stop": 5})
    ana, ben, cleo = world.customer(), world.customer(), world.customer()
    day = date(2026, 3, 20)
    sold = world.quote(ben, world.ticket(ben), Tier.NON_STOP, day)
    world.pay(ben, sold.id)
    world.quote(cleo, world.ticket(cleo), Tier.NON_STOP, day)
    ticket = world.ticket(ana)

    [calendar_day] = options(world, ana, ticket, start=day, days=1).calendar

    assert calendar_day.options[Tier.NON_STOP].remaining == 3
    assert calendar_day.options[Tier.NON_STOP].available
    assert calendar_day.options[Tier.STANDARD].remaining == 300
    assert calendar_day.options[Tier.DOUBLE_FUN].remaining == 40


def test_a_lapsed_hold_no_longer_counts_but_a_sale_still_does(world_with: WorldFactory) -> None:
    world = world_with(capacity_overrides={"2026-03-20:non-stop": 5})
    ana, ben, cleo = world.customer(), world.customer(), world.customer()
    day = date(2026, 3, 20)
    world.pay(ben, world.quote(ben, world.ticket(ben), Tier.NON_STOP, day).id)
    world.quote(cleo, world.ticket(cleo), Tier.NON_STOP, day)
    ticket = world.ticket(ana)

    world.clock.advance(timedelta(minutes=15))
    [calendar_day] = options(world, ana, ticket, start=day, days=1).calendar

    assert calendar_day.options[Tier.NON_STOP].remaining == 4


def test_a_sold_out_tier_date_is_unavailable_with_sold_out(world_with: WorldFactory) -> None:
    world = world_with(capacity_overrides={"2026-03-20:double-fun": 1})
    ana, ben = world.customer(), world.customer()
    day = date(2026, 3, 20)
    world.quote(ben, world.ticket(ben), Tier.DOUBLE_FUN, day)
    ticket = world.ticket(ana)

    result = options(world, ana, ticket, start=day, days=2)

    sold_out, next_day = (calendar_day.options[Tier.DOUBLE_FUN] for calendar_day in result.calendar)
    assert (sold_out.available, sold_out.reason, sold_out.remaining) == (
        False,
        OptionReason.SOLD_OUT,
        0,
    )
    assert sold_out.amount_due is not None  # still priced, just not for sale
    assert next_day.available
    assert result.calendar[0].options[Tier.NON_STOP].available


def test_a_closed_day_is_marked_closed_and_nothing_can_be_chosen(
    world_with: WorldFactory,
) -> None:
    closed = date(2026, 3, 25)
    world = world_with(closures=[closed])
    ana = world.customer()
    ticket = world.ticket(ana)

    result = options(world, ana, ticket, start=date(2026, 3, 24), days=3)

    by_day = {day.day: day for day in result.calendar}
    assert by_day[closed].closed
    assert {o.reason for o in by_day[closed].options.values()} == {OptionReason.DATE_CLOSED}
    assert not by_day[date(2026, 3, 24)].closed
    assert all(o.available for o in by_day[date(2026, 3, 26)].options.values())


def test_dates_outside_the_booking_window_are_out_of_window(world: World) -> None:
    ana = world.customer()
    ticket = world.ticket(ana)

    early = options(world, ana, ticket, start=world.today, days=3).calendar
    late = options(world, ana, ticket, start=world.day(119), days=3).calendar

    def reasons(day: CalendarDay) -> set[OptionReason | None]:
        return {option.reason for option in day.options.values()}

    assert reasons(early[0]) == reasons(early[1]) == {OptionReason.DATE_OUT_OF_WINDOW}
    assert reasons(early[2]) == {None}  # today + 2 is the first bookable date
    assert reasons(late[0]) == reasons(late[1]) == {None}  # today + 120 is the last
    assert reasons(late[2]) == {OptionReason.DATE_OUT_OF_WINDOW}


def test_tiers_not_above_the_ticket_are_tier_not_higher_and_unpriced(world: World) -> None:
    ana = world.customer()
    ticket = world.ticket(ana, Tier.NON_STOP)

    [day] = options(world, ana, ticket, days=1).calendar

    for tier in (Tier.STANDARD, Tier.NON_STOP):
        assert day.options[tier].reason is OptionReason.TIER_NOT_HIGHER
        assert day.options[tier].amount_due is None
    assert day.options[Tier.DOUBLE_FUN].available


def test_tier_not_higher_comes_before_a_date_reason(world_with: WorldFactory) -> None:
    closed = date(2026, 3, 25)
    world = world_with(closures=[closed])
    ana = world.customer()
    ticket = world.ticket(ana, Tier.STANDARD)

    [closed_day] = options(world, ana, ticket, start=closed, days=1).calendar
    [too_soon] = options(world, ana, ticket, start=world.today, days=1).calendar

    for day, date_reason in (
        (closed_day, OptionReason.DATE_CLOSED),
        (too_soon, OptionReason.DATE_OUT_OF_WINDOW),
    ):
        assert day.options[Tier.STANDARD].reason is OptionReason.TIER_NOT_HIGHER
        assert day.options[Tier.NON_STOP].reason is date_reason


@pytest.mark.parametrize(
    ("make_ticket", "code"),
    [
        (lambda w, c: w.ticket(c, status=TicketStatus.USED), "ticket_not_active"),
        (lambda w, c: w.ticket(c, visit_in=-1), "visit_date_passed"),
        (lambda w, c: w.ticket(c, Tier.DOUBLE_FUN), "already_top_tier"),
    ],
)
def test_an_ineligible_ticket_raises_its_eligibility_code(
    world: World, make_ticket: Callable[[World, CustomerId], Ticket], code: str
) -> None:
    ana = world.customer()
    ticket = make_ticket(world, ana)

    with pytest.raises(BusinessRuleError) as raised:
        options(world, ana, ticket)

    assert raised.value.code == code


def test_a_ticket_with_a_live_quote_raises_upgrade_in_progress(world: World) -> None:
    ana = world.customer()
    ticket = world.ticket(ana)
    world.quote(ana, ticket, Tier.STANDARD, world.day(10))

    with pytest.raises(BusinessRuleError) as raised:
        options(world, ana, ticket)

    assert raised.value.code == "upgrade_in_progress"


def test_someone_elses_ticket_has_no_options(world: World) -> None:
    ana, ben = world.customer(), world.customer()

    with pytest.raises(NotFoundError) as raised:
        options(world, ana, world.ticket(ben))

    assert raised.value.code == "ticket_not_found"


@pytest.mark.parametrize("days", [0, -1, 181])
def test_a_number_of_days_outside_1_to_180_is_refused(world: World, days: int) -> None:
    ana = world.customer()
    ticket = world.ticket(ana)

    with pytest.raises(InvalidInputError) as raised:
        options(world, ana, ticket, days=days)

    assert raised.value.code == "invalid_days"


def test_180_days_is_the_longest_calendar(world: World) -> None:
    ana = world.customer()
    ticket = world.ticket(ana)

    assert len(options(world, ana, ticket, days=180).calendar) == 180


@pytest.mark.parametrize("offset", [367, -367, 5000])
def test_a_start_more_than_a_year_from_today_is_refused(world: World, offset: int) -> None:
    ana = world.customer()
    ticket = world.ticket(ana)

    with pytest.raises(InvalidInputError) as raised:
        options(world, ana, ticket, start=world.day(offset), days=1)

    assert raised.value.code == "invalid_start"


def test_a_start_in_the_recent_past_is_shown_as_out_of_window(world: World) -> None:
    ana = world.customer()
    ticket = world.ticket(ana)

    [day] = options(world, ana, ticket, start=world.day(-30), days=1).calendar

    assert {o.reason for o in day.options.values()} == {OptionReason.DATE_OUT_OF_WINDOW}


def test_a_malformed_ticket_reference_is_invalid_input(world: World) -> None:
    ana = world.customer()

    with pytest.raises(InvalidInputError):
        world.container.get_upgrade_options()(GetUpgradeOptionsCommand(ana, "TKT-1"))
