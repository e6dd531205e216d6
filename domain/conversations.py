"""Conversation rules (DOMAIN.md, "Conversations"): session ids, card numbers typed in chat, and
what must be handed to a person."""

from __future__ import annotations

import re
from dataclasses import dataclass

from domain.cards import luhn_valid
from domain.errors import InvalidInputError

_SESSION_ID = re.compile(r"sess-[0-9a-f]{32}")
# A run of digit groups joined by single spaces or dashes, not part of a longer number. A card
# number is looked for among its groups: the run may hold more than the card ("4242 4242 4242
# 4242 12/30" is one run of 18 digits, "1 4242 4242 4242 4242" one of 17).
_DIGIT_RUN = re.compile(r"(?<!\d)\d+(?:[ -]\d+)*(?!\d)")
_GROUP = re.compile(r"\d+")
# Ids people paste (order ids): their digit groups are never a card, even when all digits.
_UUID = re.compile(r"[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")
CARD_DIGITS = (13, 19)
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
    or dashes allowed) replaced, and how many were. Other long numbers are left alone.

    Within a run of digit groups, every span of whole groups that is a card number is removed
    (spans that overlap are removed as one): a card next to other numbers (an expiry date, a
    CVC, a quantity) is still a card, and removing a few digits too many is better than
    keeping a card number."""
    count = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal count
        run = match.group()
        groups = [(group.start(), group.end()) for group in _GROUP.finditer(run)]
        cards: list[list[int]] = []  # [first, last] group indexes of card spans, merged
        for first in range(len(groups)):
            digits = ""
            for last in range(first, len(groups)):
                digits += run[groups[last][0] : groups[last][1]]
                if len(digits) > CARD_DIGITS[1]:
                    break
                if len(digits) >= CARD_DIGITS[0] and luhn_valid(digits):
                    if cards and first <= cards[-1][1]:
                        cards[-1][1] = max(cards[-1][1], last)
                    else:
                        cards.append([first, last])
        kept: list[str] = []
        end = 0
        for first, last in cards:
            kept += [run[end : groups[first][0]], REDACTED_CARD]
            end = groups[last][1]
        count += len(cards)
        return "".join([*kept, run[end:]])

    pieces, end = [], 0
    for uuid in _UUID.finditer(text):
        pieces += [_DIGIT_RUN.sub(replace, text[end : uuid.start()]), uuid.group()]
        end = uuid.end()
    pieces.append(_DIGIT_RUN.sub(replace, text[end:]))
    return "".join(pieces), count


def escalation_reason(text: str) -> str | None:
    """Why this message must go to a person (refund, complaint, legal, human), if it must."""
    for reason, pattern in _ESCALATIONS:
        if pattern.search(text):
            return reason
    return None
