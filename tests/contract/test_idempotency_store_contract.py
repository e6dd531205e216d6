"""The idempotency store contract: claims are atomic, answers are kept, expired keys are free."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest

from adapters.clock import FixedClock
from application.ports.idempotency import IdempotencyStore, StoredResponse
from tests.conftest import build_test_container, make_settings
from tests.support.data_api import aurora_settings
from tests.support.data_api_server import DataApiServer
from tests.support.postgres import empty_tables

DAY = timedelta(hours=24)
ANSWER = StoredResponse(201, b'{"id": "order-1"}', "application/json")


class IdempotencyStoreContract:
    @pytest.fixture
    def store(self) -> IdempotencyStore:
        raise NotImplementedError("an adapter's suite provides the store")

    def test_the_first_claim_of_a_key_goes_ahead(
        self, store: IdempotencyStore, clock: FixedClock
    ) -> None:
        now = clock.now()
        assert store.claim("ana", "k1", "print-1", now, now - DAY) is None

    def test_a_second_claim_sees_the_first_in_flight_then_its_answer(
        self, store: IdempotencyStore, clock: FixedClock
    ) -> None:
        now = clock.now()
        store.claim("ana", "k1", "print-1", now, now - DAY)

        in_flight = store.claim("ana", "k1", "print-1", now, now - DAY)
        store.complete("ana", "k1", ANSWER)
        done = store.claim("ana", "k1", "print-2", now, now - DAY)

        assert in_flight is not None
        assert (in_flight.fingerprint, in_flight.response) == ("print-1", None)
        assert done is not None
        assert (done.fingerprint, done.response) == ("print-1", ANSWER)

    def test_keys_are_separate_per_scope(self, store: IdempotencyStore, clock: FixedClock) -> None:
        now = clock.now()
        store.claim("ana", "k1", "print-1", now, now - DAY)

        assert store.claim("ben", "k1", "print-1", now, now - DAY) is None

    def test_a_released_key_can_be_claimed_again(
        self, store: IdempotencyStore, clock: FixedClock
    ) -> None:
        now = clock.now()
        store.claim("ana", "k1", "print-1", now, now - DAY)

        store.release("ana", "k1")

        assert store.claim("ana", "k1", "print-2", now, now - DAY) is None

    def test_a_key_older_than_the_retention_is_free_again(
        self, store: IdempotencyStore, clock: FixedClock
    ) -> None:
        first = clock.now()
        store.claim("ana", "k1", "print-1", first, first - DAY)
        store.complete("ana", "k1", ANSWER)
        later = first + DAY + timedelta(seconds=1)

        assert store.claim("ana", "k1", "print-2", later, later - DAY) is None
        again = store.claim("ana", "k1", "print-2", later, later - DAY)
        assert again is not None
        assert (again.fingerprint, again.response) == ("print-2", None)

    def test_of_many_concurrent_claims_of_one_key_exactly_one_goes_ahead(
        self, store: IdempotencyStore, clock: FixedClock
    ) -> None:
        now = clock.now()

        with ThreadPoolExecutor(max_workers=16) as pool:
            results = list(
                pool.map(lambda _: store.claim("ana", "race", "print-1", now, now - DAY), range(32))
            )

        assert sum(result is None for result in results) == 1


class TestMemoryIdempotencyStore(IdempotencyStoreContract):
    @pytest.fixture
    def store(self, clock: FixedClock, tmp_path: Path) -> IdempotencyStore:
        return build_test_container(make_settings(tmp_path), clock).idempotency_store()


class TestPostgresIdempotencyStore(IdempotencyStoreContract):
    @pytest.fixture
    def store(
        self, clock: FixedClock, tmp_path: Path, postgres_url: str
    ) -> Iterator[IdempotencyStore]:
        settings = make_settings(tmp_path, profile="postgres", database_url=postgres_url)
        container = build_test_container(settings, clock)
        empty_tables(container.postgres_engine())
        yield container.idempotency_store()
        container.shutdown_resources()


class TestDataApiIdempotencyStore(IdempotencyStoreContract):
    @pytest.fixture
    def store(
        self, clock: FixedClock, tmp_path: Path, postgres_url: str, data_api: DataApiServer
    ) -> Iterator[IdempotencyStore]:
        container = build_test_container(aurora_settings(tmp_path, postgres_url), clock)
        empty_tables(container.aurora_engine())
        yield container.idempotency_store()
        container.shutdown_resources()
        assert data_api.open_transactions == 0, "a claim left its transaction open"
