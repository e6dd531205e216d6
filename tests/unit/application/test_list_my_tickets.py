"""ListMyTickets: my tickets only, soonest visit first, each with its eligibility."""

from domain.eligibility import EligibilityCode
from domain.tickets import TicketStatus
from domain.tiers import Tier
from tests.builders import World


def test_a_customer_without_tickets_gets_an_empty_list(world: World) -> None:
    ana = world.customer()

    assert world.container.list_my_tickets()(ana) == []


def test_tickets_are_listed_soonest_visit_first(world: World) -> None:
    ana = world.customer()
    later = world.ticket(ana, visit_in=30)
    sooner = world.ticket(ana, visit_in=5)
    middle = world.ticket(ana, visit_in=12)

    listed = world.container.list_my_tickets()(ana)

    assert [result.ticket.id for result in listed] == [sooner.id, middle.id, later.id]


def test_tickets_on_the_same_day_are_listed_by_number(world: World) -> None:
    ana = world.customer()
    first = world.ticket(ana, visit_in=7)
    second = world.ticket(ana, visit_in=7)

    listed = world.container.list_my_tickets()(ana)

    assert [r.ticket.number for r in listed] == [first.number, second.number]


def test_only_my_tickets_are_listed(world: World) -> None:
    ana, ben = world.customer(), world.customer()
    mine = world.ticket(ana)
    world.ticket(ben)
    world.ticket(ben, visit_in=3)

    listed = world.container.list_my_tickets()(ana)

    assert [result.ticket.id for result in listed] == [mine.id]


def test_each_ticket_carries_its_own_eligibility(world: World) -> None:
    ana = world.customer()
    eligible = world.ticket(ana, visit_in=20)
    used = world.ticket(ana, visit_in=21, status=TicketStatus.USED)
    past = world.ticket(ana, visit_in=-3)
    top = world.ticket(ana, Tier.DOUBLE_FUN, visit_in=22)
    quoted = world.ticket(ana, visit_in=23)
    world.quote(ana, quoted, Tier.STANDARD, world.day(23))

    verdicts = {r.ticket.id: r.eligibility for r in world.container.list_my_tickets()(ana)}

    assert verdicts[eligible.id].eligible
    assert verdicts[eligible.id].code is None
    assert verdicts[used.id].code is EligibilityCode.TICKET_NOT_ACTIVE
    assert verdicts[past.id].code is EligibilityCode.VISIT_DATE_PASSED
    assert verdicts[top.id].code is EligibilityCode.ALREADY_TOP_TIER
    assert verdicts[quoted.id].code is EligibilityCode.UPGRADE_IN_PROGRESS
    assert not any(v.eligible for k, v in verdicts.items() if k != eligible.id)


def test_a_lapsed_quote_no_longer_blocks_the_ticket(world: World) -> None:
    ana = world.customer()
    ticket = world.ticket(ana)
    world.quote(ana, ticket, Tier.STANDARD, world.day(10))

    world.clock.advance(world.container.policy().hold)
    [listed] = world.container.list_my_tickets()(ana)

    assert listed.eligibility.eligible
