"""Where the local identity provider keeps its logins: in memory, or in the database."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Protocol

from application.ports.identity import email_taken


@dataclass(frozen=True, slots=True)
class Login:
    subject: str
    email: str
    password_hash: str


class LoginStore(Protocol):
    """Logins by email and by subject. `add` and `change_email` raise ConflictError
    (`email_taken`) rather than give two logins one email."""

    def add(self, login: Login) -> None: ...

    def by_email(self, email: str) -> Login | None: ...

    def by_subject(self, subject: str) -> Login | None: ...

    def remove(self, subject: str) -> None: ...

    def change_email(self, subject: str, email: str) -> None: ...


class MemoryLoginStore:
    def __init__(self) -> None:
        self._by_email: dict[str, Login] = {}
        self._lock = threading.Lock()

    def add(self, login: Login) -> None:
        with self._lock:
            if login.email in self._by_email:
                raise email_taken()
            self._by_email[login.email] = login

    def by_email(self, email: str) -> Login | None:
        with self._lock:
            return self._by_email.get(email)

    def by_subject(self, subject: str) -> Login | None:
        with self._lock:
            return next((lg for lg in self._by_email.values() if lg.subject == subject), None)

    def remove(self, subject: str) -> None:
        with self._lock:
            for email in [e for e, login in self._by_email.items() if login.subject == subject]:
                del self._by_email[email]

    def change_email(self, subject: str, email: str) -> None:
        with self._lock:
            current = next((lg for lg in self._by_email.values() if lg.subject == subject), None)
            if current is None or current.email == email:
                return
            if email in self._by_email:
                raise email_taken()
            del self._by_email[current.email]
            self._by_email[email] = Login(subject, email, current.password_hash)
