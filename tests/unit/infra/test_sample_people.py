"""Generated people: names from many places, every one a valid customer, emails unique."""

from __future__ import annotations

import random

import pytest

from domain.customers import CustomerDetails
from infra.sample_people import CULTURES, Culture, name_of, person, slug_of


@pytest.mark.parametrize("culture", CULTURES, ids=lambda culture: culture.key)
def test_every_name_in_the_pools_makes_a_valid_customer_and_email(culture: Culture) -> None:
    for first in culture.first_names:
        for last in culture.last_names:
            email = f"{slug_of(first)}.{slug_of(last)}.123456.99999@example.com"
            details = CustomerDetails.parse(email, name_of(first), name_of(last))

            assert details.first_name == name_of(first)
            assert details.last_name == name_of(last)
            assert slug_of(first)
            assert slug_of(last)


@pytest.mark.parametrize(
    ("entry", "slug"),
    [
        ("Łuczak", "luczak"),
        ("O'Brien", "obrien"),
        ("Þórunn", "thorunn"),
        ("de la Cruz", "delacruz"),
        ("Nguyễn", "nguyen"),
        ("Groß", "gross"),
        ("佐藤|sato", "sato"),
        ("مهر\u200cنوش|mehrnoush", "mehrnoush"),
    ],
)
def test_an_email_spells_a_name_in_plain_ascii(entry: str, slug: str) -> None:
    assert slug_of(entry) == slug


def test_people_are_varied_and_their_emails_unique_across_positions_and_seeds() -> None:
    people = [
        person(random.Random(f"{seed}:{index}"), seed, index)
        for seed in (1, 11)
        for index in range(300)
    ]

    assert len({p.email for p in people}) == len(people)
    assert sum(not p.display_name.isascii() for p in people) > 100
    assert {p.email.rpartition("@")[2] for p in people} <= {
        "example.com",
        "example.org",
        "example.net",
    }
    assert len({p.last_name for p in people}) > 50
