"""Confirmation codes: 8 Crockford base32 characters, unique (DOMAIN.md, "Upgrade order")."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from adapters.ids import RandomIdGenerator, SequentialIdGenerator
from domain.confirmation import ConfirmationCode
from domain.tiers import Tier
from tests.property.support import fresh_world

# Crockford's base32 alphabet: digits and upper-case letters without I, L, O and U.
CODE = re.compile(r"[0-9A-HJKMNP-TV-Z]{8}")
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
SPACE = 32**8


def decode(code: str) -> int:
    value = 0
    for char in code:
        value = value * 32 + CROCKFORD.index(char)
    return value


@given(count=st.integers(min_value=1, max_value=3000))
def test_random_confirmation_codes_are_well_formed_and_unique(count: int) -> None:
    """Confirmation codes (DOMAIN.md, "Upgrade order lifecycle"; no numbered property):
    every code the random generator draws is 8 Crockford base32 characters, and no two of a
    run are equal."""
    generator = RandomIdGenerator()
    codes = [generator.new_confirmation_code().value for _ in range(count)]
    assert all(CODE.fullmatch(code) for code in codes)
    assert len(set(codes)) == count


@given(start=st.integers(min_value=1, max_value=10**9), count=st.integers(1, 500))
def test_sequential_confirmation_codes_never_repeat(start: int, count: int) -> None:
    """Confirmation codes (no numbered property): the predictable generator used by tests and
    demos also gives well-formed, distinct codes."""
    generator = SequentialIdGenerator(start)
    codes = [generator.new_confirmation_code().value for _ in range(count)]
    assert all(CODE.fullmatch(code) for code in codes)
    assert len(set(codes)) == count


@given(number=st.integers(min_value=0, max_value=SPACE - 1))
def test_a_code_encodes_its_number_in_crockford_base32(number: int) -> None:
    """Confirmation codes (no numbered property): from_int writes the number in base 32 with
    Crockford's digits (so distinct numbers give distinct codes), and a code typed back in
    lower case, with dashes or spaces, or with I/L for 1 and O for 0, reads as the same code."""
    code = ConfirmationCode.from_int(number).value
    assert CODE.fullmatch(code)
    assert decode(code) == number
    typed = f"{code[:4].lower()}-{code[4:]} ".replace("1", "l").replace("0", "o")
    assert ConfirmationCode.parse(typed).value == code


@given(count=st.integers(min_value=1, max_value=12), target=st.sampled_from(list(Tier)[1:]))
def test_confirmed_orders_carry_distinct_well_formed_codes(count: int, target: Tier) -> None:
    """Feature: ticket-auto-process, Property 14: For any completed payment, the Data Agent should update customer and order records in the Aurora Database with accurate information

    Every order confirmed through the application gets a well-formed code no other order has,
    and the code finds its way into the stored order."""  # noqa: E501
    world = fresh_world()
    ana = world.customer()
    codes = []
    for _ in range(count):
        ticket = world.ticket(ana, Tier.GENERAL, visit_in=10)
        paid = world.pay(ana, world.quote(ana, ticket, target, world.day(12)).id)
        assert paid.order.confirmation_code is not None
        codes.append(paid.order.confirmation_code.value)
    assert all(CODE.fullmatch(code) for code in codes)
    assert len(set(codes)) == count
    store = world.container.memory_store()
    stored = {o.confirmation_code.value for o in store.orders.values() if o.confirmation_code}
    assert stored == set(codes)
