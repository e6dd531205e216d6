"""Payment cards: checked before any charge (Luhn, expiry, CVC, name), never shown in full."""

from datetime import date

import pytest

from domain.cards import CardError, PaymentCard, card_brand, luhn_valid

TODAY = date(2026, 3, 10)
VISA = "4242424242424242"
AMEX = "378282246310005"


def card(
    number: str = VISA, month: int = 12, year: int = 2030, cvc: str = "123", name: str = "Ana Test"
) -> PaymentCard:
    return PaymentCard.parse(number, month, year, cvc, name)


def refusal_code(payment_card: PaymentCard) -> str:
    with pytest.raises(CardError) as caught:
        payment_card.check(TODAY)
    return caught.value.code


@pytest.mark.parametrize("number", [VISA, "4111111111111111", AMEX, "6011111111111117"])
def test_a_number_that_passes_the_luhn_check_is_valid(number: str) -> None:
    assert luhn_valid(number)


@pytest.mark.parametrize("number", ["4242424242424241", "4242424242424243", "378282246310006"])
def test_a_number_with_a_wrong_check_digit_fails_the_luhn_check(number: str) -> None:
    assert not luhn_valid(number)


@pytest.mark.parametrize(
    ("number", "brand"),
    [
        (VISA, "visa"),
        ("4000056655665556", "visa"),
        ("5555555555554444", "mastercard"),
        ("5200828282828210", "mastercard"),
        ("2221000000000009", "mastercard"),  # first of the 2-series
        ("2223003122003222", "mastercard"),
        ("2720990000000007", "mastercard"),  # last of the 2-series
        (AMEX, "amex"),
        ("371449635398431", "amex"),
        ("6011111111111117", "discover"),
        ("6500000000000002", "discover"),
        ("6445644564456445", "discover"),
        ("3566002020360505", "jcb"),
        ("36227206271667", "diners"),
        ("2220000000000000", "unknown"),  # just below the mastercard 2-series
        ("2721000000000000", "unknown"),  # just above it
        ("9999999999999995", "unknown"),
    ],
)
def test_the_brand_is_read_from_the_leading_digits(number: str, brand: str) -> None:
    assert card_brand(number) == brand
    assert card(number).brand == brand


def test_a_card_keeps_only_its_digits_and_shows_its_last_four() -> None:
    typed = card("4242 4242-4242 4242", year=30, cvc=" 123 ", name="  Ana   Test ")
    assert typed.number == VISA
    assert typed.last4 == "4242"
    assert (typed.exp_year, typed.cvc, typed.name) == (2030, "123", "Ana Test")


@pytest.mark.parametrize(
    "number",
    [
        "4000000000000002",
        "4000000000009995",
        "4000000000000069",
        "4000000000000127",
        "4000000000000119",
        VISA,
        "5555555555554444",
    ],
)
def test_every_test_card_passes_the_checks_so_the_gateway_decides(number: str) -> None:
    card(number).check(TODAY)


def test_an_amex_card_with_a_four_digit_cvc_passes() -> None:
    card(AMEX, cvc="1234").check(TODAY)


@pytest.mark.parametrize(
    "number",
    [
        "4242424242424241",  # fails Luhn
        "42424242424",  # 11 digits
        "42424242424242424242",  # 20 digits
        "4242abcd42424242",
        "",
        "4242 4242 4242 424²",  # a digit that is not an ASCII digit
        "４２４２４２４２４２４２４２４２",  # full-width digits
    ],
)
def test_a_bad_number_is_an_incorrect_number(number: str) -> None:
    assert refusal_code(card(number)) == "incorrect_number"


@pytest.mark.parametrize("month", [0, 13, -1])
def test_an_expiry_month_outside_1_to_12_is_invalid(month: int) -> None:
    assert refusal_code(card(month=month)) == "invalid_expiry_month"


@pytest.mark.parametrize(("month", "year"), [(2, 2026), (12, 2025), (3, 25)])
def test_a_card_that_expired_before_this_month_is_an_expired_card(month: int, year: int) -> None:
    assert refusal_code(card(month=month, year=year)) == "expired_card"


def test_a_card_expiring_this_month_is_still_valid() -> None:
    card(month=3, year=2026).check(TODAY)


def test_an_expiry_more_than_20_years_ahead_is_an_invalid_year() -> None:
    card(year=2046).check(TODAY)
    assert refusal_code(card(year=2047)) == "invalid_expiry_year"


@pytest.mark.parametrize(
    ("number", "cvc"),
    [(VISA, "12"), (VISA, "1234"), (VISA, "12a"), (VISA, ""), (AMEX, "123"), (AMEX, "12345")],
)
def test_a_cvc_of_the_wrong_length_for_the_brand_is_invalid(number: str, cvc: str) -> None:
    assert refusal_code(card(number, cvc=cvc)) == "invalid_cvc"


def test_the_amex_cvc_message_asks_for_four_digits() -> None:
    with pytest.raises(CardError) as caught:
        card(AMEX, cvc="123").check(TODAY)
    assert "4 digits" in caught.value.message


@pytest.mark.parametrize("name", ["", "   "])
def test_a_card_without_a_name_is_refused(name: str) -> None:
    assert refusal_code(card(name=name)) == "invalid_name"


def test_the_number_is_checked_before_the_expiry() -> None:
    assert refusal_code(card("4242424242424241", month=1, year=2020)) == "incorrect_number"


def test_a_cards_repr_never_shows_its_number_or_cvc() -> None:
    shown = repr(card(cvc="987"))
    assert VISA not in shown
    assert "424242" not in shown
    assert "987" not in shown
    assert str(card(cvc="987")) == shown


def test_a_card_error_is_a_business_rule_error_and_never_quotes_the_number() -> None:
    with pytest.raises(CardError) as caught:
        card("4242424242424241").check(TODAY)
    assert "4242424242424241" not in caught.value.message
    assert "424242" not in repr(caught.value)
