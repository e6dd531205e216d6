"""Id generators: random ones for real use, sequential ones for tests that compare ids."""

from __future__ import annotations

import itertools
import secrets
import threading
import uuid

from domain.confirmation import SPACE, ConfirmationCode


class RandomIdGenerator:
    """UUID4 ids and confirmation codes drawn from a cryptographic source."""

    def new_id(self) -> uuid.UUID:
        return uuid.uuid4()

    def new_confirmation_code(self) -> ConfirmationCode:
        return ConfirmationCode.from_int(secrets.randbelow(SPACE))


class SequentialIdGenerator:
    """Predictable ids (…0001, …0002) and codes, for tests that need to know them in advance."""

    def __init__(self, start: int = 1) -> None:
        self._ids = itertools.count(start)
        self._codes = itertools.count(start)
        self._lock = threading.Lock()

    def new_id(self) -> uuid.UUID:
        with self._lock:
            return uuid.UUID(int=next(self._ids))

    def new_confirmation_code(self) -> ConfirmationCode:
        with self._lock:
            # A fixed odd multiplier spreads consecutive codes over the whole space.
            return ConfirmationCode.from_int((next(self._codes) * 0x9E3779B97) % SPACE)
