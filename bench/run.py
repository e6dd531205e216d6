"""Benchmarks of the local build (memory profile), run against a real `tap serve` process.

1. Latency of GET /api/tickets/{ref}/upgrade-options?days=60, one request at a time, next to
   GET /api/health measured the same way in the same run (the ratio is what survives noise).
2. Throughput of the upgrade: quote (POST /api/upgrades) then pay with 4242 (POST .../payment),
   from `--connections` concurrent customers' sessions, for `--duration` seconds.

Each run starts a fresh server (so runs do not inherit each other's orders), and the figures
reported are medians over `--runs`. The load generator shares the machine's cores with the
server; the CPU each used is reported so the split is visible.

    .venv/bin/python bench/run.py                # 3 runs of 10 s, 16 connections
    .venv/bin/python bench/run.py --runs 5 --duration 20
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import resource
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from httpload import Connection
from serving import free_port, start_tap_serve, stop_tap_serve

ROOT = Path(__file__).resolve().parent.parent
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
LOADTEST_EMAIL = "loadtest@example.com"
DEMO_PASSWORD = "Funland-2026"
CARD = {
    "number": "4242424242424242",
    "exp_month": 12,
    "exp_year": 2030,
    "cvc": "123",
    "name": "Load Tester",
}


@dataclass
class RunResult:
    health_p50_ms: float
    options_p50_ms: float
    options_p90_ms: float
    options_bytes: int
    upgrades: int
    upgrades_per_s: float
    upgrade_p50_ms: float
    upgrade_p99_ms: float
    failures: int
    server_cores: float
    generator_cores: float
    other_cores: float


def process_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def machine_busy() -> float:
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return (sum(values[:8]) - idle) / CLOCK_TICKS


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def sign_in(connection: Connection) -> dict[str, str]:
    body = json.dumps({"email": LOADTEST_EMAIL, "password": DEMO_PASSWORD}).encode()
    reply = await connection.request("POST", "/api/auth/login", body)
    assert reply.status == 200, reply.body
    return {"Authorization": f"Bearer {reply.json()['access_token']}"}


async def timed(
    connection: Connection, path: str, headers: dict[str, str], count: int
) -> tuple[list[float], int]:
    samples, size = [], 0
    for _ in range(count):
        started = time.perf_counter()
        reply = await connection.request("GET", path, headers=headers)
        samples.append((time.perf_counter() - started) * 1000)
        assert reply.status == 200, reply.body[:300]
        size = len(reply.body)
    return samples, size


async def upgrade_worker(
    host: str,
    port: int,
    auth: dict[str, str],
    tickets: itertools.count,
    ticket_list: list,
    stop_at: float,
    latencies: list[float],
    failures: list[str],
) -> None:
    connection = await Connection.open(host, port)
    try:
        while time.perf_counter() < stop_at:
            number, day = ticket_list[next(tickets)]
            started = time.perf_counter()
            quote = await connection.request(
                "POST",
                "/api/upgrades",
                json.dumps({"ticket": number, "tier": "standard", "date": day}).encode(),
                {**auth, "Idempotency-Key": uuid.uuid4().hex},
            )
            if quote.status != 201:
                failures.append(f"quote {quote.status} {quote.body[:120]!r}")
                continue
            order_id = quote.json()["id"]
            paid = await connection.request(
                "POST",
                f"/api/upgrades/{order_id}/payment",
                json.dumps({"card": CARD}).encode(),
                {**auth, "Idempotency-Key": uuid.uuid4().hex},
            )
            if paid.status != 200:
                failures.append(f"pay {paid.status} {paid.body[:120]!r}")
                continue
            latencies.append((time.perf_counter() - started) * 1000)
    finally:
        await connection.close()


async def one_run(args: argparse.Namespace, run: int) -> RunResult:
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="tap-bench-") as folder:
        workdir = Path(folder)
        log = ROOT / "bench" / "results" / f"server-{run}.log"
        log.parent.mkdir(exist_ok=True)
        server = start_tap_serve(
            port,
            {
                "DEMO_LOAD_TICKETS": str(args.tickets),
                "RATE_LIMIT_PER_MINUTE": "0",
                "MAIL_DIR": str(workdir / "mail"),
                "SITE_URL": f"http://127.0.0.1:{port}",
            },
            log,
        )
        try:
            return await measure(args, port, server.pid)
        finally:
            stop_tap_serve(server)


async def measure(args: argparse.Namespace, port: int, server_pid: int) -> RunResult:
    host = "127.0.0.1"
    connection = await Connection.open(host, port)
    auth = await sign_in(connection)
    listing = await connection.request("GET", "/api/tickets", headers=auth)
    ticket_list = [
        (t["number"], t["visit_date"])
        for t in listing.json()
        if t["tier"] == "general" and t["eligibility"]["eligible"]
    ]
    reference = ticket_list[-1][0]
    options_path = f"/api/tickets/{reference}/upgrade-options?days=60"
    await timed(connection, options_path, auth, 50)  # warm-up
    await timed(connection, "/api/health", {}, 50)
    health, _ = await timed(connection, "/api/health", {}, args.samples)
    options, size = await timed(connection, options_path, auth, args.samples)
    await connection.close()

    tickets = itertools.count()
    warmup_latencies: list[float] = []
    await asyncio.gather(
        *(
            upgrade_worker(
                host,
                port,
                auth,
                tickets,
                ticket_list,
                time.perf_counter() + args.warmup,
                warmup_latencies,
                [],
            )
            for _ in range(args.connections)
        )
    )
    latencies: list[float] = []
    failures: list[str] = []
    server_before, busy_before, own_before = process_cpu(server_pid), machine_busy(), own_cpu()
    started = time.perf_counter()
    await asyncio.gather(
        *(
            upgrade_worker(
                host, port, auth, tickets, ticket_list, started + args.duration, latencies, failures
            )
            for _ in range(args.connections)
        )
    )
    elapsed = time.perf_counter() - started
    server_cores = (process_cpu(server_pid) - server_before) / elapsed
    generator_cores = (own_cpu() - own_before) / elapsed
    other = max(0.0, (machine_busy() - busy_before) / elapsed - server_cores - generator_cores)
    if failures:
        print(f"  {len(failures)} failed upgrades, e.g. {failures[0]}", file=sys.stderr)
    return RunResult(
        health_p50_ms=statistics.median(health),
        options_p50_ms=statistics.median(options),
        options_p90_ms=percentile(options, 0.9),
        options_bytes=size,
        upgrades=len(latencies),
        upgrades_per_s=len(latencies) / elapsed,
        upgrade_p50_ms=statistics.median(latencies),
        upgrade_p99_ms=percentile(latencies, 0.99),
        failures=len(failures),
        server_cores=server_cores,
        generator_cores=generator_cores,
        other_cores=other,
    )


def report(results: list[RunResult], args: argparse.Namespace) -> str:
    def med(name: str) -> float:
        return statistics.median(getattr(r, name) for r in results)

    def spread(name: str) -> str:
        values = [getattr(r, name) for r in results]
        return f"{min(values):,.2f}–{max(values):,.2f}"

    rows = [
        ("GET /api/health p50 (baseline)", "ms", "health_p50_ms"),
        ("GET upgrade-options days=60 p50", "ms", "options_p50_ms"),
        ("GET upgrade-options days=60 p90", "ms", "options_p90_ms"),
        ("quote + pay, upgrades per second", "/s", "upgrades_per_s"),
        ("quote + pay, latency p50", "ms", "upgrade_p50_ms"),
        ("quote + pay, latency p99", "ms", "upgrade_p99_ms"),
        ("failed upgrades", "", "failures"),
        ("server CPU", "cores", "server_cores"),
        ("load generator CPU", "cores", "generator_cores"),
        ("other processes' CPU", "cores", "other_cores"),
    ]
    lines = [
        f"{len(results)} runs × {args.duration:g} s, {args.connections} connections, "
        f"{args.samples} latency samples; medians (min–max)",
        "",
        "| measure | median | min–max | unit |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {label} | {med(name):,.2f} | {spread(name)} | {unit} |" for label, unit, name in rows
    ]
    ratio = med("options_p50_ms") / med("health_p50_ms")
    lines += [
        "",
        f"upgrade-options (60 days) / health latency ratio: {ratio:.1f}×; "
        f"response {results[0].options_bytes:,} bytes",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--tickets", type=int, default=20000)
    args = parser.parse_args()
    results = []
    for run in range(1, args.runs + 1):
        result = asyncio.run(one_run(args, run))
        print(
            f"run {run}: {result.upgrades_per_s:,.0f} upgrades/s, options p50 "
            f"{result.options_p50_ms:.2f} ms, health p50 {result.health_p50_ms:.2f} ms",
            file=sys.stderr,
        )
        results.append(result)
    text = report(results, args)
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    (out / f"{stamp}.json").write_text(json.dumps([asdict(r) for r in results], indent=2))
    (out / "latest.md").write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
