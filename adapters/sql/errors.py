"""Database errors in the application's words: a broken uniqueness rule is a ConflictError
with the rule's code, a lock not granted in time is BusyError (503, try again)."""

from __future__ import annotations

import re

from sqlalchemy.exc import DBAPIError

from application.errors import BusyError
from domain.errors import ConflictError

# Constraint name -> (code, message, guidance), as the memory store words them.
_CONFLICTS = {
    "uq_customers_email": (
        "email_taken",
        "An account with this email already exists.",
        "Sign in instead, or use another email address.",
    ),
    "uq_customers_subject": (
        "identity_taken",
        "This sign-in already belongs to a customer.",
        "Sign in instead.",
    ),
    "uq_tickets_number": ("ticket_number_taken", "That ticket number already exists.", ""),
    "uq_upgrade_orders_confirmation_code": (
        "confirmation_code_taken",
        "That confirmation code is in use.",
        "",
    ),
    "ex_upgrade_orders_one_live_hold_per_ticket": (
        "upgrade_in_progress",
        "This ticket already has an upgrade waiting for payment.",
        "Finish paying for that upgrade, or cancel it to choose another.",
    ),
    "uq_payment_attempts_idempotency_key": (
        "payment_key_taken",
        "That payment key was already used.",
        "",
    ),
    "ck_capacity_never_below_zero": (
        "sold_out",
        "That date is sold out for this tier.",
        "Pick another date or another tier; the calendar shows what remains.",
    ),
}
# lock_not_available, deadlock_detected, serialization_failure, query_canceled (timeouts)
_BUSY = {"55P03", "40P01", "40001", "57014"}
_SQLSTATE_IN_MESSAGE = re.compile(r"SQLState: ([0-9A-Z]{5})")
_CONSTRAINT_IN_MESSAGE = re.compile(r'constraint "([^"]+)"')


def sqlstate_and_constraint(error: Exception) -> tuple[str | None, str | None]:
    """psycopg exposes both as attributes; the Data API only in its message text. `error` is a
    SQLAlchemy DBAPIError (wrapping the driver's) or a psycopg error met on the direct path."""
    original = error.orig if isinstance(error, DBAPIError) else error
    state = getattr(original, "sqlstate", None)
    diagnostic = getattr(original, "diag", None)
    constraint = getattr(diagnostic, "constraint_name", None) if diagnostic else None
    text = str(original)
    if state is None and (found := _SQLSTATE_IN_MESSAGE.search(text)):
        state = found.group(1)
    if constraint is None and (found := _CONSTRAINT_IN_MESSAGE.search(text)):
        constraint = found.group(1)
    return state, constraint


def is_unique_violation(error: DBAPIError) -> bool:
    """By SQLState, not by exception class: the Data API driver raises a plain DatabaseError,
    not an IntegrityError, for every error whose message has no `Position` (unique violations
    among them)."""
    return sqlstate_and_constraint(error)[0] == "23505"


def translate(error: Exception) -> Exception:
    """The application error for a database error, or the error itself if it means a bug."""
    state, constraint = sqlstate_and_constraint(error)
    if state in _BUSY:
        return BusyError("this request")
    if constraint in _CONFLICTS:
        code, message, guidance = _CONFLICTS[constraint]
        return ConflictError(code, message, guidance)
    return error
