"""Capacity in SQL: a row per (tier, date) to lock and to count sales on; holds are counted
from the orders that are live at the moment."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.dialects.postgresql import insert

from adapters.sql.session import SqlSession
from adapters.sql.tables import capacity, upgrade_orders
from domain.capacity import DailyCapacity
from domain.tiers import Tier

_C, _O = capacity.c, upgrade_orders.c
_LOCKING_UPSERT = insert(capacity).values(
    tier=bindparam("tier"), visit_date=bindparam("day"), capacity=bindparam("capacity"), sold=0
)
# ON CONFLICT DO UPDATE locks the existing row, so one statement creates the row on first use
# and takes the lock; the stored capacity follows the configured one (never below what is sold).
_LOCK = _LOCKING_UPSERT.on_conflict_do_update(
    index_elements=[_C.tier, _C.visit_date],
    set_={"capacity": func.greatest(_LOCKING_UPSERT.excluded.capacity, _C.sold)},
).returning(_C.sold)
_PEEK = select(_C.sold).where(_C.tier == bindparam("tier"), _C.visit_date == bindparam("day"))
# Counted in a statement of its own, after the lock: a statement's snapshot is taken when it
# starts, so a count inside the locking statement could miss a hold committed while it waited.
_HOLDS = select(func.count()).where(
    _O.tier == bindparam("tier"),
    _O.visit_date == bindparam("day"),
    _O.live_until > bindparam("now"),
)
_SOLD_BETWEEN = select(_C.tier, _C.visit_date, _C.sold).where(
    _C.visit_date >= bindparam("first"), _C.visit_date <= bindparam("last")
)
_HOLDS_BETWEEN = (
    select(_O.tier, _O.visit_date, func.count().label("held"))
    .where(
        _O.visit_date >= bindparam("first"),
        _O.visit_date <= bindparam("last"),
        _O.live_until > bindparam("now"),
    )
    .group_by(_O.tier, _O.visit_date)
)
_SAVE = (
    update(capacity)
    .where(_C.tier == bindparam("key_tier"), _C.visit_date == bindparam("key_day"))
    .values(sold=bindparam("sold"))
)


class SqlCapacityRepository:
    def __init__(self, session: SqlSession, lock: bool = True) -> None:
        self._session = session
        self._lock = lock  # False only for the test that proves the lock matters
        self._staged: dict[tuple[Tier, date], DailyCapacity] = {}

    def lock(self, tier: Tier, day: date, capacity: int, now: datetime) -> DailyCapacity:
        key = {"tier": tier.value, "day": day}
        if self._lock:
            sold = self._session.execute(_LOCK, {**key, "capacity": capacity}).scalar_one()
        else:
            sold = self._session.execute(_PEEK, key).scalar() or 0
        held = self._session.execute(_HOLDS, {**key, "now": now}).scalar_one()
        staged = self._staged.get((tier, day))
        return DailyCapacity(tier, day, capacity, staged.sold if staged else sold, held)

    def usage(
        self, keys: Iterable[tuple[Tier, date]], now: datetime
    ) -> Mapping[tuple[Tier, date], tuple[int, int]]:
        wanted = list(keys)
        if not wanted:
            return {}
        days = [day for _, day in wanted]
        span: dict[str, Any] = {"first": min(days), "last": max(days)}
        sold = {
            (Tier(r.tier), r.visit_date): r.sold for r in self._session.execute(_SOLD_BETWEEN, span)
        }
        held = {
            (Tier(row.tier), row.visit_date): row.held
            for row in self._session.execute(_HOLDS_BETWEEN, {**span, "now": now})
        }
        return {key: (sold.get(key, 0), held.get(key, 0)) for key in wanted}

    def save(self, usage: DailyCapacity) -> None:
        self._staged[(usage.tier, usage.day)] = usage

    def flush(self) -> None:
        if self._staged:
            self._session.execute(
                _SAVE,
                [
                    {"key_tier": usage.tier.value, "key_day": usage.day, "sold": usage.sold}
                    for usage in self._staged.values()
                ],
            )
        self._staged.clear()

    def discard(self) -> None:
        self._staged.clear()
