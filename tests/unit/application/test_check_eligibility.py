"""CheckEligibility: the verdict on one of my tickets, with every code it can give."""

from datetime import UTC, datetime

import pytest

from domain.eligibility import EligibilityCode
from domain.errors import InvalidInputError, NotFoundError
from domain.tickets import TicketStatus
from domain.tiers import Tier
from tests.builders import World


def test_an_active_future_ticket_below_the_top_is_eligible(world: World) -> None:
    ana = world.customer()
    ticket = world.ticket(ana, Tier.NON_STOP)

    verdict = world.container.check_eligibility()(ana, ticket.number.value)

    assert verdict.eligible
    assert verdict.code is None


def test_a_ticket_visiting_today_is_still_eligible(world: World) -> None:
    ana = world.customer()
    ticket = world.ticket(ana, visit_in=0)

    assert world.container.check_eligibility()(ana, str(ticket.id)).eligible


@pytest.mark.parametrize(
    "status",
    [TicketStatus.USED, TicketStatus.CANCELLED, TicketStatus.EXPIRED, TicketStatus.REFUNDED],
)
def test_a_ticket_that_is_not_active_is_not_eligible_and_says_its_status(
    world: World, status: TicketStatus
) -> None:
    ana = world.customer()
    ticket = world.ticket(ana, status=status)

    verdict = world.container.check_eligibility()(ana, ticket.number.value)

    assert not verdict.eligible
    assert verdict.code is EligibilityCode.TICKET_NOT_ACTIVE
    assert status.value in verdict.message
    assert verdict.guidance


def test_a_ticket_whose_visit_date_passed_is_not_eligible(world: World) -> None:
    ana = world.customer()
    ticket = world.ticket(ana, visit_in=-1)

    verdict = world.container.check_eligibility()(ana, ticket.number.value)

    assert (verdict.eligible, verdict.code) == (False, EligibilityCode.VISIT_DATE_PASSED)


def test_a_double_fun_ticket_is_already_top_tier(world: World) -> None:
    ana = world.customer()
    ticket = world.ticket(ana, Tier.DOUBLE_FUN)

    verdict = world.container.check_eligibility()(ana, ticket.number.value)

    assert (verdict.eligible, verdict.code) == (False, EligibilityCode.ALREADY_TOP_TIER)


def test_a_ticket_with_a_live_quote_has_an_upgrade_in_progress(world: World) -> None:
    ana = world.customer()
    ticket = world.ticket(ana)
    world.quote(ana, ticket, Tier.NON_STOP, world.day(10))

    verdict = world.container.check_eligibility()(ana, ticket.number.value)

    assert (verdict.eligible, verdict.code) == (False, EligibilityCode.UPGRADE_IN_PROGRESS)
    assert verdict.guidance


def test_the_first_broken_rule_wins_when_several_apply(world: World) -> None:
    ana = world.customer()
    used_and_past = world.ticket(ana, Tier.DOUBLE_FUN, visit_in=-5, status=TicketStatus.USED)

    verdict = world.container.check_eligibility()(ana, used_and_past.number.value)

    assert verdict.code is EligibilityCode.TICKET_NOT_ACTIVE


def test_checking_someone_elses_ticket_raises_ticket_not_found(world: World) -> None:
    ana, ben = world.customer(), world.customer()
    bens = world.ticket(ben)

    with pytest.raises(NotFoundError) as raised:
        world.container.check_eligibility()(ana, bens.number.value)

    assert raised.value.code == EligibilityCode.TICKET_NOT_FOUND.value


def test_checking_a_malformed_reference_is_invalid_input(world: World) -> None:
    ana = world.customer()

    with pytest.raises(InvalidInputError):
        world.container.check_eligibility()(ana, "TKT-12")


def test_the_visit_date_passes_at_midnight_in_the_park_not_in_utc(world: World) -> None:
    ana = world.customer()
    ticket = world.ticket(ana, visit_in=0)  # Tuesday 10 March at the park
    check = world.container.check_eligibility()

    world.clock.set(datetime(2026, 3, 11, 6, 59, tzinfo=UTC))  # 23:59 on the 10th in LA
    still_today = check(ana, ticket.number.value)
    world.clock.set(datetime(2026, 3, 11, 7, 0, tzinfo=UTC))  # midnight in LA
    passed = check(ana, ticket.number.value)

    assert still_today.eligible
    assert passed.code is EligibilityCode.VISIT_DATE_PASSED
