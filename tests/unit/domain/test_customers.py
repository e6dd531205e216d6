"""Customers: a valid lower-case email, trimmed printable names of at most 100 characters."""

from datetime import timedelta
from uuid import UUID

import pytest

from domain.customers import MAX_NAME_LENGTH, Customer, CustomerDetails, EmailAddress, clean_name
from domain.errors import InvalidInputError
from domain.ids import CustomerId
from tests.unit.domain.builders import CUSTOMER, NOW


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("ana@example.com", "ana@example.com"),
        ("Ana.Test@Example.COM", "ana.test@example.com"),
        ("  ana@example.com \n", "ana@example.com"),
        ("ana+parks@mail.example.co.uk", "ana+parks@mail.example.co.uk"),
        ("o'brien@example.ie", "o'brien@example.ie"),
    ],
)
def test_a_valid_email_is_stored_trimmed_and_lower_case(text: str, stored: str) -> None:
    assert EmailAddress.parse(text).value == stored
    assert str(EmailAddress.parse(text)) == stored


@pytest.mark.parametrize(
    "text",
    [
        "",
        "ana",
        "ana@",
        "@example.com",
        "ana@example",
        "ana@@example.com",
        "ana@exa mple.com",
        "ana example@example.com",
        "ana..test@example.com",
        ".ana@example.com",
        "ana.@example.com",
        "ana@-example.com",
        "ana@example.c0m",
        "ana@example.com\x00",
        "ana@exämple.com",
        "a" * 65 + "@example.com",
        "ana@" + "a" * 250 + ".com",
    ],
)
def test_an_invalid_email_is_refused(text: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        EmailAddress.parse(text)
    assert caught.value.code == "invalid_email"


def test_a_name_is_trimmed_and_its_inner_spaces_collapsed() -> None:
    assert clean_name("  Ana   María ", "first_name") == "Ana María"


def test_a_name_may_contain_markup_characters_as_plain_text() -> None:
    assert clean_name("<script>alert(1)</script>", "last_name") == "<script>alert(1)</script>"


@pytest.mark.parametrize("text", ["", "   ", "\t\n"])
def test_an_empty_name_is_refused_with_the_field_in_the_code(text: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        clean_name(text, "first_name")
    assert caught.value.code == "invalid_first_name"
    assert "first name" in caught.value.message


def test_a_name_of_100_characters_is_accepted_and_of_101_refused() -> None:
    assert clean_name("a" * MAX_NAME_LENGTH, "last_name") == "a" * 100
    with pytest.raises(InvalidInputError) as caught:
        clean_name("a" * 101, "last_name")
    assert caught.value.code == "invalid_last_name"


@pytest.mark.parametrize("text", ["Ana\x00", "An\x07a", "Ana\x7f", "Ana\u200b", "Ana\u202e"])
def test_a_name_with_control_characters_is_refused(text: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        clean_name(text, "first_name")
    assert caught.value.code == "invalid_first_name"


def test_customer_details_are_parsed_field_by_field() -> None:
    details = CustomerDetails.parse(" Ana@Example.com ", " Ana ", " Test ")
    assert details == CustomerDetails(EmailAddress("ana@example.com"), "Ana", "Test")


@pytest.mark.parametrize(
    ("email", "first", "last", "code"),
    [
        ("not-an-email", "Ana", "Test", "invalid_email"),
        ("ana@example.com", " ", "Test", "invalid_first_name"),
        ("ana@example.com", "Ana", "x" * 101, "invalid_last_name"),
    ],
)
def test_customer_details_with_a_bad_field_are_refused(
    email: str, first: str, last: str, code: str
) -> None:
    with pytest.raises(InvalidInputError) as caught:
        CustomerDetails.parse(email, first, last)
    assert caught.value.code == code


def make_customer() -> Customer:
    return Customer(
        id=CUSTOMER,
        email=EmailAddress("ana@example.com"),
        first_name="Ana",
        last_name="Test",
        subject="cognito-sub-1",
        created_at=NOW,
        updated_at=NOW,
    )


def test_changing_details_updates_them_and_the_update_time() -> None:
    customer = make_customer()
    later = NOW + timedelta(hours=1)
    changed = customer.change_details(
        CustomerDetails.parse("ana.new@example.com", "Ana", "Nova"), later
    )
    assert changed
    assert customer.details == CustomerDetails(EmailAddress("ana.new@example.com"), "Ana", "Nova")
    assert customer.updated_at == later
    assert customer.created_at == NOW


def test_changing_to_the_same_details_changes_nothing() -> None:
    customer = make_customer()
    unchanged = customer.change_details(
        CustomerDetails.parse("ANA@example.com", " Ana", "Test "), NOW + timedelta(hours=1)
    )
    assert not unchanged
    assert customer.updated_at == NOW


def test_a_customer_is_called_by_first_and_last_name() -> None:
    assert make_customer().display_name == "Ana Test"


def test_customers_are_the_same_customer_when_their_ids_match() -> None:
    one, other = make_customer(), make_customer()
    other.first_name = "Someone"
    assert one == other
    assert one != Customer(
        CustomerId(UUID(int=99)),
        one.email,
        "Ana",
        "Test",
        "sub",
        NOW,
        NOW,
    )


def test_a_name_written_with_a_zero_width_non_joiner_is_kept_as_written() -> None:
    persian = "\u0645\u06cc\u200c\u0646\u0627"  # Mina, with the ZWNJ its spelling needs

    assert clean_name(persian, "first_name") == persian


@pytest.mark.parametrize("trick", ["\u202eevil", "Ana\u200b", "\u2066Ana"])
def test_a_name_with_a_direction_override_or_an_invisible_space_is_refused(trick: str) -> None:
    with pytest.raises(InvalidInputError):
        clean_name(trick, "first_name")
