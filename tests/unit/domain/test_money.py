"""Money: exact Decimal amounts, one rounding rule, one currency at a time, never a float."""

from decimal import Decimal

import pytest

from domain.errors import CurrencyMismatchError, InvalidInputError
from domain.money import Money, minor_units, round_to_minor_unit


def test_money_is_never_built_from_a_float() -> None:
    with pytest.raises(TypeError):
        Money.of(31.25, "USD")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Money(31.25, "USD")  # type: ignore[arg-type]


def test_money_needs_a_decimal_amount_when_built_directly() -> None:
    with pytest.raises(TypeError):
        Money(31, "USD")  # type: ignore[arg-type]


def test_money_is_read_from_a_string_or_an_int_as_on_the_wire() -> None:
    assert Money.of("31.25", "USD").amount == Decimal("31.25")
    assert Money.of(31, "USD").amount == Decimal("31.00")
    assert Money.of(Decimal("31.25"), "USD") == Money(Decimal("31.25"), "USD")


@pytest.mark.parametrize("text", ["abc", "", "12,50", "1.2.3"])
def test_text_that_is_not_an_amount_is_refused_as_invalid_amount(text: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        Money.of(text, "USD")
    assert caught.value.code == "invalid_amount"


@pytest.mark.parametrize("text", ["NaN", "Infinity", "-Infinity"])
def test_an_amount_must_be_finite(text: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        Money.of(text, "USD")
    assert caught.value.code == "invalid_amount"


@pytest.mark.parametrize("currency", ["usd", "US", "USDD", "U5D", ""])
def test_a_currency_must_be_a_three_letter_upper_case_code(currency: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        Money.of("1.00", currency)
    assert caught.value.code == "invalid_currency"


@pytest.mark.parametrize(
    ("amount", "rounded"),
    [
        ("12.625", "12.63"),  # half-even would give 12.62
        ("12.615", "12.62"),
        ("12.6249", "12.62"),
        ("0.005", "0.01"),
        ("-12.625", "-12.63"),  # half-up rounds the half away from zero
        ("31.25", "31.25"),
    ],
)
def test_amounts_are_rounded_half_up_to_the_cent(amount: str, rounded: str) -> None:
    money = Money.of(amount, "USD")
    assert money.amount == Decimal(rounded)
    assert money.amount.as_tuple().exponent == -2


def test_yen_are_rounded_half_up_to_whole_yen() -> None:
    assert minor_units("JPY") == 0
    assert Money.of("100.5", "JPY").amount == Decimal("101")
    assert Money.of("100.49", "JPY").amount == Decimal("100")
    assert str(Money.of("1500", "JPY")) == "1500"


def test_three_decimal_currencies_keep_three_places() -> None:
    assert minor_units("KWD") == 3
    assert Money.of("1.2345", "KWD").amount == Decimal("1.235")


def test_the_rounding_function_is_half_up_for_any_currency() -> None:
    assert round_to_minor_unit(Decimal("2.5"), "JPY") == Decimal("3")
    assert round_to_minor_unit(Decimal("0.125"), "EUR") == Decimal("0.13")


def test_the_wire_form_is_the_amount_alone_with_the_minor_unit_places() -> None:
    assert str(Money.of("31.25", "USD")) == "31.25"
    assert str(Money.of("31.2", "USD")) == "31.20"
    assert str(Money.of(5, "USD")) == "5.00"
    assert str(Money.of("1E+2", "USD")) == "100.00"


def test_minor_units_are_whole_cents_for_the_gateway() -> None:
    assert Money.of("10.00", "USD").to_minor_units() == 1000
    assert Money.of("31.25", "USD").to_minor_units() == 3125
    assert Money.of("1500", "JPY").to_minor_units() == 1500


def test_money_is_rebuilt_exactly_from_minor_units() -> None:
    assert Money.from_minor_units(3125, "USD") == Money.of("31.25", "USD")
    assert Money.from_minor_units(1500, "JPY") == Money.of("1500", "JPY")
    assert Money.from_minor_units(1235, "KWD") == Money.of("1.235", "KWD")


def test_adding_and_subtracting_are_exact() -> None:
    assert Money.of("0.10", "USD") + Money.of("0.20", "USD") == Money.of("0.30", "USD")
    assert Money.of("118.50", "USD") - Money.of("59.00", "USD") == Money.of("59.50", "USD")


def test_multiplying_rounds_half_up_to_the_minor_unit() -> None:
    assert Money.of("10.10", "USD").times(Decimal("1.25")) == Money.of("12.63", "USD")
    assert Money.of("59.00", "USD").times(Decimal("0.85")) == Money.of("50.15", "USD")


def test_combining_two_currencies_raises_currency_mismatch() -> None:
    dollars, euros = Money.of("1.00", "USD"), Money.of("1.00", "EUR")
    for combine in (
        lambda: dollars + euros,
        lambda: dollars - euros,
        lambda: dollars < euros,
        lambda: dollars <= euros,
        lambda: dollars > euros,
        lambda: dollars >= euros,
        lambda: dollars.min(euros),
    ):
        with pytest.raises(CurrencyMismatchError) as caught:
            combine()
        assert caught.value.code == "currency_mismatch"


def test_amounts_of_one_currency_compare_by_value() -> None:
    low, high = Money.of("59.00", "USD"), Money.of("79.00", "USD")
    assert low < high
    assert low <= high
    assert high > low
    assert high >= low
    assert low.min(high) == low
    assert high.min(low) == low


def test_money_of_equal_value_is_equal_whatever_the_written_places() -> None:
    assert Money.of("5", "USD") == Money.of("5.000", "USD")
    assert hash(Money.of("5", "USD")) == hash(Money.of("5.000", "USD"))
    assert Money.of("5", "USD") != Money.of("5", "EUR")


def test_only_an_amount_above_zero_is_positive() -> None:
    assert Money.of("0.01", "USD").is_positive
    assert not Money.zero("USD").is_positive
    assert not Money.of("-0.01", "USD").is_positive
