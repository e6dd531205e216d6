"""Eligibility: active, not past, not top tier, no upgrade underway; in that order."""

from datetime import timedelta

import pytest

from domain.eligibility import TICKET_NOT_FOUND, EligibilityCode, check_eligibility
from domain.errors import BusinessRuleError, NotFoundError
from domain.tickets import TicketStatus
from domain.tiers import Tier
from tests.unit.domain.builders import TODAY, ticket

NOT_ACTIVE = [
    TicketStatus.USED,
    TicketStatus.CANCELLED,
    TicketStatus.EXPIRED,
    TicketStatus.REFUNDED,
]
YESTERDAY = TODAY - timedelta(days=1)


def test_an_active_future_ticket_below_the_top_tier_is_eligible() -> None:
    verdict = check_eligibility(ticket(Tier.GENERAL), TODAY, upgrade_in_progress=False)
    assert verdict.eligible
    assert verdict.code is None
    verdict.raise_if_ineligible()  # raises nothing


def test_a_ticket_for_today_is_still_eligible() -> None:
    verdict = check_eligibility(ticket(visit_date=TODAY), TODAY, upgrade_in_progress=False)
    assert verdict.eligible


@pytest.mark.parametrize("status", NOT_ACTIVE)
def test_a_ticket_that_is_not_active_is_refused_naming_its_status(status: TicketStatus) -> None:
    verdict = check_eligibility(ticket(status=status), TODAY, upgrade_in_progress=False)
    assert not verdict.eligible
    assert verdict.code is EligibilityCode.TICKET_NOT_ACTIVE
    assert status.value in verdict.message
    assert "TKT-00012345" in verdict.message
    assert verdict.guidance


def test_a_ticket_whose_visit_date_has_passed_is_refused() -> None:
    verdict = check_eligibility(ticket(visit_date=YESTERDAY), TODAY, upgrade_in_progress=False)
    assert verdict.code is EligibilityCode.VISIT_DATE_PASSED
    assert YESTERDAY.isoformat() in verdict.message


def test_a_double_fun_ticket_is_already_top_tier() -> None:
    verdict = check_eligibility(ticket(Tier.DOUBLE_FUN), TODAY, upgrade_in_progress=False)
    assert verdict.code is EligibilityCode.ALREADY_TOP_TIER


@pytest.mark.parametrize("tier", [Tier.GENERAL, Tier.STANDARD, Tier.NON_STOP])
def test_tickets_below_the_top_tier_are_not_already_top_tier(tier: Tier) -> None:
    assert check_eligibility(ticket(tier), TODAY, upgrade_in_progress=False).eligible


def test_a_ticket_with_an_upgrade_holding_capacity_is_refused_as_in_progress() -> None:
    verdict = check_eligibility(ticket(), TODAY, upgrade_in_progress=True)
    assert verdict.code is EligibilityCode.UPGRADE_IN_PROGRESS
    assert "cancel" in verdict.guidance


def test_not_active_is_reported_before_a_passed_date() -> None:
    used_yesterday = ticket(Tier.DOUBLE_FUN, visit_date=YESTERDAY, status=TicketStatus.USED)
    verdict = check_eligibility(used_yesterday, TODAY, upgrade_in_progress=True)
    assert verdict.code is EligibilityCode.TICKET_NOT_ACTIVE


def test_a_passed_date_is_reported_before_the_top_tier() -> None:
    verdict = check_eligibility(
        ticket(Tier.DOUBLE_FUN, visit_date=YESTERDAY), TODAY, upgrade_in_progress=True
    )
    assert verdict.code is EligibilityCode.VISIT_DATE_PASSED


def test_the_top_tier_is_reported_before_an_upgrade_in_progress() -> None:
    verdict = check_eligibility(ticket(Tier.DOUBLE_FUN), TODAY, upgrade_in_progress=True)
    assert verdict.code is EligibilityCode.ALREADY_TOP_TIER


def test_an_ineligible_verdict_raises_a_business_rule_error_with_its_code() -> None:
    verdict = check_eligibility(ticket(status=TicketStatus.USED), TODAY, upgrade_in_progress=False)
    with pytest.raises(BusinessRuleError) as caught:
        verdict.raise_if_ineligible()
    assert caught.value.code == "ticket_not_active"
    assert caught.value.guidance == verdict.guidance


def test_a_ticket_not_found_raises_not_found_and_never_says_whose_it_is() -> None:
    with pytest.raises(NotFoundError) as caught:
        TICKET_NOT_FOUND.raise_if_ineligible()
    assert caught.value.code == "ticket_not_found"
    assert "TKT-" in caught.value.guidance
    assert "someone else" not in caught.value.message.lower()
