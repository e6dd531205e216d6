"""Property 15: customer updates are validated as a whole before anything is written."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from application.errors import AuthenticationError
from application.use_cases.customers import UpdateCustomerCommand
from domain.errors import ConflictError, InvalidInputError
from domain.ids import CustomerId
from tests.builders import PASSWORD, World
from tests.property.support import fresh_world

ORIGINAL = ("ana.original@example.com", "Ana", "Original")
TAKEN = "taken.by.bob@example.com"


@dataclass(frozen=True)
class Field:
    """A value to send for one field and what should happen to it."""

    sent: str | None  # None leaves the field as it is
    valid: bool | None  # None: no opinion (arbitrary text), judged by the sanity checks
    stored: str | None = None  # the expected stored value when valid


# -- emails ----------------------------------------------------------------------------------

_LOCAL_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_%+-"
_local_part = st.lists(
    st.text(alphabet=_LOCAL_CHARS, min_size=1, max_size=12), min_size=1, max_size=3
).map(".".join)
_label = st.from_regex(r"[a-zA-Z0-9]([a-zA-Z0-9-]{0,10}[a-zA-Z0-9])?", fullmatch=True)
_tld = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=6
)
_padding = st.sampled_from(["", " ", "  ", "\t"])


@st.composite
def valid_emails(draw: st.DrawFn) -> Field:
    local = draw(_local_part)
    domain = ".".join([*draw(st.lists(_label, min_size=1, max_size=3)), draw(_tld)])
    address = f"{local}@{domain}"
    return Field(f"{draw(_padding)}{address}{draw(_padding)}", True, address.lower())


INVALID_EMAILS = [
    "",
    "   ",
    "plainaddress",
    "no-at-sign.example.com",
    "two@@example.com",
    "a@b@example.com",
    "@example.com",
    "ana@",
    "ana@example",
    "ana@example.c",
    "ana@example.123",
    "ana@-example.com",
    "ana@example-.com",
    "ana@exa_mple.com",
    "ana maria@example.com",
    ".ana@example.com",
    "ana.@example.com",
    "ana..maria@example.com",
    "ana@example..com",
    "ana\x00@example.com",
    "ana@exam\x07ple.com",
    "an\u200ba@example.com",
    "ana@例え.jp",
    "a" * 65 + "@example.com",
    "ana@" + "a" * 250 + ".com",
    "ana@" + ".".join(["abcdefghij"] * 24) + ".com",
]


@st.composite
def invalid_emails(draw: st.DrawFn) -> Field:
    return Field(draw(st.sampled_from(INVALID_EMAILS)), False)


@st.composite
def arbitrary_emails(draw: st.DrawFn) -> Field:
    return Field(draw(st.text(max_size=40)), None)


@st.composite
def taken_emails(draw: st.DrawFn) -> Field:
    """Bob's address in any case: valid, but not Ana's to take."""
    flags = draw(st.lists(st.booleans(), min_size=len(TAKEN), max_size=len(TAKEN)))
    return Field("".join(c.upper() if f else c for c, f in zip(TAKEN, flags, strict=True)), False)


@st.composite
def own_email_in_any_case(draw: st.DrawFn) -> Field:
    """Ana's own address re-typed: valid, and no change at all."""
    own = ORIGINAL[0]
    flags = draw(st.lists(st.booleans(), min_size=len(own), max_size=len(own)))
    return Field("".join(c.upper() if f else c for c, f in zip(own, flags, strict=True)), True, own)


emails = st.one_of(
    st.just(Field(None, True)),
    own_email_in_any_case(),
    valid_emails(),
    invalid_emails(),
    arbitrary_emails(),
    taken_emails(),
)

# -- names -----------------------------------------------------------------------------------

# Printable, not whitespace: letters of any script, marks, digits, punctuation, symbols.
_name_char = st.characters(
    exclude_categories=("Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp")
).filter(lambda c: not c.isspace())
_word = st.text(_name_char, min_size=1, max_size=20)
_CONTROL = [chr(c) for c in (*range(0x00, 0x09), 0x0E, 0x0F, 0x10, 0x1B, 0x7F, 0x80, 0x9F)]
_FORMAT = ["\u200b", "\u200e", "\u2066", "\ufeff", "\U000e0001"]


@st.composite
def valid_names(draw: st.DrawFn) -> Field:
    words = draw(st.lists(_word, min_size=1, max_size=4))
    name = " ".join(words)[:100].strip()
    if not name:
        name = "A"
    return Field(f"{draw(_padding)}{name}{draw(_padding)}", True, name)


@st.composite
def invalid_names(draw: st.DrawFn) -> Field:
    kind = draw(st.sampled_from(["blank", "too_long", "control"]))
    if kind == "blank":
        return Field(draw(st.sampled_from(["", " ", "   ", "\t", "\n", " \t\n "])), False)
    if kind == "too_long":
        return Field(draw(st.text(_name_char, min_size=101, max_size=160)), False)
    word = draw(_word)
    at = draw(st.integers(min_value=0, max_value=len(word)))
    bad = draw(st.sampled_from(_CONTROL + _FORMAT))
    return Field(word[:at] + bad + word[at:], False)


names = st.one_of(
    st.just(Field(None, True)),
    valid_names(),
    invalid_names(),
    st.builds(Field, st.text(max_size=30), st.none()),
)


def has_control_or_format(text: str) -> bool:
    """Control, format or unassigned characters, but for the zero-width (non-)joiners that
    Persian and Indic names are written with."""
    return any(unicodedata.category(c).startswith("C") and c not in "\u200c\u200d" for c in text)


def snapshot(world: World, customer_id: CustomerId) -> tuple[object, ...]:
    with world.container.unit_of_work() as uow:
        customer = uow.customers.get(customer_id)
        assert customer is not None
        audit = list(uow.audit.for_entity("customer", str(customer_id)))
    return (
        customer.email.value,
        customer.first_name,
        customer.last_name,
        customer.updated_at,
        len(audit),
    )


def can_sign_in(world: World, email: str) -> bool:
    try:
        world.container.sign_in()(email, PASSWORD)
    except AuthenticationError:
        return False
    return True


@given(email=emails, first=names, last=names)
def test_a_customer_update_is_committed_exactly_or_not_at_all(
    email: Field, first: Field, last: Field
) -> None:
    """Feature: ticket-auto-process, Property 15: For any customer information update, the Data Agent should validate data integrity before committing changes to the database

    Any mix of valid and invalid emails and names (blank, too long, control characters,
    malformed or taken addresses): a valid update is stored exactly (trimmed names, lower-case
    email), moves the login and writes one audit entry; an invalid one raises and leaves
    every field, the login and the audit log as they were."""  # noqa: E501
    if email.valid and email.stored == TAKEN:
        email = Field(email.sent, False)
    world = fresh_world()
    ana = world.customer(*ORIGINAL)
    world.customer(TAKEN, "Bob", "Taken")
    before = snapshot(world, ana)
    world.clock.advance(timedelta(minutes=1))
    verdicts = (email.valid, first.valid, last.valid)

    update = world.container.update_customer()
    command = UpdateCustomerCommand(ana, email.sent, first.sent, last.sent)
    refused: InvalidInputError | ConflictError | None = None
    try:
        result = update(command)
    except (InvalidInputError, ConflictError) as error:
        refused = error

    if refused is not None:
        assert not all(verdicts), f"a valid update was refused: {refused.code}"
        assert refused.code in {
            "invalid_email",
            "invalid_first_name",
            "invalid_last_name",
            "email_taken",
        }
        assert refused.message.strip()
        assert refused.guidance.strip()
        assert snapshot(world, ana) == before  # every field, updated_at and the audit log
        assert can_sign_in(world, ORIGINAL[0])
        if email.sent is not None and email.sent.strip().lower() not in (ORIGINAL[0], TAKEN):
            assert not can_sign_in(world, email.sent)
        return

    assert False not in verdicts, "an invalid update was committed"
    after = snapshot(world, ana)
    stored = after[:3]
    assert (result.customer.email.value, result.customer.first_name, result.customer.last_name) == (
        stored
    )
    for index, (sent, original) in enumerate(zip((email, first, last), ORIGINAL, strict=True)):
        value = stored[index]
        if sent.sent is None:
            assert value == original
        elif sent.valid:
            assert value == sent.stored
        elif index == 0:  # arbitrary text that was accepted as an email
            assert value == sent.sent.strip().lower()
            assert value.count("@") == 1
            assert not any(c.isspace() or has_control_or_format(c) for c in value)
        else:  # arbitrary text that was accepted as a name
            assert value
            assert len(value) <= 100
            assert value == value.strip()
            assert not has_control_or_format(value)
            assert value.split() == sent.sent.split()
    changed = stored != before[:3]
    assert after[4] == before[4] + (1 if changed else 0)  # one audit entry per real change
    assert (after[3] == world.clock.now()) is changed  # updated_at moves only on a change
    assert can_sign_in(world, stored[0])
    if stored[0] != ORIGINAL[0]:
        assert not can_sign_in(world, ORIGINAL[0])
