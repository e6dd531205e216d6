"""A small keep-alive HTTP/1.1 client for load generation, cheap enough to share 2 cores.

General clients (httpx, aiohttp) spend several times the CPU per request that this does, and on
this machine the load generator competes with the server for the same two cores.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Reply:
    status: int
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class Connection:
    """One persistent connection; requests on it are sequential."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str):
        self._reader = reader
        self._writer = writer
        self._host = host

    @classmethod
    async def open(cls, host: str, port: int) -> Connection:
        reader, writer = await asyncio.open_connection(host, port)
        return cls(reader, writer, f"{host}:{port}")

    async def reopen(self) -> Connection:
        """A new connection to the same server (after this one broke)."""
        await self.close()
        host, _, port = self._host.rpartition(":")
        return await Connection.open(host, int(port))

    async def request(
        self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> Reply:
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self._host}"]
        for name, value in (headers or {}).items():
            lines.append(f"{name}: {value}")
        if body or method in ("POST", "PATCH"):
            lines.append("Content-Type: application/json")
            lines.append(f"Content-Length: {len(body)}")
        self._writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        head = await self._reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        chunked = False
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            lowered = name.lower()
            if lowered == b"content-length":
                length = int(value)
            elif lowered == b"transfer-encoding" and b"chunked" in value.lower():
                chunked = True
        if chunked:
            return Reply(status, await self._read_chunked())
        return Reply(status, await self._reader.readexactly(length) if length else b"")

    async def _read_chunked(self) -> bytes:
        parts = []
        while True:
            size = int((await self._reader.readuntil(b"\r\n")).strip(), 16)
            if size == 0:
                await self._reader.readuntil(b"\r\n")
                return b"".join(parts)
            parts.append(await self._reader.readexactly(size))
            await self._reader.readexactly(2)

    async def close(self) -> None:
        self._writer.close()
        with contextlib.suppress(ConnectionError):
            await self._writer.wait_closed()


# -- Load drivers -------------------------------------------------------------------------------
#
# A "unit" is one customer step (one quote, or a quote then its payment): an async callable
# `unit(connection, recorder, intended)` that sends its requests on the connection and reports
# each one to the recorder. `intended` is when the unit was meant to start: the moment a
# connection became free (closed loop), or its slot on the clock (open loop), so that latency in
# the open loop counts the time a request waited for a free connection (no coordinated
# omission).


class Exhausted(Exception):  # noqa: N818 - a signal, not an error
    """The unit has nothing left to send (e.g. no fresh ticket)."""


Unit = Callable[[Connection, "Recorder", float], Awaitable[None]]


def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"count": 0}
    ordered = sorted(values)

    def at(share: float) -> float:
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]

    return {
        "count": len(ordered),
        "p50": at(0.50),
        "p90": at(0.90),
        "p99": at(0.99),
        "p999": at(0.999),
        "max": ordered[-1],
        "mean": sum(ordered) / len(ordered),
    }


@dataclass
class Recorder:
    """Latencies (ms) of the requests inside the measured window, and every status seen.

    A request belongs to the window by its completion time (closed loop) or by its intended
    start (open loop: every request scheduled in the window counts, however late it ends).
    """

    window_start: float = 0.0
    window_end: float = 0.0
    by_intended: bool = False
    latencies: dict[str, list[float]] = field(default_factory=dict)
    moments: list[tuple[float, float]] = field(default_factory=list)  # (window offset s, ms)
    statuses: Counter[str] = field(default_factory=Counter)
    window_statuses: Counter[str] = field(default_factory=Counter)
    unit_latencies: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    exhausted: bool = False

    def _in_window(self, intended: float, finished: float) -> bool:
        moment = intended if self.by_intended else finished
        return self.window_start <= moment < self.window_end

    def request(
        self, kind: str, intended: float, finished: float, reply: Reply, expected: set[int]
    ) -> None:
        label = f"{kind} {reply.status}"
        self.statuses[label] += 1
        if reply.status not in expected and len(self.failures) < 20:
            self.failures.append(f"{label}: {reply.body[:200]!r}")
        if self._in_window(intended, finished):
            self.window_statuses[label] += 1
            latency = (finished - intended) * 1000
            self.latencies.setdefault(kind, []).append(latency)
            self.moments.append((intended - self.window_start, latency))

    def broken(self, error: BaseException) -> None:
        """The connection broke mid-unit (the unit is lost; a new connection takes over)."""
        label = f"connection {type(error).__name__}"
        self.statuses[label] += 1
        if len(self.failures) < 20:
            self.failures.append(f"{label}: {error}")

    def unit(self, intended: float, finished: float) -> None:
        """A whole unit (e.g. quote + pay) completed."""
        if self._in_window(intended, finished):
            self.unit_latencies.append((finished - intended) * 1000)

    def worst_seconds(self, count: int = 3) -> list[dict[str, Any]]:
        """The seconds of the window (by start time) with the slowest requests: whether a tail
        comes from one stall or is spread over the run."""
        seconds: dict[int, list[float]] = {}
        for offset, latency in self.moments:
            seconds.setdefault(int(offset), []).append(latency)
        ranked = sorted(seconds.items(), key=lambda item: max(item[1]), reverse=True)[:count]
        return [
            {
                "second": second,
                "requests": len(values),
                "max_ms": max(values),
                "over_50ms": sum(v > 50 for v in values),
            }
            for second, values in ranked
        ]

    def summary(self) -> dict[str, Any]:
        span = self.window_end - self.window_start
        in_window = sum(len(v) for v in self.latencies.values())
        every = [x for values in self.latencies.values() for x in values]
        return {
            "window_s": span,
            "requests": in_window,
            "rps": in_window / span if span else 0.0,
            "latency_ms": percentiles(every),
            "latency_by_kind_ms": {k: percentiles(v) for k, v in self.latencies.items()},
            "units": len(self.unit_latencies),
            "units_per_s": len(self.unit_latencies) / span if span else 0.0,
            "unit_latency_ms": percentiles(self.unit_latencies),
            "statuses": dict(self.statuses),
            "window_statuses": dict(self.window_statuses),
            "failures": self.failures,
            "exhausted": self.exhausted,
            "worst_seconds": self.worst_seconds(),
        }


async def _open_all(host: str, port: int, count: int) -> list[Connection]:
    return list(await asyncio.gather(*(Connection.open(host, port) for _ in range(count))))


async def _run(
    connection: Connection, unit: Unit, recorder: Recorder, intended: float
) -> Connection:
    """Run one unit; on a broken connection, note it and carry on with a new one."""
    try:
        await unit(connection, recorder, intended)
    except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as error:
        recorder.broken(error)
        return await connection.reopen()
    return connection


async def _sleep_until(moment: float) -> None:
    delay = moment - time.perf_counter()
    if delay > 0:
        await asyncio.sleep(delay)


async def closed_loop(
    host: str,
    port: int,
    connections: int,
    warmup: float,
    duration: float,
    unit: Unit,
    on_window: Callable[[str], None] = lambda _: None,
) -> Recorder:
    """`connections` clients, each sending its next unit as soon as the last one answered, for
    `warmup` + `duration` seconds; only the last `duration` seconds are measured."""
    pool = await _open_all(host, port, connections)
    started = time.perf_counter()
    recorder = Recorder(started + warmup, started + warmup + duration)

    async def marks() -> None:
        await _sleep_until(recorder.window_start)
        on_window("start")
        await _sleep_until(recorder.window_end)
        on_window("end")

    async def client(connection: Connection) -> None:
        try:
            while time.perf_counter() < recorder.window_end:
                try:
                    connection = await _run(connection, unit, recorder, time.perf_counter())
                except Exhausted:
                    recorder.exhausted = True
                    return
        finally:
            await connection.close()

    await asyncio.gather(marks(), *(client(c) for c in pool))
    return recorder


async def open_loop(
    host: str,
    port: int,
    connections: int,
    rate: float,
    warmup: float,
    duration: float,
    unit: Unit,
    on_window: Callable[[str], None] = lambda _: None,
    drain_timeout: float = 30.0,
) -> Recorder:
    """Units started on a clock, `rate` per second, whatever the answers' speed (open loop),
    on up to `connections` connections; a unit waits for a free connection when all are busy,
    and that wait counts in its latency. Units scheduled in the last `duration` seconds are
    measured."""
    pool = await _open_all(host, port, connections)
    started = time.perf_counter() + 0.05
    recorder = Recorder(started + warmup, started + warmup + duration, by_intended=True)
    queue: asyncio.Queue[float | None] = asyncio.Queue()
    total = int(rate * (warmup + duration))

    async def clock() -> None:
        window_marked = False
        for index in range(total):
            due = started + index / rate
            if not window_marked and due >= recorder.window_start:
                await _sleep_until(due)
                on_window("start")
                window_marked = True
            await _sleep_until(due)
            queue.put_nowait(due)
        await _sleep_until(recorder.window_end)
        on_window("end")
        for _ in pool:
            queue.put_nowait(None)

    async def client(connection: Connection) -> None:
        try:
            while (due := await queue.get()) is not None:
                try:
                    connection = await _run(connection, unit, recorder, due)
                except Exhausted:
                    recorder.exhausted = True
        finally:
            await connection.close()

    clients = asyncio.gather(*(client(c) for c in pool))
    await clock()
    try:
        await asyncio.wait_for(clients, drain_timeout)
    except TimeoutError:
        recorder.failures.append(f"{queue.qsize()} units still queued after {drain_timeout} s")
    return recorder
