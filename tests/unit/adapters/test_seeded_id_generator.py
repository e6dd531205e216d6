"""The seeded id generator: one seed, one sequence of ids and codes, on every run."""

from __future__ import annotations

import threading

from adapters.ids import SeededIdGenerator
from domain.confirmation import ConfirmationCode


def draw(generator: SeededIdGenerator, count: int = 50) -> tuple[list[str], list[str]]:
    ids = [str(generator.new_id()) for _ in range(count)]
    codes = [generator.new_confirmation_code().value for _ in range(count)]
    return ids, codes


def test_the_same_seed_gives_the_same_ids_and_codes() -> None:
    assert draw(SeededIdGenerator(7)) == draw(SeededIdGenerator(7))


def test_another_seed_gives_other_ids_and_codes() -> None:
    first, second = draw(SeededIdGenerator(7)), draw(SeededIdGenerator(8))

    assert not set(first[0]) & set(second[0])
    assert first[1] != second[1]


def test_codes_do_not_depend_on_how_many_ids_were_drawn_before() -> None:
    one, other = SeededIdGenerator(3), SeededIdGenerator(3)
    for _ in range(10):
        other.new_id()

    assert one.new_confirmation_code() == other.new_confirmation_code()


def test_ids_are_version_4_uuids_and_codes_are_valid_confirmation_codes() -> None:
    generator = SeededIdGenerator("a string seed works too")

    ids, codes = draw(generator, 200)

    assert all(uid[14] == "4" for uid in ids)
    assert len(set(ids)) == 200
    assert all(ConfirmationCode.parse(code).value == code for code in codes)


def test_it_can_be_shared_by_threads_without_handing_out_an_id_twice() -> None:
    generator = SeededIdGenerator(1)
    seen: list[str] = []

    def work() -> None:
        seen.extend(str(generator.new_id()) for _ in range(500))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(set(seen)) == 2000
