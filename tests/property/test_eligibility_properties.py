"""Properties 5 and 10: the eligibility verdict of any ticket, and errors for invalid tickets."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from application.use_cases.get_upgrade_options import GetUpgradeOptionsCommand
from application.use_cases.quote_upgrade import QuoteUpgradeCommand
from domain.errors import BusinessRuleError, DomainError, InvalidInputError, NotFoundError
from domain.ids import CustomerId
from domain.tickets import Ticket, TicketStatus
from domain.tiers import Tier
from tests.builders import World
from tests.property.support import fresh_world, store_fingerprint

# The documented order of the eligibility rules (DOMAIN.md, "Eligibility of a ticket").
RULE_ORDER = ("ticket_not_active", "visit_date_passed", "already_top_tier", "upgrade_in_progress")
CODE = re.compile(r"[a-z][a-z_]*[a-z]")
HOLD = timedelta(minutes=15)


def rewrite_ticket(
    world: World, ticket: Ticket, tier: Tier, status: TicketStatus, visit_in: int
) -> None:
    """Put a stored ticket into an arbitrary state (as the ticketing system would)."""
    with world.container.unit_of_work() as uow:
        stored = uow.tickets.get_for_update(ticket.id)
        assert stored is not None
        stored.tier, stored.status, stored.visit_date = tier, status, world.day(visit_in)
        uow.tickets.save(stored)
        uow.commit()


def make_ticket_with_history(
    world: World,
    owner: CustomerId,
    tier: Tier,
    status: TicketStatus,
    visit_in: int,
    quote: str,
) -> Ticket:
    """A ticket in the given state, with no quote, or a quote that is live, lapsed or cancelled.

    The quote is taken while the ticket can still be upgraded; the ticket then changes state."""
    if quote == "none":
        return world.ticket(owner, tier, visit_in=visit_in, status=status)
    ticket = world.ticket(owner, Tier.GENERAL, visit_in=10)
    order = world.quote(owner, ticket, Tier.DOUBLE_FUN, world.day(10))
    if quote == "cancelled":
        world.container.cancel_upgrade()(owner, order.order.id)
    rewrite_ticket(world, ticket, tier, status, visit_in)
    if quote == "lapsed":
        world.clock.advance(HOLD + timedelta(minutes=1))
    return ticket


def reference_forms(ticket: Ticket) -> st.SearchStrategy[str]:
    """Every way a customer may name a ticket: its number in any case, or its UUID, padded."""
    number = ticket.number.value
    any_case_number = st.lists(st.booleans(), min_size=len(number), max_size=len(number)).map(
        lambda flags: "".join(c.lower() if f else c for c, f in zip(number, flags, strict=True))
    )
    ids = st.sampled_from([str(ticket.id), str(ticket.id).upper()])
    padding = st.sampled_from(["", " ", "  ", "\t", "\n"])
    return st.tuples(padding, st.one_of(any_case_number, ids), padding).map("".join)


def expected_code(tier: Tier, status: TicketStatus, visit_in: int, live_quote: bool) -> str | None:
    failures = {
        "ticket_not_active": status is not TicketStatus.ACTIVE,
        "visit_date_passed": visit_in < 0,
        "already_top_tier": tier is Tier.DOUBLE_FUN,
        "upgrade_in_progress": live_quote,
    }
    return next((code for code in RULE_ORDER if failures[code]), None)


@given(
    tier=st.sampled_from(list(Tier)),
    status=st.sampled_from(list(TicketStatus)),
    visit_in=st.integers(min_value=-60, max_value=200),
    quote=st.sampled_from(["none", "live", "lapsed", "cancelled"]),
    data=st.data(),
)
def test_the_eligibility_verdict_is_the_first_broken_rule_in_the_documented_order(
    tier: Tier, status: TicketStatus, visit_in: int, quote: str, data: st.DataObject
) -> None:
    """Feature: ticket-auto-process, Property 5: For any upgrade request, the Ticket Agent should validate ticket eligibility and provide appropriate validation results

    Any ticket (tier, status, visit date relative to today, with or without a live quote),
    named in any accepted form: eligible iff active, not in the past, not top tier and with no
    live quote; otherwise the first failing code in the documented order, with a message and
    guidance. Quoting and asking for options agree with the verdict."""  # noqa: E501
    world = fresh_world()
    ana = world.customer()
    ticket = make_ticket_with_history(world, ana, tier, status, visit_in, quote)
    reference = data.draw(reference_forms(ticket), label="reference")

    verdict = world.container.check_eligibility()(ana, reference)

    code = expected_code(tier, status, visit_in, live_quote=quote == "live")
    assert verdict.eligible is (code is None)
    assert (verdict.code.value if verdict.code else None) == code
    assert verdict.message.strip()
    if code is not None:
        assert verdict.guidance.strip()
        if code == "ticket_not_active":
            assert status.value in verdict.message  # says which
        # The use cases that act on a ticket refuse it with the same code.
        with pytest.raises(BusinessRuleError) as refused:
            world.container.get_upgrade_options()(GetUpgradeOptionsCommand(ana, reference))
        assert refused.value.code == code
        assert refused.value.message.strip()
        assert refused.value.guidance.strip()
        before = store_fingerprint(world)
        with pytest.raises(BusinessRuleError) as refused:
            world.container.quote_upgrade()(
                QuoteUpgradeCommand(ana, reference, "double-fun", world.day(5))
            )
        assert refused.value.code == code
        assert store_fingerprint(world) == before
    else:
        options = world.container.get_upgrade_options()(GetUpgradeOptionsCommand(ana, reference))
        assert options.eligibility.eligible
        listed = {r.ticket.id: r.eligibility for r in world.container.list_my_tickets()(ana)}
        assert listed[ticket.id].eligible


# -- Property 10 -----------------------------------------------------------------------------

NOT_ACTIVE = [status for status in TicketStatus if status is not TicketStatus.ACTIVE]


def ineligible_ticket(world: World, owner: CustomerId, kind: str, status: TicketStatus) -> Ticket:
    if kind == "ticket_not_active":
        return world.ticket(owner, status=status, visit_in=10)
    if kind == "visit_date_passed":
        return world.ticket(owner, visit_in=-3)
    if kind == "already_top_tier":
        return world.ticket(owner, Tier.DOUBLE_FUN, visit_in=10)
    ticket = world.ticket(owner, Tier.GENERAL, visit_in=10)
    world.quote(owner, ticket, Tier.STANDARD, world.day(10))  # upgrade_in_progress
    return ticket


ref_kinds = st.sampled_from(
    [
        "random_text",
        "unknown_number",
        "unknown_uuid",
        "foreign_number",
        "foreign_uuid",
        "ineligible",
    ]
)
ineligible_kinds = st.sampled_from(RULE_ORDER)
use_cases = st.sampled_from(["quote", "options", "get_ticket", "check_eligibility"])


@given(
    kind=ref_kinds,
    ineligible=ineligible_kinds,
    status=st.sampled_from(NOT_ACTIVE),
    use_case=use_cases,
    data=st.data(),
)
def test_an_invalid_ticket_is_refused_with_a_stable_code_and_guidance_and_changes_nothing(
    kind: str, ineligible: str, status: TicketStatus, use_case: str, data: st.DataObject
) -> None:
    """Feature: ticket-auto-process, Property 10: For any invalid ticket, the Ticket Agent should provide clear error messages with appropriate guidance for resolution

    Random strings, unknown numbers or ids, other customers' tickets and ineligible tickets:
    the use case raises an error with a stable code, a message and guidance, someone else's
    ticket is indistinguishable from a missing one, and the store does not change."""  # noqa: E501
    world = fresh_world()
    ana, bob = world.customer(), world.customer()
    own = ineligible_ticket(world, ana, ineligible, status)
    foreign = world.ticket(bob, Tier.GENERAL, visit_in=10)
    known_numbers = {own.number.value, foreign.number.value}

    if kind == "random_text":
        reference = data.draw(st.text(max_size=40), label="reference")
    elif kind == "unknown_number":
        reference = data.draw(
            st.from_regex(r"TKT-[0-9]{8}", fullmatch=True).filter(lambda n: n not in known_numbers),
            label="reference",
        )
    elif kind == "unknown_uuid":
        reference = str(uuid.UUID(int=data.draw(st.integers(0, 2**128 - 1)), version=4))
    elif kind == "foreign_number":
        reference = foreign.number.value.lower()
    elif kind == "foreign_uuid":
        reference = str(foreign.id)
    else:
        reference = data.draw(st.sampled_from([own.number.value, str(own.id)]))
    if kind == "ineligible" and use_case in ("get_ticket", "check_eligibility"):
        use_case = "quote"  # these report an ineligible ticket's verdict (Property 5)

    def call() -> object:
        if use_case == "quote":
            return world.container.quote_upgrade()(
                QuoteUpgradeCommand(ana, reference, "double-fun", world.day(5))
            )
        if use_case == "options":
            return world.container.get_upgrade_options()(GetUpgradeOptionsCommand(ana, reference))
        if use_case == "get_ticket":
            return world.container.get_ticket()(ana, reference)
        return world.container.check_eligibility()(ana, reference)

    before = store_fingerprint(world)
    with pytest.raises(DomainError) as first:
        call()
    with pytest.raises(DomainError) as second:
        call()
    error = first.value

    assert CODE.fullmatch(error.code)
    assert error.message.strip()
    assert error.guidance.strip()
    assert (type(second.value), second.value.code) == (type(error), error.code)  # stable
    assert store_fingerprint(world) == before  # no order, no hold, no audit entry

    if kind == "random_text":
        assert (type(error), error.code) in {
            (InvalidInputError, "invalid_ticket_reference"),
            (NotFoundError, "ticket_not_found"),
        }
    elif kind == "ineligible":
        assert isinstance(error, BusinessRuleError)
        assert error.code == ineligible
    else:
        assert isinstance(error, NotFoundError)
        assert error.code == "ticket_not_found"
        # Never reveal whether the ticket exists: a missing one reads exactly the same.
        with pytest.raises(NotFoundError) as missing:
            world.container.get_ticket()(ana, "TKT-99999999")
        assert (error.message, error.guidance) == (missing.value.message, missing.value.guidance)
