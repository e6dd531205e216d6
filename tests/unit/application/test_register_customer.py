"""RegisterCustomer: every detail is checked before anything is written, and the new login works."""

import pytest

from application.errors import AuthenticationError
from application.results import CustomerResult
from application.use_cases.customers import RegisterCustomerCommand
from domain.errors import ConflictError, InvalidInputError
from tests.builders import PASSWORD, World


def register(
    world: World, email: str, password: str = PASSWORD, first: str = "Ana", last: str = "Lima"
) -> CustomerResult:
    return world.container.register_customer()(
        RegisterCustomerCommand(email, password, first, last)
    )


def can_sign_in(world: World, email: str, password: str = PASSWORD) -> bool:
    try:
        world.container.sign_in()(email, password)
    except AuthenticationError:
        return False
    return True


def test_a_registered_customer_is_stored_with_clean_details(world: World) -> None:
    result = register(world, "  Ana.Lima@Example.COM ", first="  Ana  Maria ", last=" Lima ")

    customer = world.container.get_customer()(result.customer.id).customer
    assert customer.email.value == "ana.lima@example.com"
    assert (customer.first_name, customer.last_name) == ("Ana Maria", "Lima")
    assert customer.created_at == customer.updated_at == world.clock.now()
    assert customer.subject


def test_registering_is_audited(world: World) -> None:
    customer = register(world, "ana@example.com").customer

    with world.container.unit_of_work() as uow:
        [entry] = uow.audit.for_entity("customer", str(customer.id))

    assert (entry.action, entry.actor, entry.before) == (
        "customer.registered",
        str(customer.id),
        None,
    )
    assert entry.after == {"email": "ana@example.com", "first_name": "Ana", "last_name": "Lima"}


def test_the_new_login_signs_in_and_its_token_identifies_the_customer(world: World) -> None:
    customer = register(world, "ana@example.com").customer

    token = world.container.sign_in()("ANA@example.com", PASSWORD)
    principal = world.container.token_verifier().verify(token.token)

    assert principal.subject == customer.subject
    assert principal.email == "ana@example.com"
    assert world.container.identify_customer()(principal) == customer.id


@pytest.mark.parametrize(
    ("email", "first", "last", "code"),
    [
        ("not-an-email", "Ana", "Lima", "invalid_email"),
        ("ana@example", "Ana", "Lima", "invalid_email"),
        ("ana@example.com", "   ", "Lima", "invalid_first_name"),
        ("ana@example.com", "Ana", "", "invalid_last_name"),
        ("ana@example.com", "Ana", "L" * 101, "invalid_last_name"),
        ("ana@example.com", "An\x00a", "Lima", "invalid_first_name"),
    ],
)
def test_invalid_details_are_refused_and_nothing_is_written(
    world: World, email: str, first: str, last: str, code: str
) -> None:
    with pytest.raises(InvalidInputError) as raised:
        register(world, email, first=first, last=last)

    assert raised.value.code == code
    assert not can_sign_in(world, email)
    with world.container.unit_of_work() as uow:
        assert uow.audit.for_entity("customer", "") == []
    # No login was left behind: the address is still free to register.
    assert register(world, "ana@example.com").customer.email.value == "ana@example.com"


@pytest.mark.parametrize("password", ["short1", "onlyletters", "1234567890", "", "a1" * 200])
def test_a_weak_password_is_refused_and_nothing_is_written(world: World, password: str) -> None:
    with pytest.raises(InvalidInputError) as raised:
        register(world, "ana@example.com", password)

    assert raised.value.code == "weak_password"
    assert not can_sign_in(world, "ana@example.com", password)
    customer = register(world, "ana@example.com").customer
    assert can_sign_in(world, "ana@example.com")
    assert world.container.get_customer()(customer.id).customer.email.value == "ana@example.com"


@pytest.mark.parametrize("again", ["ana@example.com", "ANA@Example.com", " ana@example.com "])
def test_an_email_already_registered_is_taken_whatever_its_case(world: World, again: str) -> None:
    first = register(world, "ana@example.com").customer

    with pytest.raises(ConflictError) as raised:
        register(world, again, "Other-pass-7", first="Eve", last="Impostor")

    assert raised.value.code == "email_taken"
    assert can_sign_in(world, "ana@example.com")
    assert not can_sign_in(world, "ana@example.com", "Other-pass-7")
    kept = world.container.get_customer()(first.id).customer
    assert (kept.first_name, kept.last_name) == ("Ana", "Lima")


def test_two_customers_get_two_distinct_logins(world: World) -> None:
    ana = register(world, "ana@example.com").customer
    ben = register(world, "ben@example.com", "Ben-pass-99", first="Ben").customer

    assert ana.id != ben.id
    assert ana.subject != ben.subject
    assert can_sign_in(world, "ben@example.com", "Ben-pass-99")
    assert not can_sign_in(world, "ben@example.com", PASSWORD)
