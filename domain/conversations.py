"""Conversation rules (DOMAIN.md, "Conversations"): session ids, card numbers typed in chat, and
what must be handed to a person."""

from __future__ import annotations

import re
from dataclasses import dataclass

from domain.cards import luhn_valid
from domain.errors import InvalidInputError

_SESSION_ID = re.compile(r"sess-[0-9a-f]{32}")
# 13 to 19 digits, possibly grouped by spaces or dashes, not part of a longer number.
_CARD_LIKE = re.compile(r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d])")
REDACTED_CARD = "[card number removed]"

# Words that mean the customer wants money back, is unhappy, talks law, or wants a person.
_ESCALATIONS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("refund", re.compile(r"\brefund\w*|\bmoney back\b|\breimburse\w*|\bchargeback\b", re.I)),
    ("complaint", re.compile(r"\bcomplain\w*|\bunacceptable\b|\bterrible\b|\bawful\b", re.I)),
    ("legal", re.compile(r"\blawyer\w*|\blegal\b|\bsue\b|\bcourt\b|\battorney\b", re.I)),
    (
        "human",
        re.compile(
            r"\bhuman\b|\breal person\b|\bsomeone real\b|\bmanager\b|\bsupervisor\b"
            r"|\b(?:speak|talk) (?:to|with) (?:a |an |some)?(?:one|body|person|agent|staff)\b",
            re.I,
        ),
    ),
)


@dataclass(frozen=True, slots=True)
class SessionId:
    """A conversation's id: `sess-` and 32 lower-case hex digits."""

    value: str

    @classmethod
    def parse(cls, text: str) -> SessionId:
        value = text.strip().lower()
        if not _SESSION_ID.fullmatch(value):
            raise InvalidInputError(
                "invalid_session_id",
                "A conversation id is 'sess-' followed by 32 hexadecimal digits.",
                "Leave it out to start a new conversation.",
            )
        return cls(value)

    @classmethod
    def from_hex(cls, hex32: str) -> SessionId:
        return cls.parse(f"sess-{hex32}")

    def __str__(self) -> str:
        return self.value


def redact_card_numbers(text: str) -> tuple[str, int]:
    """The text with every card number in it (13 to 19 digits passing the Luhn check, spaces
    or dashes allowed) replaced, and how many were. Other long numbers are left alone."""
    count = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal count
        digits = re.sub(r"[ -]", "", match.group())
        if not luhn_valid(digits):
            return match.group()
        count += 1
        return REDACTED_CARD

    return _CARD_LIKE.sub(replace, text), count


def escalation_reason(text: str) -> str | None:
    """Why this message must go to a person (refund, complaint, legal, human), if it must."""
    for reason, pattern in _ESCALATIONS:
        if pattern.search(text):
            return reason
    return None
