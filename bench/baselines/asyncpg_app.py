"""Baseline 2: the same capacity transaction through raw asyncpg, on the event loop.

No SQLAlchemy and no thread hop: hand-written SQL on an asyncpg pool, the fastest a Python
service gets here. BEGIN; SELECT remaining ... FOR UPDATE; check; UPDATE remaining - 1; INSERT
the order RETURNING id; COMMIT.

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/db \\
        python -m uvicorn asyncpg_app:app --app-dir bench/baselines --port 8000
"""

from __future__ import annotations

import asyncpg
from common import DATABASE_URL, POOL_SIZE, SOLD_OUT, QuoteIn, QuoteOut
from litestar import Litestar, Response, get, post

LOCK = "SELECT remaining FROM capacity WHERE tier = $1 AND visit_date = $2 FOR UPDATE"
DECREMENT = "UPDATE capacity SET remaining = remaining - 1 WHERE tier = $1 AND visit_date = $2"
ADD_ORDER = "INSERT INTO orders (ticket, tier, visit_date) VALUES ($1, $2, $3) RETURNING id"

_pool: asyncpg.Pool | None = None


async def open_pool() -> None:
    global _pool  # noqa: PLW0603
    # As many connections as the SQLAlchemy engine may open (pool + overflow).
    _pool = await asyncpg.create_pool(
        DATABASE_URL,
        min_size=POOL_SIZE,
        max_size=2 * POOL_SIZE,
        server_settings={"lock_timeout": "3000", "TimeZone": "UTC"},
    )


async def close_pool() -> None:
    if _pool is not None:
        await _pool.close()


@post("/quote")
async def quote(data: QuoteIn) -> Response[QuoteOut | dict[str, str]]:
    assert _pool is not None
    async with _pool.acquire() as connection, connection.transaction():
        remaining = await connection.fetchval(LOCK, data.tier, data.date)
        if remaining is None or remaining <= 0:
            return Response(SOLD_OUT, status_code=409)
        await connection.execute(DECREMENT, data.tier, data.date)
        order_id = await connection.fetchval(ADD_ORDER, data.ticket, data.tier, data.date)
    return Response(QuoteOut(order_id, remaining - 1), status_code=201)


@get("/health")
async def health() -> str:
    return "ok"


app = Litestar(
    route_handlers=[quote, health], on_startup=[open_pool], on_shutdown=[close_pool], debug=False
)
