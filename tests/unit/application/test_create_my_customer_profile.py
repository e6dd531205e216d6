"""CreateMyCustomerProfile: a login without a customer record gets one, with the email the
identity provider holds; never a second one, never someone else's email."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from application.ports.identity import IdentityProvider
from application.results import CustomerResult
from application.use_cases.create_my_customer_profile import (
    CreateMyCustomerProfile,
    CreateMyCustomerProfileCommand,
)
from domain.customers import EmailAddress
from domain.errors import BusinessRuleError, ConflictError, InvalidInputError
from tests.builders import PASSWORD, World


class WatchedIdentity:
    """The real local provider, counting `email_of` calls and running `during` inside one (to
    let a twin request get in first)."""

    def __init__(self, inner: IdentityProvider) -> None:
        self.inner = inner
        self.asked = 0
        self.during: Callable[[], object] | None = None

    def email_of(self, subject: str) -> EmailAddress | None:
        self.asked += 1
        if self.during is not None:
            during, self.during = self.during, None
            during()
        return self.inner.email_of(subject)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@pytest.fixture
def identity(world: World) -> WatchedIdentity:
    return WatchedIdentity(world.container.identity())


@pytest.fixture
def create(world: World, identity: WatchedIdentity) -> CreateMyCustomerProfile:
    return CreateMyCustomerProfile(
        world.container.unit_of_work, world.clock, world.container.ids(), identity
    )


def make(
    create: CreateMyCustomerProfile, subject: str, first: str = " Cleo ", last: str = "Gnito"
) -> CustomerResult:
    return create(CreateMyCustomerProfileCommand(subject, first, last))


def test_a_login_without_a_customer_gets_one_with_the_providers_email_and_it_is_audited(
    world: World, create: CreateMyCustomerProfile
) -> None:
    subject = world.container.identity().register(EmailAddress("cleo@example.com"), PASSWORD)

    customer = make(create, subject).customer

    assert customer.email.value == "cleo@example.com"
    assert (customer.first_name, customer.last_name) == ("Cleo", "Gnito")
    assert customer.subject == subject
    assert customer.created_at == world.clock.now()
    with world.container.unit_of_work() as uow:
        assert uow.customers.by_subject(subject) == customer
        [entry] = uow.audit.for_entity("customer", str(customer.id))
    assert (entry.action, entry.before) == ("customer.registered", None)


def test_a_login_that_has_a_customer_gets_no_second_one(
    world: World, create: CreateMyCustomerProfile, identity: WatchedIdentity
) -> None:
    first = world.customer("ana@example.com")
    subject = world.container.get_customer()(first).customer.subject

    with pytest.raises(ConflictError) as refused:
        make(create, subject, "Other", "Name")

    assert refused.value.code == "customer_exists"
    assert identity.asked == 0  # settled before asking the provider
    assert world.container.get_customer()(first).customer.first_name == "Ana"


def test_bad_names_are_refused_before_the_provider_is_asked(
    world: World, create: CreateMyCustomerProfile, identity: WatchedIdentity
) -> None:
    subject = world.container.identity().register(EmailAddress("cleo@example.com"), PASSWORD)

    with pytest.raises(InvalidInputError) as refused:
        make(create, subject, first="Cleo", last="\x07")

    assert refused.value.code == "invalid_last_name"
    assert identity.asked == 0
    with world.container.unit_of_work() as uow:
        assert uow.customers.by_subject(subject) is None


def test_a_login_the_provider_has_no_email_for_gets_nothing(
    world: World, create: CreateMyCustomerProfile
) -> None:
    with pytest.raises(BusinessRuleError) as refused:
        make(create, "00000000-0000-4000-8000-00000000abcd")

    assert refused.value.code == "email_not_verified"
    with world.container.unit_of_work() as uow:
        assert uow.customers.by_subject("00000000-0000-4000-8000-00000000abcd") is None


def test_an_email_another_customer_has_is_a_conflict(
    world: World, create: CreateMyCustomerProfile
) -> None:
    ana = world.customer("ana@example.com")
    # Ana's login moves to another address; her customer record still has the old one, and a
    # new login takes the old address.
    identity = world.container.identity()
    identity.change_email(
        world.container.get_customer()(ana).customer.subject, EmailAddress("ana2@example.com")
    )
    newcomer = identity.register(EmailAddress("ana@example.com"), PASSWORD)

    with pytest.raises(ConflictError) as refused:
        make(create, newcomer)

    assert refused.value.code == "email_taken"
    with world.container.unit_of_work() as uow:
        assert uow.customers.by_subject(newcomer) is None


def test_a_twin_request_that_gets_in_first_leaves_one_record_and_the_second_told_it_exists(
    world: World, create: CreateMyCustomerProfile, identity: WatchedIdentity
) -> None:
    subject = world.container.identity().register(EmailAddress("cleo@example.com"), PASSWORD)
    twin: list[CustomerResult] = []
    identity.during = lambda: twin.append(make(create, subject, "Twin", "First"))

    with pytest.raises(ConflictError) as refused:
        make(create, subject)

    assert refused.value.code == "customer_exists"
    with world.container.unit_of_work() as uow:
        kept = uow.customers.by_subject(subject)
    assert kept == twin[0].customer
    assert kept is not None
    assert kept.first_name == "Twin"
