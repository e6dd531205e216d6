"""IdentifyCustomer and GetCustomer: who a verified token speaks for, and their details."""

import uuid

import pytest

from application.errors import CustomerNotRegisteredError
from application.ports.identity import Principal
from domain.errors import NotFoundError
from domain.ids import CustomerId
from tests.builders import World


def test_a_registered_subject_is_identified_as_its_customer(world: World) -> None:
    ana = world.customer("ana@example.com")
    ben = world.customer("ben@example.com")
    subject = world.container.get_customer()(ben).customer.subject

    identified = world.container.identify_customer()(
        Principal(subject, "ben@example.com", "access", "tap-web")
    )

    assert identified == ben
    assert identified != ana


def test_the_subject_decides_not_the_email_claim(world: World) -> None:
    ana = world.customer("ana@example.com")
    subject = world.container.get_customer()(ana).customer.subject

    identified = world.container.identify_customer()(
        Principal(subject, "someone.else@example.com", "access", None)
    )

    assert identified == ana


def test_a_subject_without_a_customer_record_is_not_registered(world: World) -> None:
    world.customer("ana@example.com")

    with pytest.raises(CustomerNotRegisteredError) as raised:
        world.container.identify_customer()(
            Principal(str(uuid.uuid4()), "ana@example.com", "access", "tap-web")
        )

    assert raised.value.code == "customer_not_registered"


def test_my_details_are_returned_and_a_missing_customer_is_not_found(world: World) -> None:
    ana = world.customer("ana@example.com", "Ana", "Lima")

    customer = world.container.get_customer()(ana).customer
    with pytest.raises(NotFoundError) as raised:
        world.container.get_customer()(CustomerId(uuid.uuid4()))

    assert (customer.email.value, customer.display_name) == ("ana@example.com", "Ana Lima")
    assert raised.value.code == "customer_not_found"
