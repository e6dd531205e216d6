"""Conversation rules: session ids, card numbers typed in chat, escalation."""

from __future__ import annotations

import pytest

from domain.conversations import REDACTED_CARD, SessionId, escalation_reason, redact_card_numbers
from domain.errors import InvalidInputError


def test_a_session_id_is_sess_and_32_hex_digits_read_in_any_case() -> None:
    assert SessionId.parse(" SESS-" + "AB" * 16 + " ").value == "sess-" + "ab" * 16
    assert str(SessionId.from_hex("0" * 32)) == "sess-" + "0" * 32


@pytest.mark.parametrize(
    "text", ["", "sess-", "sess-" + "a" * 31, "sess-" + "g" * 32, "session-" + "a" * 32]
)
def test_anything_else_is_not_a_session_id(text: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        SessionId.parse(text)
    assert caught.value.code == "invalid_session_id"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my card is 4242424242424242 thanks", f"my card is {REDACTED_CARD} thanks"),
        ("4242 4242 4242 4242, exp 12/30", f"{REDACTED_CARD}, exp 12/30"),
        ("use 5555-5555-5555-4444 please", f"use {REDACTED_CARD} please"),
        ("amex 378282246310005", f"amex {REDACTED_CARD}"),
        ("two: 4242424242424242 and 4000000000000002", f"two: {REDACTED_CARD} and {REDACTED_CARD}"),
    ],
)
def test_card_numbers_typed_in_chat_are_removed(text: str, expected: str) -> None:
    redacted, count = redact_card_numbers(text)
    assert redacted == expected
    assert count == expected.count(REDACTED_CARD)


@pytest.mark.parametrize(
    "text",
    [
        "ticket TKT-00012345 on 2026-12-05",
        "order 4242424242424241",  # fails the Luhn check: not a card
        "call me on 0044 20 7946 0958",  # 14 digits, not Luhn-valid
        "a UUID 3f2c8e1a-9b7d-4c1e-8f2a-6d5e4c3b2a19",
        "order 00000000-0000-0000-0000-000000000005",  # all digits, still an id
        "order 42424242-4242-4242-4242-424242424242 please",
        "123456789012",  # too short for a card
    ],
)
def test_other_numbers_are_left_alone(text: str) -> None:
    assert redact_card_numbers(text) == (text, 0)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("I want a refund for my upgrade", "refund"),
        ("can I get my money back?", "refund"),
        ("This is unacceptable, I want to complain", "complaint"),
        ("my lawyer will hear about this", "legal"),
        ("let me speak to a person please", "human"),
        ("Can I talk to someone real", "human"),
        ("I need a human", "human"),
    ],
)
def test_refunds_complaints_legal_matters_and_people_are_escalated(text: str, reason: str) -> None:
    assert escalation_reason(text) == reason


@pytest.mark.parametrize(
    "text", ["upgrade TKT-00012345 to Double Fun", "what's the cheapest day?", "hello", "yes"]
)
def test_ordinary_requests_are_not_escalated(text: str) -> None:
    assert escalation_reason(text) is None
