"""IdempotentRequests: the same key and request replay the first answer; anything else about
a key is refused with its own code."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from adapters.clock import FixedClock
from application.errors import IdempotencyKeyInUseError, IdempotencyKeyReusedError
from application.idempotency import IdempotentRequests
from application.ports.idempotency import StoredResponse
from domain.errors import InvalidInputError
from infra.container import Container
from tests.unit.application.conftest import WorldFactory

SCOPE = "POST /upgrades"
RESPONSE = StoredResponse(201, b'{"id": "order-1"}', "application/json")
BODY = "fingerprint of the first request"
OTHER_BODY = "fingerprint of another request"


@pytest.fixture
def requests(container: Container) -> IdempotentRequests:
    return container.idempotency()


def test_a_new_key_lets_the_request_run(requests: IdempotentRequests) -> None:
    assert requests.begin(SCOPE, "key-1", BODY) is None


def test_the_same_key_and_request_replay_the_first_answer(requests: IdempotentRequests) -> None:
    requests.begin(SCOPE, "key-1", BODY)
    requests.finish(SCOPE, "key-1", RESPONSE)

    assert requests.begin(SCOPE, "key-1", BODY) == RESPONSE
    assert requests.begin(SCOPE, "key-1", BODY) == RESPONSE


def test_the_same_key_with_another_request_is_refused(requests: IdempotentRequests) -> None:
    requests.begin(SCOPE, "key-1", BODY)
    requests.finish(SCOPE, "key-1", RESPONSE)

    with pytest.raises(IdempotencyKeyReusedError) as raised:
        requests.begin(SCOPE, "key-1", OTHER_BODY)

    assert raised.value.code == "idempotency_key_reused"
    assert requests.begin(SCOPE, "key-1", BODY) == RESPONSE  # the first answer is kept


def test_another_request_is_refused_even_while_the_first_is_running(
    requests: IdempotentRequests,
) -> None:
    requests.begin(SCOPE, "key-1", BODY)

    with pytest.raises(IdempotencyKeyReusedError):
        requests.begin(SCOPE, "key-1", OTHER_BODY)


def test_a_retry_while_the_first_request_runs_is_told_it_is_in_use(
    requests: IdempotentRequests,
) -> None:
    requests.begin(SCOPE, "key-1", BODY)

    with pytest.raises(IdempotencyKeyInUseError) as raised:
        requests.begin(SCOPE, "key-1", BODY)

    assert raised.value.code == "idempotency_key_in_use"


def test_an_abandoned_request_can_be_run_again(requests: IdempotentRequests) -> None:
    requests.begin(SCOPE, "key-1", BODY)
    requests.abandon(SCOPE, "key-1")

    assert requests.begin(SCOPE, "key-1", BODY) is None


def test_keys_are_separate_per_scope(requests: IdempotentRequests) -> None:
    requests.begin(SCOPE, "key-1", BODY)
    requests.finish(SCOPE, "key-1", RESPONSE)

    assert requests.begin("POST /payments", "key-1", OTHER_BODY) is None


def test_a_key_is_kept_for_the_retention_period_then_forgotten(
    requests: IdempotentRequests, clock: FixedClock
) -> None:
    requests.begin(SCOPE, "key-1", BODY)
    requests.finish(SCOPE, "key-1", RESPONSE)

    clock.advance(timedelta(hours=24) - timedelta(seconds=1))
    assert requests.begin(SCOPE, "key-1", BODY) == RESPONSE
    with pytest.raises(IdempotencyKeyReusedError):
        requests.begin(SCOPE, "key-1", OTHER_BODY)

    clock.advance(timedelta(seconds=2))
    assert requests.begin(SCOPE, "key-1", OTHER_BODY) is None


def test_a_longer_retention_can_be_configured(world_with: WorldFactory) -> None:
    world = world_with(idempotency_retention_hours=48)
    requests = world.container.idempotency()
    requests.begin(SCOPE, "key-1", BODY)
    requests.finish(SCOPE, "key-1", RESPONSE)

    world.clock.advance(timedelta(hours=47))

    assert requests.begin(SCOPE, "key-1", BODY) == RESPONSE


@pytest.mark.parametrize(
    "key", ["", "k" * 256, "clé-1", "key\n1", "key\x001", "tab\tkey"], ids=repr
)
def test_a_malformed_key_is_invalid_input(requests: IdempotentRequests, key: str) -> None:
    with pytest.raises(InvalidInputError) as raised:
        requests.begin(SCOPE, key, BODY)

    assert raised.value.code == "invalid_idempotency_key"


@pytest.mark.parametrize("key", ["k", "k" * 255, "7f7d2a0e-3a4c-4b8e-9d1f-6c2b5e8a9f00", "a b~!"])
def test_any_printable_ascii_key_of_1_to_255_characters_is_accepted(
    requests: IdempotentRequests, key: str
) -> None:
    assert requests.begin(SCOPE, key, BODY) is None


def test_of_many_simultaneous_first_tries_exactly_one_runs(requests: IdempotentRequests) -> None:
    start = threading.Barrier(20)

    def attempt(_: int) -> str:
        start.wait()
        try:
            return "run" if requests.begin(SCOPE, "key-1", BODY) is None else "replay"
        except IdempotencyKeyInUseError:
            return "in_use"

    with ThreadPoolExecutor(20) as pool:
        outcomes = list(pool.map(attempt, range(20)))

    assert sorted(outcomes) == ["in_use"] * 19 + ["run"]


def test_the_fingerprint_tells_apart_requests_that_only_concatenate_alike(
    requests: IdempotentRequests,
) -> None:
    assert requests.fingerprint("ab", "c") != requests.fingerprint("a", "bc")
    assert requests.fingerprint("a") != requests.fingerprint("a", "")
    assert requests.fingerprint("a", "b") == requests.fingerprint("a", "b")


def test_the_fingerprint_is_keyed_by_the_configured_secret(world_with: WorldFactory) -> None:
    one = world_with(idempotency_secret="first secret").container.idempotency()
    same = world_with(idempotency_secret="first secret").container.idempotency()
    other = world_with(idempotency_secret="second secret").container.idempotency()
    parts = ("POST /upgrades/1/payment", "4242424242424242", "123")

    assert one.fingerprint(*parts) == same.fingerprint(*parts)
    assert one.fingerprint(*parts) != other.fingerprint(*parts)
    assert "4242424242424242" not in one.fingerprint(*parts)
