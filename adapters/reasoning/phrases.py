"""The values a customer types, read out of free text: ticket references, order ids, tiers,
dates, months, and account details.

Each reader returns what it found with its position, so that the last mention in a message
wins ("not Dec 5, Dec 12 please" means Dec 12). Dates are relative to `today`, the park's
today. Without a year, "Dec 5" is the next Dec 5 from today on. "Saturday" and "this Saturday"
are the first Saturday from today on (today included); "next Saturday" is the one a week
after that; "this weekend" and "next weekend" are read as their Saturday.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from domain.tiers import Tier

# -- references ------------------------------------------------------------------------------

_TICKET_NUMBER = re.compile(r"\btkt[-_ ]?([0-9]{8})\b", re.IGNORECASE)
_UUID = re.compile(
    r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.IGNORECASE
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_NAMED_BEFORE = re.compile(r"\b(order|ticket)\b[^.?!\d]{0,16}$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Reference:
    """A ticket number or a UUID. `kind` is "ticket" or "order" when the text says which (a
    `TKT-` number is always a ticket), None for a bare UUID."""

    value: str
    kind: str | None
    position: int


def references(text: str) -> list[Reference]:
    """Every ticket number (as `TKT-` and 8 digits) and UUID (lower case) in the text."""
    found = [
        Reference(f"TKT-{match.group(1)}", "ticket", match.start())
        for match in _TICKET_NUMBER.finditer(text)
    ]
    for match in _UUID.finditer(text):
        named = _NAMED_BEFORE.search(text[: match.start()])
        kind = named.group(1).lower() if named else None
        found.append(Reference(match.group().lower(), kind, match.start()))
    return sorted(found, key=lambda reference: reference.position)


def without_references(text: str) -> str:
    """The text with references and email addresses blanked out, so that their letters and
    digits are not read as words, tiers or dates."""
    for pattern in (_TICKET_NUMBER, _UUID, _EMAIL):
        text = pattern.sub(lambda match: " " * len(match.group()), text)
    return text


# -- tiers -----------------------------------------------------------------------------------

_TIER_PATTERNS: tuple[tuple[Tier, re.Pattern[str]], ...] = (
    (
        Tier.DOUBLE_FUN,
        re.compile(
            r"\bdouble[\s_-]*fun\b|\bpremium\b|\bvip\b|\btop[\s-]*(?:tier|level)\b"
            r"|\bhighest (?:tier|level|one)\b|\bbest (?:tier|one|option|upgrade|package|pass)\b"
            r"|\bthe best\b(?! (?:price|deal|value|date|day|time))|\ball[\s-]inclusive\b"
            r"|\bthe works\b",
            re.IGNORECASE,
        ),
    ),
    (
        Tier.NON_STOP,
        re.compile(
            r"\bnon[\s_-]*stop\b|\bno[\s-]+(?:queues?|lines?|waiting)\b|\bfast[\s-]*pass(?:es)?\b"
            r"|\bskip(?:ping)? the (?:queues?|lines?)\b|\bunlimited express\b",
            re.IGNORECASE,
        ),
    ),
    (
        Tier.STANDARD,
        re.compile(
            r"\bstandard\b"
            r"|\b(?:regular|basic|simple|entry[\s-]level) (?:upgrade|tier|one|option)\b",
            re.IGNORECASE,
        ),
    ),
)


def tiers(text: str) -> list[tuple[int, Tier]]:
    """Every upgrade tier named in the text, by its name or a common synonym, with where."""
    found = [
        (match.start(), tier)
        for tier, pattern in _TIER_PATTERNS
        for match in pattern.finditer(text)
    ]
    return sorted(found, key=lambda item: item[0])


# -- dates -----------------------------------------------------------------------------------

_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MONTH = (
    r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAY = r"([0-9]{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?:,?\s*([0-9]{4})\b)?"
_ISO = re.compile(r"\b([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})\b")
_MONTH_DAY = re.compile(rf"\b{_MONTH}\s+(?:the\s+)?{_DAY}\b{_YEAR}", re.IGNORECASE)
_DAY_MONTH = re.compile(rf"\b(?:the\s+)?{_DAY}\s+(?:of\s+)?{_MONTH}\b{_YEAR}", re.IGNORECASE)

_NUMBERS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "a couple of": 2,
    "couple of": 2,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
}
_COUNT = (
    r"([0-9]{1,3}|a couple of|couple of|"
    + "|".join(sorted((word for word in _NUMBERS if "couple" not in word), key=len, reverse=True))
    + ")"
)
_IN_SOME = re.compile(rf"\bin\s+{_COUNT}\s+(days?|weeks?)\b", re.IGNORECASE)
_SOME_FROM_NOW = re.compile(rf"\b{_COUNT}\s+(days?|weeks?)\s+from\s+(?:now|today)\b", re.I)
_FORTNIGHT = re.compile(r"\bin\s+a\s+fortnight\b", re.IGNORECASE)
_RELATIVE_DAYS = (
    (re.compile(r"\bday after tomorrow\b", re.IGNORECASE), 2),
    (re.compile(r"\btomorrow\b", re.IGNORECASE), 1),
    (re.compile(r"\b(?:today|tonight)\b", re.IGNORECASE), 0),
)
_WEEKDAYS = {
    "mon": 0,
    "tue": 1,
    "wed": 2,
    "thu": 3,
    "fri": 4,
    "sat": 5,
    "sun": 6,
}
_WEEKDAY_FULL = re.compile(
    r"\b(?:(this coming|this|next|coming|on)\s+)?"
    r"(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b",
    re.IGNORECASE,
)
_WEEKDAY_SHORT = re.compile(
    r"\b(this|next|on)\s+(mon|tues?|wed|thu(?:rs?)?|fri|sat|sun)\b\.?", re.IGNORECASE
)
_WEEKEND = re.compile(r"\b(this|next)\s+weekend\b", re.IGNORECASE)


def dates(text: str, today: date) -> list[tuple[int, date]]:
    """Every date the text names, with where. A phrase inside a longer one ("tomorrow" in
    "the day after tomorrow") counts once, as the longer one."""
    found: list[tuple[int, int, date]] = []  # start, end, date

    def keep(match: re.Match[str], day: date | None) -> None:
        start, end = match.span()
        if day is not None and not any(s < end and start < e for s, e, _ in found):
            found.append((start, end, day))

    for match in _ISO.finditer(text):
        keep(match, _date(int(match.group(1)), int(match.group(2)), int(match.group(3))))
    for match in _MONTH_DAY.finditer(text):
        keep(match, _calendar_date(match.group(1), match.group(2), match.group(3), today))
    for match in _DAY_MONTH.finditer(text):
        keep(match, _calendar_date(match.group(2), match.group(1), match.group(3), today))
    explicit = bool(found)  # "Saturday 5 December": the calendar date says which Saturday
    # Before "today" and "tomorrow": "3 days from today" is one phrase, not "today".
    for pattern in (_IN_SOME, _SOME_FROM_NOW):
        for match in pattern.finditer(text):
            count = _number(match.group(1))
            unit = 7 if match.group(2).lower().startswith("week") else 1
            keep(match, today + timedelta(days=count * unit))
    for pattern, days in _RELATIVE_DAYS:
        for match in pattern.finditer(text):
            keep(match, today + timedelta(days=days))
    for match in _FORTNIGHT.finditer(text):
        keep(match, today + timedelta(days=14))
    for match in _WEEKEND.finditer(text):
        keep(match, _weekday(today, 5, match.group(1)))
    for pattern in () if explicit else (_WEEKDAY_FULL, _WEEKDAY_SHORT):
        for match in pattern.finditer(text):
            weekday = _WEEKDAYS[match.group(2).lower()[:3]]
            keep(match, _weekday(today, weekday, match.group(1)))
    return sorted((start, day) for start, _, day in found)


def _date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _calendar_date(month: str, day: str, year: str | None, today: date) -> date | None:
    number = _MONTHS[month.lower()[:3]]
    if year is not None:
        return _date(int(year), number, int(day))
    this_year = _date(today.year, number, int(day))
    if this_year is not None and this_year >= today:
        return this_year
    return _date(today.year + 1, number, int(day))


def _number(word: str) -> int:
    return int(word) if word.isdigit() else _NUMBERS[" ".join(word.lower().split())]


def _weekday(today: date, weekday: int, qualifier: str | None) -> date:
    coming = today + timedelta(days=(weekday - today.weekday()) % 7)
    if qualifier is not None and qualifier.lower() == "next":
        return coming + timedelta(days=7)
    return coming


# -- months (for "the cheapest day in December") ---------------------------------------------

_IN_MONTH = re.compile(
    rf"\b(?:in|during|for|of)\s+(?:the\s+month\s+of\s+)?{_MONTH}(?:\s+([0-9]{{4}}))?\b"
    r"(?!\s*[0-9]{1,2}(?:st|nd|rd|th)?\b)",
    re.IGNORECASE,
)
_RELATIVE_MONTH = re.compile(r"\b(this|next)\s+month\b", re.IGNORECASE)


def month_window(text: str, today: date) -> tuple[date, int] | None:
    """The month the text asks about, as (first day from today on, number of days), or None."""
    relative = _RELATIVE_MONTH.search(text)
    if relative is not None:
        year, month = today.year, today.month
        if relative.group(1).lower() == "next":
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return _window(year, month, today)
    named = _IN_MONTH.search(text)
    if named is None:
        return None
    month = _MONTHS[named.group(1).lower()[:3]]
    if named.group(2) is not None:
        year = int(named.group(2))
    else:
        year = today.year if month >= today.month else today.year + 1
    return _window(year, month, today)


def _window(year: int, month: int, today: date) -> tuple[date, int] | None:
    last = date(year, month, calendar.monthrange(year, month)[1])
    first = max(date(year, month, 1), today)
    return (first, (last - first).days + 1) if last >= first else None


# -- account details -------------------------------------------------------------------------

_NEW_EMAIL = re.compile(r"\be-?mail\b.*?([\w.+-]+@[\w-]+(?:\.[\w-]+)+)", re.IGNORECASE)
_NAME = re.compile(
    r"\b(first|last|sur)\s*name\b\s*(?:is|to|should be|=|:)?\s*(?:now\s+)?([^\W\d_][\w' -]*?)"
    r"\s*(?:[.,!?]|\band\b|$)",
    re.IGNORECASE,
)


def account_changes(text: str) -> dict[str, str]:
    """A new email address, first name or last name the text gives (for an account update)."""
    changes = {}
    email = _NEW_EMAIL.search(text)
    if email is not None:
        changes["email"] = email.group(1)
    for match in _NAME.finditer(text):
        field = "first_name" if match.group(1).lower() == "first" else "last_name"
        changes[field] = match.group(2).strip()
    return changes
