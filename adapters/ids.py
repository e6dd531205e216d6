"""Id generators: random ones for real use, sequential ones for tests that compare ids, seeded
ones for generated data that must come out the same on every run."""

from __future__ import annotations

import itertools
import random
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


class SeededIdGenerator:
    """UUID4-shaped ids and confirmation codes drawn from a seeded generator: the same seed and
    the same sequence of calls give the same ids and codes, run after run, on any store.

    Not for production: whoever knows the seed knows every id. The generated test data uses it
    so that one seed always describes one data set.
    """

    def __init__(self, seed: int | str) -> None:
        # Two streams, so that drawing one more id never shifts the codes, and the other way
        # round. A str seed is hashed with SHA-512 by `random`: stable across runs and hosts.
        self._ids = random.Random(f"ids:{seed}")  # noqa: S311  # reproducible on purpose
        self._codes = random.Random(f"codes:{seed}")  # noqa: S311
        self._lock = threading.Lock()

    def new_id(self) -> uuid.UUID:
        with self._lock:
            return uuid.UUID(int=self._ids.getrandbits(128), version=4)

    def new_confirmation_code(self) -> ConfirmationCode:
        with self._lock:
            return ConfirmationCode.from_int(self._codes.randrange(SPACE))
