"""Baseline 1: the bare capacity transaction on the product's stack.

Litestar POST /quote -> a sync handler in a worker thread (as the product's use cases run on the
postgres profile: a pool of BENCH_THREADS threads, as TAP_WORKER_THREADS gives the product) ->
SQLAlchemy Core on a sync engine with psycopg 3, statements built once:
BEGIN; SELECT remaining ... FOR UPDATE; check; UPDATE remaining - 1; INSERT the order
RETURNING id; COMMIT. No auth, no idempotency, no logging, no domain objects.

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/db \\
        python -m uvicorn sqlalchemy_app:app --app-dir bench/baselines --port 8000
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from common import DATABASE_URL, POOL_SIZE, SOLD_OUT, THREADS, QuoteIn, QuoteOut
from litestar import Litestar, Response, get, post
from litestar.concurrency import set_asyncio_executor
from sqlalchemy import (
    DATE,
    BigInteger,
    Column,
    Integer,
    MetaData,
    Table,
    Text,
    bindparam,
    create_engine,
    insert,
    make_url,
    select,
    update,
)

metadata = MetaData()
capacity = Table(
    "capacity",
    metadata,
    Column("tier", Text, primary_key=True),
    Column("visit_date", DATE, primary_key=True),
    Column("initial", Integer),
    Column("remaining", Integer),
)
orders = Table(
    "orders",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("ticket", Text),
    Column("tier", Text),
    Column("visit_date", DATE),
)

# The product's worker pool (entrypoints/http/dependencies.py): TAP_WORKER_THREADS threads,
# rather than asyncio's default of min(32, CPUs + 4).
set_asyncio_executor(ThreadPoolExecutor(THREADS, thread_name_prefix="use-case"))

# The product's engine settings: psycopg 3, pool + as much overflow, options set per connection.
engine = create_engine(
    make_url(DATABASE_URL).set(drivername="postgresql+psycopg"),
    pool_size=POOL_SIZE,
    max_overflow=POOL_SIZE,
    pool_timeout=10,
    connect_args={"options": "-c lock_timeout=3000 -c TimeZone=UTC"},
)

# Built once; only the values are bound per request. (Names apart from the columns: an UPDATE
# reserves a column's own name for its SET clause.)
_KEY = (capacity.c.tier == bindparam("k_tier")) & (capacity.c.visit_date == bindparam("k_day"))
LOCK = select(capacity.c.remaining).where(_KEY).with_for_update()
DECREMENT = update(capacity).where(_KEY).values(remaining=capacity.c.remaining - 1)
ADD_ORDER = (
    insert(orders)
    .values(ticket=bindparam("ticket"), tier=bindparam("k_tier"), visit_date=bindparam("k_day"))
    .returning(orders.c.id)
)


@post("/quote", sync_to_thread=True)
def quote(data: QuoteIn) -> Response[QuoteOut | dict[str, str]]:
    values = {"k_tier": data.tier, "k_day": data.date, "ticket": data.ticket}
    with engine.begin() as connection:
        remaining = connection.execute(LOCK, values).scalar()
        if remaining is None or remaining <= 0:
            return Response(SOLD_OUT, status_code=409)
        connection.execute(DECREMENT, values)
        order_id = connection.execute(ADD_ORDER, values).scalar_one()
    return Response(QuoteOut(order_id, remaining - 1), status_code=201)


@get("/health", sync_to_thread=False)
def health() -> str:
    return "ok"


app = Litestar(route_handlers=[quote, health], on_shutdown=[engine.dispose], debug=False)
