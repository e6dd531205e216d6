"""Tickets: found by number (TKT- and 8 digits, any case) or UUID; tier moves only on upgrade."""

from datetime import date, timedelta
from uuid import UUID

import pytest

from domain.errors import BusinessRuleError, InvalidInputError
from domain.ids import CustomerId
from domain.tickets import TicketNumber, TicketReference
from domain.tiers import Tier
from tests.unit.domain.builders import CUSTOMER, NOW, ticket, usd

TICKET_UUID = "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b"


@pytest.mark.parametrize(
    "text", ["TKT-00012345", "tkt-00012345", "Tkt-00012345", " TKT-00012345\n"]
)
def test_a_ticket_number_is_read_in_any_case_and_stored_upper_case(text: str) -> None:
    assert TicketNumber.parse(text) == TicketNumber("TKT-00012345")
    assert str(TicketNumber.parse(text)) == "TKT-00012345"


@pytest.mark.parametrize(
    "text", ["TKT-1234567", "TKT-123456789", "TKT 00012345", "00012345", "TKT-0001234a", ""]
)
def test_a_ticket_number_that_is_not_tkt_and_eight_digits_is_refused(text: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        TicketNumber.parse(text)
    assert caught.value.code == "invalid_ticket_number"
    assert "TKT-" in caught.value.guidance


def test_a_ticket_number_value_must_be_upper_case() -> None:
    with pytest.raises(InvalidInputError):
        TicketNumber("tkt-00012345")


def test_a_ticket_number_is_made_from_a_serial_with_leading_zeros() -> None:
    assert TicketNumber.from_serial(12345).value == "TKT-00012345"
    with pytest.raises(InvalidInputError):
        TicketNumber.from_serial(100_000_000)  # nine digits


def test_a_reference_written_as_a_number_names_the_ticket_by_number() -> None:
    reference = TicketReference.parse("tkt-00012345")
    assert reference.number == TicketNumber("TKT-00012345")
    assert reference.ticket_id is None


@pytest.mark.parametrize(
    "text", [TICKET_UUID, TICKET_UUID.upper(), f"  {TICKET_UUID} ", TICKET_UUID.replace("-", "")]
)
def test_a_reference_written_as_a_uuid_names_the_ticket_by_id(text: str) -> None:
    reference = TicketReference.parse(text)
    assert reference.ticket_id == UUID(TICKET_UUID)
    assert reference.number is None


@pytest.mark.parametrize(
    "text", ["garbage", "", "TKT-123", "6f1c2a3b-4d5e-4f60-8a7b", "'; DROP TABLE tickets;--"]
)
def test_a_reference_that_is_neither_a_number_nor_a_uuid_is_refused(text: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        TicketReference.parse(text)
    assert caught.value.code == "invalid_ticket_reference"
    assert caught.value.guidance


def test_a_refused_reference_quotes_at_most_60_characters_of_the_input() -> None:
    with pytest.raises(InvalidInputError) as caught:
        TicketReference.parse("x" * 500)
    assert "x" * 61 not in caught.value.message


def test_a_ticket_belongs_to_its_owner_only() -> None:
    held = ticket()
    assert held.belongs_to(CUSTOMER)
    assert not held.belongs_to(CustomerId(UUID(TICKET_UUID)))


def test_an_upgrade_moves_the_ticket_up_and_adds_what_was_paid() -> None:
    held = ticket(Tier.GENERAL, visit_date=date(2026, 3, 20), paid="59.00")
    later = NOW + timedelta(minutes=5)
    held.apply_upgrade(Tier.NON_STOP, date(2026, 3, 21), usd("50.00"), later)
    assert (held.tier, held.visit_date) == (Tier.NON_STOP, date(2026, 3, 21))
    assert held.price_paid == usd("109.00")
    assert held.updated_at == later


@pytest.mark.parametrize("target", [Tier.GENERAL, Tier.STANDARD])
def test_an_upgrade_that_is_not_higher_leaves_the_ticket_unchanged(target: Tier) -> None:
    held = ticket(Tier.STANDARD, paid="79.00")
    with pytest.raises(BusinessRuleError) as caught:
        held.apply_upgrade(target, date(2026, 3, 21), usd("10.00"), NOW)
    assert caught.value.code == "tier_not_higher"
    assert (held.tier, held.visit_date, held.price_paid) == (
        Tier.STANDARD,
        date(2026, 3, 20),
        usd("79.00"),
    )


def test_restoring_puts_the_ticket_back_exactly_as_it_was() -> None:
    held = ticket(Tier.GENERAL, visit_date=date(2026, 3, 20), paid="59.00")
    held.apply_upgrade(Tier.DOUBLE_FUN, date(2026, 7, 15), usd("164.50"), NOW)
    later = NOW + timedelta(days=1)
    held.restore(Tier.GENERAL, date(2026, 3, 20), usd("59.00"), later)
    assert (held.tier, held.visit_date, held.price_paid) == (
        Tier.GENERAL,
        date(2026, 3, 20),
        usd("59.00"),
    )
    assert held.updated_at == later


def test_tickets_are_the_same_ticket_when_their_ids_match() -> None:
    one, other = ticket(Tier.GENERAL), ticket(Tier.STANDARD)
    assert one == other
    assert hash(one) == hash(other)
