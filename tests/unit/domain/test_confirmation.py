"""Confirmation codes: 8 characters of Crockford base32, read back the way people type them."""

import pytest

from domain.confirmation import ALPHABET, LENGTH, SPACE, ConfirmationCode
from domain.errors import InvalidInputError


def test_the_alphabet_is_crockford_base32_without_i_l_o_u() -> None:
    assert ALPHABET == "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    assert len(set(ALPHABET)) == 32
    assert not set("ILOU") & set(ALPHABET)
    assert LENGTH == 8
    assert SPACE == 2**40


@pytest.mark.parametrize(
    ("number", "code"),
    [
        (0, "00000000"),
        (31, "0000000Z"),
        (32, "00000010"),
        (2**40 - 1, "ZZZZZZZZ"),
    ],
)
def test_a_number_is_encoded_as_eight_base32_characters(number: int, code: str) -> None:
    assert ConfirmationCode.from_int(number).value == code


def test_different_numbers_give_different_codes() -> None:
    numbers = [0, 1, 31, 32, 1023, 1024, 2**20, 2**39, 2**40 - 1]
    codes = {ConfirmationCode.from_int(number).value for number in numbers}
    assert len(codes) == len(numbers)
    assert all(len(code) == 8 and set(code) <= set(ALPHABET) for code in codes)


@pytest.mark.parametrize("number", [-1, 2**40])
def test_only_numbers_of_40_bits_can_be_encoded(number: int) -> None:
    with pytest.raises(ValueError, match="40 bits"):
        ConfirmationCode.from_int(number)


@pytest.mark.parametrize(
    "typed", ["7K3M9XQ2", "7k3m9xq2", "7K3M-9XQ2", " 7k3m 9xq2 ", "7-K-3-M-9-X-Q-2"]
)
def test_a_code_is_read_in_any_case_with_dashes_or_spaces(typed: str) -> None:
    assert ConfirmationCode.parse(typed) == ConfirmationCode("7K3M9XQ2")


@pytest.mark.parametrize(("typed", "code"), [("I1L1O0o0", "11110000"), ("il-o0-AB-CD", "1100ABCD")])
def test_letters_people_confuse_with_digits_are_read_as_those_digits(typed: str, code: str) -> None:
    assert ConfirmationCode.parse(typed).value == code


@pytest.mark.parametrize("typed", ["7K3M9XQ", "7K3M9XQ22", "7K3M9XQU", "7K3M9XQ!", ""])
def test_a_code_that_is_not_eight_crockford_characters_is_refused(typed: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        ConfirmationCode.parse(typed)
    assert caught.value.code == "invalid_confirmation_code"


@pytest.mark.parametrize("value", ["7k3m9xq2", "7K3M9XQI", "7K3M-9XQ"])
def test_a_code_value_must_already_be_canonical(value: str) -> None:
    with pytest.raises(InvalidInputError):
        ConfirmationCode(value)


def test_a_code_prints_as_its_value() -> None:
    assert str(ConfirmationCode("7K3M9XQ2")) == "7K3M9XQ2"
