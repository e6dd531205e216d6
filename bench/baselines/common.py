"""What both baseline apps share: the request and answer bodies and the database settings.

Settings come from the environment: BENCH_DATABASE_URL (postgresql://user@host:port/db) and
BENCH_POOL_SIZE (per pool; the SQLAlchemy engine may add as many again as overflow, like the
product's engine, and the asyncpg pool gets the same total).
"""

from __future__ import annotations

import datetime
import os

import msgspec

DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/bench")
POOL_SIZE = int(os.environ.get("BENCH_POOL_SIZE", "20"))
THREADS = int(os.environ.get("BENCH_THREADS", str(4 * (os.cpu_count() or 1))))


class QuoteIn(msgspec.Struct):
    ticket: str
    tier: str
    date: datetime.date


class QuoteOut(msgspec.Struct):
    id: int
    remaining: int


SOLD_OUT = {"error": "sold_out"}
