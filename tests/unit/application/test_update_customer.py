"""UpdateCustomer: all or nothing. A bad field changes no field and writes no audit entry; an
email change moves the login with it."""

import uuid
from datetime import timedelta

import pytest

from application.errors import AuthenticationError
from application.use_cases.customers import UpdateCustomerCommand
from domain.customers import Customer
from domain.errors import ConflictError, InvalidInputError, NotFoundError
from domain.ids import CustomerId
from tests.builders import PASSWORD, World


def update(world: World, customer: CustomerId, **fields: str) -> Customer:
    command = UpdateCustomerCommand(customer, **fields)
    return world.container.update_customer()(command).customer


def stored(world: World, customer: CustomerId) -> Customer:
    return world.container.get_customer()(customer).customer


def audit_actions(world: World, customer: CustomerId) -> list[str]:
    with world.container.unit_of_work() as uow:
        return [e.action for e in uow.audit.for_entity("customer", str(customer))]


def can_sign_in(world: World, email: str) -> bool:
    try:
        world.container.sign_in()(email, PASSWORD)
    except AuthenticationError:
        return False
    return True


def test_names_are_changed_trimmed_and_audited(world: World) -> None:
    ana = world.customer("ana@example.com", "Ana", "Lima")
    world.clock.advance(timedelta(minutes=5))

    update(world, ana, first_name="  Ana   Maria ", last_name=" Souza")

    customer = stored(world, ana)
    assert (customer.first_name, customer.last_name) == ("Ana Maria", "Souza")
    assert customer.email.value == "ana@example.com"
    assert customer.updated_at == world.clock.now()
    with world.container.unit_of_work() as uow:
        entry = uow.audit.for_entity("customer", str(ana))[-1]
    assert entry.action == "customer.updated"
    assert entry.before == {"email": "ana@example.com", "first_name": "Ana", "last_name": "Lima"}
    assert entry.after == {
        "email": "ana@example.com",
        "first_name": "Ana Maria",
        "last_name": "Souza",
    }


@pytest.mark.parametrize(
    "fields",
    [
        {"email": "new@example.com", "first_name": "   "},
        {"email": "not an email", "first_name": "Bea", "last_name": "Costa"},
        {"first_name": "Bea", "last_name": "x" * 101},
        {"email": "new@example.com", "last_name": "Co\x07sta"},
        {"email": ""},
    ],
)
def test_an_invalid_field_leaves_every_field_unchanged_and_writes_no_audit_entry(
    world: World, fields: dict[str, str]
) -> None:
    ana = world.customer("ana@example.com", "Ana", "Lima")
    before = stored(world, ana)

    with pytest.raises(InvalidInputError):
        update(world, ana, **fields)

    after = stored(world, ana)
    assert (after.email, after.first_name, after.last_name, after.updated_at) == (
        before.email,
        before.first_name,
        before.last_name,
        before.updated_at,
    )
    assert audit_actions(world, ana) == ["customer.registered"]
    assert can_sign_in(world, "ana@example.com")
    assert not can_sign_in(world, "new@example.com")


def test_an_update_that_changes_nothing_writes_nothing(world: World) -> None:
    ana = world.customer("ana@example.com", "Ana", "Lima")

    update(world, ana)
    update(world, ana, email="ANA@example.com", first_name=" Ana ", last_name="Lima")

    assert audit_actions(world, ana) == ["customer.registered"]


def test_an_email_change_moves_the_login_to_the_new_address(world: World) -> None:
    ana = world.customer("ana@example.com")
    subject = stored(world, ana).subject

    update(world, ana, email=" Ana.New@Example.com")

    assert stored(world, ana).email.value == "ana.new@example.com"
    assert not can_sign_in(world, "ana@example.com")
    token = world.container.sign_in()("ana.new@example.com", PASSWORD)
    principal = world.container.token_verifier().verify(token.token)
    assert principal.subject == subject
    assert world.container.identify_customer()(principal) == ana
    assert audit_actions(world, ana) == ["customer.registered", "customer.updated"]


def test_the_old_address_is_free_again_after_an_email_change(world: World) -> None:
    ana = world.customer("ana@example.com")
    update(world, ana, email="ana.new@example.com")

    ben = world.customer("ana@example.com", "Ben")

    assert stored(world, ben).email.value == "ana@example.com"
    assert stored(world, ana).email.value == "ana.new@example.com"


def test_an_email_taken_by_someone_else_is_refused_and_nothing_changes(world: World) -> None:
    ana = world.customer("ana@example.com", "Ana", "Lima")
    ben = world.customer("ben@example.com", "Ben", "Reis")

    with pytest.raises(ConflictError) as raised:
        update(world, ana, email="BEN@example.com", first_name="Anabel")

    assert raised.value.code == "email_taken"
    customer = stored(world, ana)
    assert (customer.email.value, customer.first_name) == ("ana@example.com", "Ana")
    assert stored(world, ben).email.value == "ben@example.com"
    assert can_sign_in(world, "ana@example.com")
    assert can_sign_in(world, "ben@example.com")
    assert audit_actions(world, ana) == ["customer.registered"]


def test_updating_a_customer_that_does_not_exist_is_not_found(world: World) -> None:
    with pytest.raises(NotFoundError) as raised:
        update(world, CustomerId(uuid.uuid4()), first_name="Ghost")

    assert raised.value.code == "customer_not_found"
