"""The local identity provider's logins in SQL, for the postgres profile's local build."""

from __future__ import annotations

from sqlalchemy import Engine, bindparam, delete, insert, select, update
from sqlalchemy.exc import DBAPIError

from adapters.identity.logins import Login
from adapters.sql.errors import is_unique_violation
from adapters.sql.tables import local_logins
from application.ports.clock import Clock
from application.ports.identity import email_taken

_C = local_logins.c
_INSERT = insert(local_logins)
_BY_EMAIL = select(local_logins).where(_C.email == bindparam("email"))
_BY_SUBJECT = select(local_logins).where(_C.subject == bindparam("subject"))
_REMOVE = delete(local_logins).where(_C.subject == bindparam("subject"))
# Named apart from the columns: an UPDATE reserves a column's own name for its SET clause.
_CHANGE_EMAIL = (
    update(local_logins)
    .where(_C.subject == bindparam("k_subject"))
    .values(email=bindparam("email"))
)


class SqlLoginStore:
    def __init__(self, engine: Engine, clock: Clock) -> None:
        self._engine = engine
        self._clock = clock

    def add(self, login: Login) -> None:
        row = {
            "subject": login.subject,
            "email": login.email,
            "password_hash": login.password_hash,
            "created_at": self._clock.now(),
        }
        try:
            with self._engine.begin() as connection:
                connection.execute(_INSERT, row)
        except DBAPIError as error:
            if not is_unique_violation(error):
                raise
            raise email_taken() from error

    def by_email(self, email: str) -> Login | None:
        with self._engine.connect() as connection:
            row = connection.execute(_BY_EMAIL, {"email": email}).first()
        return Login(row.subject, row.email, row.password_hash) if row is not None else None

    def by_subject(self, subject: str) -> Login | None:
        with self._engine.connect() as connection:
            row = connection.execute(_BY_SUBJECT, {"subject": subject}).first()
        return Login(row.subject, row.email, row.password_hash) if row is not None else None

    def remove(self, subject: str) -> None:
        with self._engine.begin() as connection:
            connection.execute(_REMOVE, {"subject": subject})

    def change_email(self, subject: str, email: str) -> None:
        try:
            with self._engine.begin() as connection:
                connection.execute(_CHANGE_EMAIL, {"k_subject": subject, "email": email})
        except DBAPIError as error:
            if not is_unique_violation(error):
                raise
            raise email_taken() from error
