"""GetTicket: one of my tickets, by its UUID or its number, never someone else's."""

import uuid

import pytest

from domain.errors import InvalidInputError, NotFoundError
from domain.tiers import Tier
from tests.builders import World


def test_a_ticket_is_found_by_its_uuid(world: World) -> None:
    ana = world.customer()
    ticket = world.ticket(ana, Tier.STANDARD, visit_in=14)

    found = world.container.get_ticket()(ana, str(ticket.id))

    assert found.ticket.id == ticket.id
    assert (found.ticket.number, found.ticket.tier) == (ticket.number, Tier.STANDARD)
    assert found.ticket.visit_date == world.day(14)
    assert found.eligibility.eligible


@pytest.mark.parametrize("spelling", ["{}", "{lower}", "  {}  ", "Tkt-{digits}"])
def test_a_ticket_is_found_by_its_number_in_any_case(world: World, spelling: str) -> None:
    ana = world.customer()
    world.ticket(ana)
    ticket = world.ticket(ana)
    number = ticket.number.value
    reference = spelling.format(number, lower=number.lower(), digits=number[4:])

    found = world.container.get_ticket()(ana, reference)

    assert found.ticket.id == ticket.id


def test_someone_elses_ticket_is_not_found_by_number_or_by_id(world: World) -> None:
    ana, ben = world.customer(), world.customer()
    bens = world.ticket(ben)

    for reference in (bens.number.value, str(bens.id)):
        with pytest.raises(NotFoundError) as raised:
            world.container.get_ticket()(ana, reference)
        assert raised.value.code == "ticket_not_found"


def test_someone_elses_ticket_and_a_missing_one_look_the_same(world: World) -> None:
    ana, ben = world.customer(), world.customer()
    bens = world.ticket(ben)

    with pytest.raises(NotFoundError) as foreign:
        world.container.get_ticket()(ana, bens.number.value)
    with pytest.raises(NotFoundError) as missing:
        world.container.get_ticket()(ana, "TKT-99999999")
    with pytest.raises(NotFoundError) as missing_id:
        world.container.get_ticket()(ana, str(uuid.uuid4()))

    assert {e.value.code for e in (foreign, missing, missing_id)} == {"ticket_not_found"}
    assert foreign.value.message == missing.value.message == missing_id.value.message
    assert foreign.value.guidance == missing.value.guidance


@pytest.mark.parametrize(
    "reference", ["", "TKT-123", "TKT-123456789", "ticket 12345678", "12345678", "not-a-uuid"]
)
def test_a_malformed_reference_is_invalid_input(world: World, reference: str) -> None:
    ana = world.customer()

    with pytest.raises(InvalidInputError) as raised:
        world.container.get_ticket()(ana, reference)

    assert raised.value.code == "invalid_ticket_reference"
