"""The upgrade path on the `postgres` profile, next to two bare baselines measured in the same run.

Configurations (each in a fresh database, `--runs` times, interleaved round by round so that a
noisy minute hits all of them alike):

  asyncpg          baseline: Litestar POST -> the bare capacity transaction on raw asyncpg
  sqlalchemy       baseline: the same on the product's stack (sync SQLAlchemy Core + psycopg 3,
                   handler in a worker thread, statements built once)
  quote            `tap serve --profile postgres`: POST /api/upgrades, a fresh ticket per quote
  quote_nokey      the same without an Idempotency-Key header (what the key's two extra
                   transactions cost)
  quote_pay        quote, then POST /api/upgrades/{id}/payment with the 4242 card
  quote_rate       POST /api/upgrades on a clock (`--rate` per second, open loop; latency from
                   the scheduled time, so waiting for a free connection counts)
  sqlalchemy_rate  the SQLAlchemy baseline on the same clock, for reference
  sellout          quote + pay on 8 (tier, date) rows of capacity 25 until they sell out: the
                   invariants below then say something (the throughput runs never sell out)

The product measured is a commit (`--source`, default HEAD) exported with `git archive` into a
temporary folder, so that uncommitted work in the tree does not change the figures
(`--source worktree` measures the tree as it is). The load generator (bench/httpload.py, in a
child process) and the servers share the machine's cores. Before every run the script waits
until other processes use less than `--quiet-max-cores`, then splits the CPU of the measured
window into server / PostgreSQL (our databases' backends and the cluster's auxiliary processes)
/ load generator / kernel / other (everything that is not ours). A run that other work
disturbed is retried once (`--retries`) and kept as "discarded".

After every run it checks in SQL: for every (tier, date) sold <= capacity, sold + live holds <=
capacity and sold = the confirmed orders there; exactly one succeeded payment attempt per
confirmed order and none for an order not confirmed; no ticket with two live holds; and that the
database holds exactly the orders the load generator was answered 201 for (and the confirmed
ones it was answered 200 for).

Then it profiles the server under the quote load with py-spy (`--gil`) and summarises where
the time goes, and counts the SQL statements and transactions one quote and one payment cost
(in process, through the real app, with SQLAlchemy's engine events).

    .venv/bin/python bench/postgres.py                           # everything, ~15 minutes
    .venv/bin/python bench/postgres.py --runs 5 --duration 20
    .venv/bin/python bench/postgres.py --configs quote,sqlalchemy --runs 1 --no-profile

Needs a PostgreSQL that `--pg` reaches as a role allowed to create databases (default
postgresql://postgres@127.0.0.1:5432); every database it makes is named tapbench_<pid>_* and
dropped afterwards (`--keep-db` keeps them).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import itertools
import json
import os
import platform
import re
import resource
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import psycopg

try:
    import uvloop
except ImportError:  # the load generator then runs on asyncio's own loop
    uvloop = None

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
BASELINES = HERE / "baselines"
sys.path.insert(0, str(HERE))

from httpload import Connection, Exhausted, Recorder, closed_loop, open_loop  # noqa: E402
from serving import free_port  # noqa: E402

LOADTEST_EMAIL = "loadtest@example.com"
DEMO_PASSWORD = "Funland-2026"  # the documented demo password
PARK_TZ = "America/Los_Angeles"
CARD_BODY = json.dumps(
    {
        "card": {
            "number": "4242424242424242",
            "exp_month": 12,
            "exp_year": 2030,
            "cvc": "123",
            "name": "Load Tester",
        }
    }
).encode()
SELLOUT_CAPACITY = 25
SELLOUT_DAYS = (30, 31, 32, 33)  # days from the park's today; clear of the demo's closed day
BASELINE_DAYS = 118  # like the product's booking window
BASELINE_CAPACITY = 1_000_000_000


def log(*parts: object) -> None:
    print(time.strftime("%H:%M:%S"), *parts, file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Config:
    name: str
    label: str
    target: str  # "product" or a baseline app module
    scenario: str  # "purchase" (baselines), "quote", "quote_pay", "sellout"
    mode: str = "closed"  # or "open"
    keys: bool = True  # send an Idempotency-Key with each POST (product only)


CONFIGS = {
    c.name: c
    for c in (
        Config("asyncpg", "baseline: raw asyncpg", "asyncpg_app", "purchase"),
        Config(
            "sqlalchemy",
            "baseline: SQLAlchemy Core + psycopg 3 (sync, thread)",
            "sqlalchemy_app",
            "purchase",
        ),
        Config("quote", "quote: POST /api/upgrades", "product", "quote"),
        Config(
            "quote_nokey",
            "quote without Idempotency-Key",
            "product",
            "quote",
            keys=False,
        ),
        Config("quote_pay", "quote + pay (2 requests)", "product", "quote_pay"),
        Config("quote_rate", "quote, fixed rate (open loop)", "product", "quote", "open"),
        Config(
            "sqlalchemy_rate",
            "baseline SQLAlchemy, fixed rate (open loop)",
            "sqlalchemy_app",
            "purchase",
            "open",
        ),
        Config("sellout", "sell-out check: quote + pay on 8 rows", "product", "sellout"),
    )
}
DEFAULT_CONFIGS = (
    "asyncpg,sqlalchemy,quote,quote_nokey,quote_pay,quote_rate,sqlalchemy_rate,sellout"
)


# ---------------------------------------------------------------------------------------------
# CPU accounting: who used the cores during the measured window
# ---------------------------------------------------------------------------------------------
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PG_BACKEND = re.compile(r"^postgres: [^:]+: (\S+) (\S+) (?:\S+\(\d+\)|\[local\])")


def machine_cpu() -> tuple[float, float, float]:
    """(busy, interrupt, stolen) seconds of the whole machine so far."""
    with open("/proc/stat") as stat:
        values = [int(v) for v in stat.readline().split()[1:9]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = values
    busy = (user + nice + system + irq + softirq) / CLOCK_TICKS
    return busy, (irq + softirq) / CLOCK_TICKS, steal / CLOCK_TICKS


def proc_stat(pid: int) -> tuple[int, int, float, float] | None:
    """(parent pid, process group, cpu seconds, of which in the kernel) of a process, or None
    if it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            text = stat.read()
    except OSError:
        return None
    rest = text[text.rindex(")") + 2 :].split()
    user, system = int(rest[11]), int(rest[12])
    return int(rest[1]), int(rest[2]), (user + system) / CLOCK_TICKS, system / CLOCK_TICKS


def cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return handle.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


def thread_cpu(pid: int) -> dict[int, tuple[float, float]]:
    """(user, kernel) CPU seconds of each thread of a process, by thread id."""
    found = {}
    with contextlib.suppress(OSError):
        for entry in os.listdir(f"/proc/{pid}/task"):
            with contextlib.suppress(OSError), open(f"/proc/{pid}/task/{entry}/stat") as stat:
                rest = stat.read().rsplit(")", 1)[1].split()
                found[int(entry)] = (int(rest[11]) / CLOCK_TICKS, int(rest[12]) / CLOCK_TICKS)
    return found


def split_threads(
    pid: int, before: dict[int, tuple[float, float]], after: dict[int, tuple[float, float]]
) -> dict[str, float]:
    """CPU seconds in between: user time of the main (event loop) thread and of the other
    threads, and kernel time of all of them."""
    split = {"event loop thread": 0.0, "worker threads": 0.0, "kernel (all threads)": 0.0}
    for tid, (user, kernel) in after.items():
        user0, kernel0 = before.get(tid, (0.0, 0.0))
        split["event loop thread" if tid == pid else "worker threads"] += user - user0
        split["kernel (all threads)"] += kernel - kernel0
    return split


def self_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class CpuMeter:
    """Samples every process in /proc every 0.25 s and splits the machine's busy CPU into: the
    server's process group, our PostgreSQL (our databases' backends and the cluster's
    auxiliary processes), the load generator, this script, the kernel (kernel threads and
    interrupt time no process is charged for), and "other": every other process, plus busy
    time no process accounts for beyond the interrupt time (a short-lived process missed
    between two samples)."""

    ROLES = ("server", "postgres", "loadgen", "harness", "profiler", "kernel", "other")

    def __init__(
        self, postmaster: int, db_prefix: str, server_pgid: int, loadgen: int = 0, profiler: int = 0
    ):
        self.postmaster = postmaster
        self.db_prefix = db_prefix
        self.server_pgid = server_pgid
        self.loadgen = loadgen
        self.profiler = profiler
        self._roles: dict[int, str] = {}
        self._first: dict[int, tuple[float, float]] = {}
        self._last: dict[int, tuple[float, float]] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _role(self, pid: int, parent: int, group: int) -> str:
        if group == self.server_pgid:
            return "server"
        if pid == self.loadgen:
            return "loadgen"
        if pid == os.getpid():
            return "harness"
        if pid == self.profiler:
            return "profiler"
        if pid == 2 or parent == 2:
            return "kernel"
        if pid == self.postmaster:
            return "postgres"
        if parent == self.postmaster:
            found = PG_BACKEND.match(cmdline(pid))
            # A backend of another database is someone else's work; auxiliary processes
            # (walwriter, checkpointer, ...) serve ours too.
            if found is None or found.group(2).startswith(self.db_prefix):
                return "postgres"
        return "other"

    def _sample(self, first: bool = False) -> None:
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            pid = int(entry)
            stat = proc_stat(pid)
            if stat is None:
                continue
            if pid not in self._roles:
                self._roles[pid] = self._role(pid, stat[0], stat[1])
                # (cpu, kernel cpu) at the start, or zero for a process born in the window
                self._first[pid] = (stat[2], stat[3]) if first else (0.0, 0.0)
            self._last[pid] = (stat[2], stat[3])

    def _loop(self) -> None:
        while not self._stop.wait(0.25):
            self._sample()

    def start(self) -> CpuMeter:
        self.started = time.perf_counter()
        self.busy0, self.irq0, self.steal0 = machine_cpu()
        self._sample(first=True)
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> dict[str, float]:
        self._sample()
        self._stop.set()
        assert self._thread is not None
        self._thread.join()
        wall = time.perf_counter() - self.started
        busy, irq, steal = machine_cpu()
        total, interrupts = busy - self.busy0, irq - self.irq0
        used = dict.fromkeys(self.ROLES, 0.0)
        server_kernel = 0.0
        for pid, (cpu, kernel) in self._last.items():
            role = self._roles[pid]
            used[role] += max(0.0, cpu - self._first[pid][0])
            if role == "server":
                server_kernel += max(0.0, kernel - self._first[pid][1])
        unaccounted = max(0.0, total - sum(used.values()))
        used["kernel"] += min(unaccounted, interrupts)
        used["other"] += unaccounted - min(unaccounted, interrupts)

        def cores(seconds: float) -> float:
            return round(seconds / wall, 3) if wall > 0 else 0.0

        return {
            "wall_s": round(wall, 2),
            "total": cores(total),
            **{role: cores(used[role]) for role in self.ROLES},
            "server_in_kernel": cores(server_kernel),
            "steal": cores(steal - self.steal0),
        }


# ---------------------------------------------------------------------------------------------
# PostgreSQL
# ---------------------------------------------------------------------------------------------
class Database:
    """Creates, checks and drops the run's databases through an admin connection."""

    def __init__(self, base_url: str, prefix: str):
        self.base_url = base_url.rstrip("/")
        self.prefix = prefix
        self.admin = psycopg.connect(f"{self.base_url}/postgres", autocommit=True)
        backend = self.admin.execute("SELECT pg_backend_pid()").fetchone()
        stat = proc_stat(backend[0]) if backend else None
        self.postmaster = stat[0] if stat else -1
        version = self.admin.execute("SHOW server_version").fetchone()
        self.server_version = version[0] if version else "?"

    def url(self, name: str) -> str:
        return f"{self.base_url}/{name}"

    def create(self, name: str) -> None:
        self.admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.admin.execute(f'CREATE DATABASE "{name}"')

    def drop(self, name: str) -> None:
        self.admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def leftovers(self) -> list[str]:
        rows = self.admin.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s", (f"{self.prefix}%",)
        ).fetchall()
        return [row[0] for row in rows]

    def query(self, name: str, sql: str, params: Any = None) -> list[Any]:
        with psycopg.connect(self.url(name), autocommit=True) as connection:
            cursor = connection.execute(sql, params)
            return cursor.fetchall() if cursor.description else []

    def one(self, name: str, sql: str, params: Any = None) -> dict[str, Any]:
        with psycopg.connect(self.url(name), autocommit=True) as connection:
            cursor = connection.execute(sql, params)
            row = cursor.fetchone()
            assert cursor.description is not None
            assert row is not None
            names = [column.name for column in cursor.description]
            return dict(zip(names, row, strict=True))

    def wait_idle(self, name: str, timeout: float = 30.0) -> bool:
        """Until no session of ours is inside a transaction (late commits would otherwise be
        missed by the checks)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            busy = self.admin.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s"
                " AND pid <> pg_backend_pid() AND state IS NOT NULL AND state <> 'idle'",
                (name,),
            ).fetchone()
            if busy and busy[0] == 0:
                return True
            time.sleep(0.2)
        return False

    def settle(self, name: str) -> None:
        """Fresh statistics and no checkpoint debt: every run starts from the same state."""
        with psycopg.connect(self.url(name), autocommit=True) as connection:
            connection.execute("VACUUM ANALYZE")
        self.admin.execute("CHECKPOINT")

    def xacts(self, name: str) -> int:
        row = self.admin.execute(
            "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = %s", (name,)
        ).fetchone()
        return int(row[0]) if row else 0


PRODUCT_CHECKS = """
WITH live AS (
    SELECT tier, visit_date, count(*) AS n FROM upgrade_orders
    WHERE status IN ('pending', 'processing') AND live_until > now() GROUP BY 1, 2
), confirmed AS (
    SELECT tier, visit_date, count(*) AS n FROM upgrade_orders
    WHERE status = 'confirmed' GROUP BY 1, 2
), rows AS (
    SELECT k.tier, k.visit_date, c.capacity, coalesce(c.sold, 0) AS sold,
           coalesce(l.n, 0) AS held, coalesce(o.n, 0) AS confirmed, c.tier IS NULL AS no_row
    FROM (SELECT tier, visit_date FROM capacity
          UNION SELECT tier, visit_date FROM upgrade_orders) AS k
    LEFT JOIN capacity c USING (tier, visit_date)
    LEFT JOIN live l USING (tier, visit_date)
    LEFT JOIN confirmed o USING (tier, visit_date)
), successes AS (
    SELECT order_id, count(*) AS n FROM payment_attempts WHERE outcome = 'succeeded' GROUP BY 1
)
SELECT
    (SELECT count(*) FROM rows) AS tier_dates,
    (SELECT count(*) FROM rows WHERE no_row) AS orders_without_capacity_row,
    (SELECT count(*) FROM rows WHERE sold > capacity) AS rows_sold_over_capacity,
    (SELECT count(*) FROM rows WHERE sold + held > capacity) AS rows_sold_and_held_over_capacity,
    (SELECT count(*) FROM rows WHERE sold <> confirmed) AS rows_sold_not_confirmed_count,
    (SELECT coalesce(sum(sold), 0) FROM rows) AS sold,
    (SELECT coalesce(sum(held), 0) FROM rows) AS live_holds,
    (SELECT count(*) FROM rows WHERE capacity IS NOT NULL AND sold + held = capacity) AS rows_full,
    (SELECT count(*) FROM upgrade_orders) AS orders,
    (SELECT count(*) FROM upgrade_orders WHERE status = 'confirmed') AS confirmed,
    (SELECT count(*) FROM upgrade_orders WHERE status = 'processing') AS processing,
    (SELECT count(*) FROM upgrade_orders o LEFT JOIN successes s ON s.order_id = o.id
      WHERE o.status = 'confirmed' AND coalesce(s.n, 0) <> 1)
        AS confirmed_without_exactly_one_success,
    (SELECT count(*) FROM successes s JOIN upgrade_orders o ON o.id = s.order_id
      WHERE o.status <> 'confirmed') AS successes_on_unconfirmed_orders,
    (SELECT count(*) FROM payment_attempts WHERE outcome = 'succeeded') AS succeeded_attempts,
    (SELECT count(*) FROM payment_attempts) AS payment_attempts,
    (SELECT count(*) FROM (SELECT ticket_id FROM upgrade_orders
      WHERE status IN ('pending', 'processing') AND live_until > now()
      GROUP BY 1 HAVING count(*) > 1) AS t) AS tickets_with_two_live_holds,
    (SELECT count(*) FROM upgrade_orders o JOIN customers c ON c.id = o.customer_id
      WHERE c.email = %(email)s) AS load_orders,
    (SELECT count(*) FROM upgrade_orders o JOIN customers c ON c.id = o.customer_id
      WHERE c.email = %(email)s AND o.status = 'confirmed') AS load_confirmed
"""

BASELINE_CHECKS = """
WITH sold AS (SELECT tier, visit_date, count(*) AS n FROM orders GROUP BY 1, 2)
SELECT
    (SELECT count(*) FROM capacity WHERE remaining < 0) AS rows_below_zero,
    (SELECT count(*) FROM capacity c LEFT JOIN sold s USING (tier, visit_date)
      WHERE c.initial - c.remaining <> coalesce(s.n, 0)) AS rows_sold_not_orders,
    (SELECT count(*) FROM sold s LEFT JOIN capacity c USING (tier, visit_date)
      WHERE c.tier IS NULL) AS orders_without_capacity_row,
    (SELECT coalesce(sum(initial - remaining), 0) FROM capacity) AS sold,
    (SELECT count(*) FROM orders) AS orders
"""


def product_verdict(checks: dict[str, Any], load: dict[str, Any]) -> list[str]:
    """What is wrong (empty: nothing)."""
    wrong = [
        f"{name} = {checks[name]}"
        for name in (
            "orders_without_capacity_row",
            "rows_sold_over_capacity",
            "rows_sold_and_held_over_capacity",
            "rows_sold_not_confirmed_count",
            "confirmed_without_exactly_one_success",
            "successes_on_unconfirmed_orders",
            "tickets_with_two_live_holds",
            "processing",
        )
        if checks[name]
    ]
    statuses = load["statuses"]
    quoted = statuses.get("quote 201", 0)
    paid = statuses.get("pay 200", 0)
    if checks["load_orders"] != quoted:
        wrong.append(f"orders in the database {checks['load_orders']} != 201 answers {quoted}")
    if checks["load_confirmed"] != paid:
        wrong.append(f"confirmed orders {checks['load_confirmed']} != 200 answers {paid}")
    if checks["succeeded_attempts"] != checks["confirmed"]:
        wrong.append(
            f"succeeded attempts {checks['succeeded_attempts']} != confirmed {checks['confirmed']}"
        )
    return wrong


def baseline_verdict(checks: dict[str, Any], load: dict[str, Any]) -> list[str]:
    wrong = [
        f"{name} = {checks[name]}"
        for name in ("rows_below_zero", "rows_sold_not_orders", "orders_without_capacity_row")
        if checks[name]
    ]
    created = load["statuses"].get("purchase 201", 0)
    if checks["orders"] != created:
        wrong.append(f"orders {checks['orders']} != 201 answers {created}")
    return wrong


# ---------------------------------------------------------------------------------------------
# Servers
# ---------------------------------------------------------------------------------------------
# Our servers are on loopback: never through a proxy the environment may name.
LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class Server:
    """A server in a process group of its own: stopped by signalling that group only."""

    def __init__(
        self, command: list[str], env: dict[str, str], port: int, log_path: Path, cwd: Path = ROOT
    ):
        self.command, self.env, self.port, self.log_path = command, env, port, log_path
        self.cwd = cwd
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, ready_path: str, timeout: float = 120.0) -> Server:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            self.command,
            cwd=self.cwd,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        url = f"http://127.0.0.1:{self.port}{ready_path}"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self._log.close()
                raise RuntimeError(f"the server exited at start; see {self.log_path}")
            try:
                with LOCAL.open(url, timeout=2) as reply:
                    reply.read()
                return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"the server did not answer {url} within {timeout:.0f} s")

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def stop(self) -> None:
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self._log.close()
        self.process = None


def post_json(port: int, path: str, body: dict[str, Any]) -> Any:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with LOCAL.open(request, timeout=30) as reply:
        return json.loads(reply.read())


def park_today() -> dt.date:
    return dt.datetime.now(ZoneInfo(PARK_TZ)).date()


# ---------------------------------------------------------------------------------------------
# One run of one configuration
# ---------------------------------------------------------------------------------------------
@dataclass
class Setup:
    """A started server over a fresh database, and what the load generator needs."""

    db: str
    server: Server
    spec: dict[str, Any]
    workdir: Path
    extra: dict[str, Any] = field(default_factory=dict)


class Bench:
    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.prefix = f"tapbench_{os.getpid()}_"
        self.db = Database(args.pg, self.prefix)
        self.python = sys.executable
        self.stamp = time.strftime("%Y%m%dT%H%M%S")
        self.logs = RESULTS / "logs" / f"postgres-{self.stamp}"
        self.source, self.commit = checkout(args.source)

    def product_env(self) -> dict[str, str]:
        """The environment of the product's processes: ours, minus database settings, with the
        measured source first on the path."""
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env["PYTHONPATH"] = str(self.source)
        return env

    def close(self) -> None:
        if self.source != ROOT:
            shutil.rmtree(self.source, ignore_errors=True)

    # -- setup ---------------------------------------------------------------------------
    def setup(self, config: Config, tag: str, duration: float) -> Setup:
        name = f"{self.prefix}{tag}"
        self.db.create(name)
        workdir = Path(tempfile.mkdtemp(prefix="tapbench-"))
        try:
            if config.target == "product":
                return self._setup_product(config, name, workdir, tag, duration)
            return self._setup_baseline(config, name, workdir, tag, duration)
        except BaseException:
            self.db.drop(name)
            shutil.rmtree(workdir, ignore_errors=True)
            raise

    def _base_spec(self, config: Config, port: int, duration: float) -> dict[str, Any]:
        args = self.args
        return {
            "scenario": config.scenario,
            "mode": config.mode,
            "port": port,
            "connections": args.connections,
            "warmup": args.warmup if config.name != "sellout" else 0.5,
            "duration": duration,
            "rate": args.rate,
            "idempotency_keys": config.keys and not args.no_idempotency_key,
        }

    def _setup_baseline(
        self, config: Config, name: str, workdir: Path, tag: str, duration: float
    ) -> Setup:
        first = park_today() + dt.timedelta(days=3)
        subprocess.run(
            [
                "psql",
                "-X",
                "-q",
                "-d",
                self.db.url(name),
                "-v",
                f"first_date={first.isoformat()}",
                "-v",
                f"ndates={BASELINE_DAYS}",
                "-v",
                f"capacity={BASELINE_CAPACITY}",
                "-f",
                str(BASELINES / "schema.sql"),
            ],
            check=True,
            capture_output=True,
        )
        port = free_port()
        env = {
            **os.environ,
            "BENCH_DATABASE_URL": self.db.url(name),
            "BENCH_POOL_SIZE": str(self.args.pool_size),
            "BENCH_THREADS": str(self.args.threads),
        }
        command = [
            self.python, "-m", "uvicorn", f"{config.target}:app", "--app-dir", str(BASELINES),
            "--host", "127.0.0.1", "--port", str(port), "--loop", "uvloop", "--http", "httptools",
            "--no-access-log", "--log-level", "warning",
        ]  # fmt: skip
        server = Server(command, env, port, self.logs / f"{tag}.log").start("/health")
        spec = self._base_spec(config, port, duration)
        spec["path"] = "/quote"
        spec["baseline_dates"] = [
            (first + dt.timedelta(days=n)).isoformat() for n in range(BASELINE_DAYS)
        ]
        return Setup(name, server, spec, workdir, {"command": command})

    def _setup_product(
        self, config: Config, name: str, workdir: Path, tag: str, duration: float
    ) -> Setup:
        args = self.args
        port = free_port()
        env = self.product_env()
        env.update(
            {
                "TAP_PROFILE": "postgres",
                "TAP_DATABASE_URL": self.db.url(name),
                "TAP_DEMO_DATA": "true",
                "TAP_DEMO_LOAD_TICKETS": str(args.tickets),
                "TAP_RATE_LIMIT_PER_MINUTE": "0",
                "TAP_MIGRATE_ON_START": "false",
                "TAP_DB_POOL_SIZE": str(args.pool_size),
                "TAP_WORKER_THREADS": str(args.threads),
                "TAP_MAIL_DIR": str(workdir / "mail"),
                "TAP_SITE_URL": f"http://127.0.0.1:{port}",
            }
        )
        hot: list[tuple[str, str]] = []
        if config.scenario == "sellout":
            today = park_today()
            hot = [
                ((today + dt.timedelta(days=d)).isoformat(), tier)
                for d in SELLOUT_DAYS
                for tier in ("standard", "non-stop")
            ]
            overrides = {f"{day}:{tier}": SELLOUT_CAPACITY for day, tier in hot}
            env["TAP_CAPACITY_OVERRIDES"] = json.dumps(overrides)
        migrate = [self.python, "-m", "entrypoints.cli", "migrate", "--profile", "postgres"]
        done = subprocess.run(migrate, cwd=self.source, env=env, capture_output=True, check=False)
        if done.returncode:
            raise RuntimeError(f"tap migrate failed: {done.stdout[-2000:]!r}")
        command = [
            self.python, "-m", "entrypoints.cli", "serve", "--profile", "postgres",
            "--host", "127.0.0.1", "--port", str(port),
        ]  # fmt: skip
        log_path = self.logs / f"{tag}.log"
        server = Server(command, env, port, log_path, self.source).start("/api/health")
        try:
            token = post_json(
                port, "/api/auth/login", {"email": LOADTEST_EMAIL, "password": DEMO_PASSWORD}
            )["access_token"]
            # Fresh general tickets, spread over the window by the seeding (one a day in
            # turn); the first bookable days are left out in case the park's date turns.
            rows = self.db.query(
                name,
                "SELECT t.number, t.visit_date FROM tickets t"
                " JOIN customers c ON c.id = t.customer_id"
                " WHERE c.email = %s AND t.tier = 'general' AND t.status = 'active'"
                " AND t.visit_date > (now() AT TIME ZONE %s)::date + 3 ORDER BY t.number",
                (LOADTEST_EMAIL, PARK_TZ),
            )
        except BaseException:
            server.stop()
            raise
        spec = self._base_spec(config, port, duration)
        spec["token"] = token
        spec["tickets"] = [(number, day.isoformat()) for number, day in rows]
        spec["hot"] = hot
        env_shown = {k: v for k, v in env.items() if k.startswith("TAP_")}
        env_shown["TAP_DATABASE_URL"] = self.db.url("<fresh database>")
        return Setup(name, server, spec, workdir, {"command": command, "env": env_shown})

    def teardown(self, setup: Setup) -> None:
        setup.server.stop()
        if not self.args.keep_db:
            self.db.drop(setup.db)
        shutil.rmtree(setup.workdir, ignore_errors=True)

    # -- quiet gate ------------------------------------------------------------------------
    def wait_quiet(self, server_pgid: int) -> tuple[float, float]:
        """Wait until other work uses < --quiet-max-cores for 2 s (at most --quiet-wait s)."""
        started = time.monotonic()
        while True:
            meter = CpuMeter(self.db.postmaster, self.prefix, server_pgid).start()
            time.sleep(2)
            other = meter.stop()["other"]
            waited = time.monotonic() - started
            if other <= self.args.quiet_max_cores:
                return waited, other
            if waited > self.args.quiet_wait:
                log(f"  ! not quiet after {waited:.0f} s (other {other:.2f} cores); running anyway")
                return waited, other
            time.sleep(3)

    # -- the load generator ------------------------------------------------------------------
    def run_load(
        self, setup: Setup, profile_path: Path | None = None
    ) -> tuple[dict[str, Any], dict[str, float], dict[str, Any]]:
        spec_path = setup.workdir / "spec.json"
        spec_path.write_text(json.dumps(setup.spec))
        self.db.settle(setup.db)
        waited, before = self.wait_quiet(setup.server.pid)
        xacts: list[int] = []
        child = subprocess.Popen(
            [self.python, str(Path(__file__).resolve()), "_load", str(spec_path)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=(setup.workdir / "load.err").open("wb"),
            text=True,
        )
        meter: CpuMeter | None = None
        cpu: dict[str, float] = {}
        spy: subprocess.Popen[bytes] | None = None
        result: dict[str, Any] | None = None
        assert child.stdout is not None
        for line in child.stdout:
            if line.startswith("WINDOW start"):
                xacts.append(self.db.xacts(setup.db))
                if profile_path is not None:
                    spy = subprocess.Popen(
                        [
                            str(Path(self.python).with_name("py-spy")),
                            *("record", "--gil", "-f", "raw", "--full-filenames"),
                            *("-p", str(setup.server.pid), "-r", str(self.args.profile_rate)),
                            *("-d", str(int(setup.spec["duration"])), "-o", str(profile_path)),
                        ],
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,
                    )
                meter = CpuMeter(
                    self.db.postmaster,
                    self.prefix,
                    setup.server.pid,
                    loadgen=child.pid,
                    profiler=spy.pid if spy is not None else 0,
                ).start()
                threads_before = thread_cpu(setup.server.pid)
            elif line.startswith("WINDOW end") and meter is not None:
                split = split_threads(
                    setup.server.pid, threads_before, thread_cpu(setup.server.pid)
                )
                cpu = meter.stop()
                cpu["server_threads"] = {k: round(v / cpu["wall_s"], 3) for k, v in split.items()}
                xacts.append(self.db.xacts(setup.db))
            elif line.startswith("RESULT "):
                result = json.loads(line[len("RESULT ") :])
        child.wait(timeout=60)
        if spy is not None:
            spy.wait(timeout=60)
        if result is None:
            error = (setup.workdir / "load.err").read_text()[-3000:]
            raise RuntimeError(f"the load generator failed: {error}")
        idle = self.db.wait_idle(setup.db)
        # Sessions report their counts about once a second, alike at both ends of the window.
        requests = result["rps"] * result["window_s"]
        per_request = (xacts[-1] - xacts[0]) / requests if len(xacts) == 2 and requests else None
        extra = {
            "quiet_wait_s": round(waited, 1),
            "other_before": before,
            "db_idle_before_checks": idle,
            "db_transactions_per_request": round(per_request, 2) if per_request else None,
        }
        return result, cpu, extra

    # -- one run, retried if disturbed -----------------------------------------------------------
    def run(self, config: Config, round_no: int) -> dict[str, Any]:
        duration = self.args.sellout_duration if config.name == "sellout" else self.args.duration
        if config.mode == "open":
            duration = self.args.rate_duration
        tries: list[dict[str, Any]] = []
        for attempt in range(1 + self.args.retries):
            tag = f"{config.name}_{round_no}_{attempt}"
            setup = self.setup(config, tag, duration)
            try:
                load, cpu, extra = self.run_load(setup)
                if config.target == "product":
                    checks = self.db.one(setup.db, PRODUCT_CHECKS, {"email": LOADTEST_EMAIL})
                    wrong = product_verdict(checks, load)
                else:
                    checks = self.db.one(setup.db, BASELINE_CHECKS)
                    wrong = baseline_verdict(checks, load)
            finally:
                self.teardown(setup)
            record = {
                "config": config.name,
                "round": round_no,
                "attempt": attempt,
                "load": load,
                "cpu": cpu,
                "checks": checks,
                "invariants_ok": not wrong,
                "invariant_failures": wrong,
                "disturbed": cpu.get("other", 0.0) > self.args.quiet_max_cores,
                "setup": setup.extra | {"tickets": len(setup.spec.get("tickets", []))},
                **extra,
            }
            tries.append(record)
            log(self.describe(record))
            if not record["disturbed"]:
                break
        best = min(tries, key=lambda r: r["cpu"].get("other", 0.0))
        best["discarded"] = [t for t in tries if t is not best]
        return best

    @staticmethod
    def describe(record: dict[str, Any]) -> str:
        load, cpu = record["load"], record["cpu"]
        latency = load["latency_ms"]
        text = (
            f"  {record['config']} r{record['round']} try {record['attempt']}: "
            f"{load['rps']:,.0f} req/s, p50 {latency.get('p50', 0):.1f} ms, "
            f"p99 {latency.get('p99', 0):.1f} ms; cpu srv {cpu.get('server', 0):.2f} "
            f"(sys {cpu.get('server_in_kernel', 0):.2f}) "
            f"pg {cpu.get('postgres', 0):.2f} gen {cpu.get('loadgen', 0):.2f} "
            f"kernel {cpu.get('kernel', 0):.2f} other {cpu.get('other', 0):.2f}; invariants "
            + ("ok" if record["invariants_ok"] else f"FAILED {record['invariant_failures']}")
        )
        open_loop_run = CONFIGS[record["config"]].mode == "open"
        stalls = [w for w in load.get("worst_seconds", []) if w["over_50ms"] and open_loop_run]
        if stalls:
            text += "; slow seconds: " + ", ".join(
                f"s{w['second']} {w['over_50ms']}/{w['requests']} max {w['max_ms']:.0f} ms"
                for w in stalls
            )
        if load.get("exhausted"):
            text += "  RAN OUT OF TICKETS (raise --tickets)"
        if record["disturbed"]:
            text += "  DISTURBED"
        bad = {k: v for k, v in load["statuses"].items() if not k.endswith(("201", "200"))}
        if bad:
            text += f"  other answers: {bad}"
        return text

    # -- profile -----------------------------------------------------------------------------
    def profile(self, config: Config) -> dict[str, Any]:
        tag = f"profile_{config.name}"
        setup = self.setup(config, tag, self.args.profile_duration)
        raw = RESULTS / f"postgres-{self.stamp}-profile-{config.name}.txt"
        try:
            load, cpu, _ = self.run_load(setup, profile_path=raw)
        finally:
            self.teardown(setup)
        root = self.source if config.target == "product" else BASELINES
        summary = summarise_profile(raw, root, cpu.get("server_threads"))
        summary.update({"raw": str(raw.relative_to(ROOT)), "rps_under_profiler": load["rps"]})
        summary["cpu"] = cpu
        log(f"  profiled {config.name}: {summary['samples']} samples, {load['rps']:,.0f} req/s")
        return summary

    def probe(self) -> dict[str, Any]:
        """Statements and transactions per quote and per payment, counted in process."""
        name = f"{self.prefix}probe"
        self.db.create(name)
        workdir = Path(tempfile.mkdtemp(prefix="tapbench-"))
        try:
            env = self.product_env()
            env.update(
                {
                    "TAP_PROFILE": "postgres",
                    "TAP_DATABASE_URL": self.db.url(name),
                    "TAP_DEMO_LOAD_TICKETS": "10",
                    "TAP_RATE_LIMIT_PER_MINUTE": "0",
                    "TAP_MAIL_DIR": str(workdir / "mail"),
                }
            )
            done = subprocess.run(
                [self.python, str(Path(__file__).resolve()), "_probe"],
                cwd=self.source,
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            found = re.search(r"^PROBE (.*)$", done.stdout, re.MULTILINE)
            if not found:
                raise RuntimeError(f"the statement probe failed: {done.stderr[-3000:]}")
            result: dict[str, Any] = json.loads(found.group(1))
            return result
        finally:
            self.db.drop(name)
            shutil.rmtree(workdir, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# The load generator (a child process: its CPU is measured apart from this script's)
# ---------------------------------------------------------------------------------------------
class Tickets:
    """Each unit takes a fresh ticket: one live hold per ticket."""

    def __init__(self, bodies: list[bytes]):
        self._bodies = iter(bodies)

    def next(self) -> bytes:
        try:
            return next(self._bodies)
        except StopIteration:
            raise Exhausted from None


def load_bodies(spec: dict[str, Any]) -> list[bytes]:
    tiers = ("standard", "standard", "non-stop")  # 2:1, well under 300 and 120 a day
    if spec["scenario"] == "purchase":
        dates = spec["baseline_dates"]
        count = int(4000 * (spec["warmup"] + spec["duration"]))  # beyond any rate seen here
        return [
            json.dumps({"ticket": f"B{n:08d}", "tier": tiers[n % 3], "date": dates[n % len(dates)]})
            .replace(" ", "")
            .encode()
            for n in range(count)
        ]
    if spec["scenario"] == "sellout":
        hot = spec["hot"]
        return [
            json.dumps({"ticket": number, "tier": tier, "date": day}).replace(" ", "").encode()
            for (number, _), (day, tier) in zip(spec["tickets"], itertools.cycle(hot))
        ]
    return [
        json.dumps({"ticket": number, "tier": tiers[n % 3], "date": day}).replace(" ", "").encode()
        for n, (number, day) in enumerate(spec["tickets"])
    ]


async def load_main(spec: dict[str, Any]) -> dict[str, Any]:
    tickets = Tickets(load_bodies(spec))
    keys = itertools.count()
    key_prefix = os.urandom(6).hex()
    auth = {"Authorization": f"Bearer {spec.get('token', '')}"}
    use_keys = spec["idempotency_keys"]
    quote_ok = {201, 422} if spec["scenario"] == "sellout" else {201}

    def headers() -> dict[str, str]:
        if not use_keys:
            return auth
        return {**auth, "Idempotency-Key": f"{key_prefix}-{next(keys)}"}

    async def purchase(connection: Connection, recorder: Recorder, intended: float) -> None:
        body = tickets.next()
        reply = await connection.request("POST", spec["path"], body)
        recorder.request("purchase", intended, time.perf_counter(), reply, {201})

    async def quote(connection: Connection, recorder: Recorder, intended: float) -> None:
        body = tickets.next()
        reply = await connection.request("POST", "/api/upgrades", body, headers())
        recorder.request("quote", intended, time.perf_counter(), reply, quote_ok)

    async def quote_pay(connection: Connection, recorder: Recorder, intended: float) -> None:
        body = tickets.next()
        reply = await connection.request("POST", "/api/upgrades", body, headers())
        now = time.perf_counter()
        recorder.request("quote", intended, now, reply, quote_ok)
        if reply.status != 201:
            return
        order = reply.json()["id"]
        paid = await connection.request(
            "POST", f"/api/upgrades/{order}/payment", CARD_BODY, headers()
        )
        done = time.perf_counter()
        recorder.request("pay", now, done, paid, {200})
        recorder.unit(intended, done)

    unit = {
        "purchase": purchase,
        "quote": quote,
        "quote_pay": quote_pay,
        "sellout": quote_pay,
    }[spec["scenario"]]

    def mark(what: str) -> None:
        print(f"WINDOW {what}", flush=True)

    host, port = "127.0.0.1", spec["port"]
    if spec["mode"] == "open":
        recorder = await open_loop(
            host,
            port,
            spec["connections"],
            spec["rate"],
            spec["warmup"],
            spec["duration"],
            unit,
            mark,
        )
    else:
        recorder = await closed_loop(
            host, port, spec["connections"], spec["warmup"], spec["duration"], unit, mark
        )
    return recorder.summary()


def load_command(spec_path: str) -> None:
    spec = json.loads(Path(spec_path).read_text())
    run = uvloop.run if uvloop is not None else asyncio.run
    result = run(load_main(spec))
    print("RESULT " + json.dumps(result), flush=True)


# ---------------------------------------------------------------------------------------------
# Statements per request, counted in process through the real app (TestClient)
# ---------------------------------------------------------------------------------------------
def probe_command() -> None:
    # Imported here only: the other processes of this script do not need the product.
    sys.path.insert(0, os.getcwd())  # the measured source (see Bench.probe)
    from litestar.testing import TestClient  # noqa: PLC0415
    from sqlalchemy import event  # noqa: PLC0415

    from entrypoints.http.app import create_app  # noqa: PLC0415
    from infra.container import build_container  # noqa: PLC0415
    from infra.demo_data import demo_settings, seed_demo_data  # noqa: PLC0415
    from infra.migrate import migrate_database  # noqa: PLC0415
    from infra.settings import Settings  # noqa: PLC0415

    settings = demo_settings(Settings())
    migrate_database(settings)
    container = build_container(settings)
    seed_demo_data(container, settings.demo_load_tickets)
    engine = container.postgres_engine()
    seen: list[str] = []

    def autocommit(conn: Any) -> bool:
        return bool(getattr(conn.connection.dbapi_connection, "autocommit", False))

    def on_statement(conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        text = " ".join(statement.split())[:90]
        seen.append(f"{text} [autocommit]" if autocommit(conn) else text)

    def on_transaction(kind: str) -> Any:
        # In autocommit SQLAlchemy still signals begin and rollback, but nothing is sent.
        return lambda conn: None if autocommit(conn) else seen.append(kind)

    event.listen(engine, "before_cursor_execute", on_statement)
    for kind in ("begin", "commit", "rollback"):
        event.listen(engine, kind, on_transaction(kind.upper()))
    app = create_app(container, settings, background=False)
    counted: dict[str, Any] = {}
    with TestClient(app) as client:
        token = client.post(
            "/api/auth/login", json={"email": LOADTEST_EMAIL, "password": DEMO_PASSWORD}
        ).json()["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        tickets = client.get("/api/tickets", headers=auth).json()
        ticket = next(t for t in tickets if t["eligibility"]["eligible"] and t["tier"] == "general")
        body = {"ticket": ticket["number"], "tier": "standard", "date": ticket["visit_date"]}
        for keyed in (True, False):
            for step in ("quote", "pay"):
                seen.clear()
                key = {"Idempotency-Key": os.urandom(8).hex()} if keyed else {}
                if step == "quote":
                    reply = client.post("/api/upgrades", json=body, headers={**auth, **key})
                    assert reply.status_code == 201, reply.text
                    order = reply.json()["id"]
                else:
                    card = json.loads(CARD_BODY)
                    reply = client.post(
                        f"/api/upgrades/{order}/payment", json=card, headers={**auth, **key}
                    )
                    assert reply.status_code == 200, reply.text
                statements = [s for s in seen if s not in ("BEGIN", "COMMIT", "ROLLBACK")]
                single = sum(s.endswith("[autocommit]") for s in statements)
                counted[f"{step}{'' if keyed else '_no_key'}"] = {
                    "statements": len(statements),
                    "transactions": seen.count("BEGIN"),
                    "autocommit_statements": single,
                    "commits": seen.count("COMMIT"),
                    "rollbacks": seen.count("ROLLBACK"),
                    # psycopg sends BEGIN before a transaction's first statement
                    "round_trips": len(statements)
                    + seen.count("BEGIN")
                    + seen.count("COMMIT")
                    + seen.count("ROLLBACK"),
                    # each ends in a commit, so a WAL flush if it wrote
                    "commits_on_server": seen.count("COMMIT") + single,
                    "sequence": list(seen),
                }
            ticket = next(
                t
                for t in tickets
                if t["eligibility"]["eligible"]
                and t["tier"] == "general"
                and t["number"] != body["ticket"]
            )
            body = {"ticket": ticket["number"], "tier": "standard", "date": ticket["visit_date"]}
    engine.dispose()
    print("PROBE " + json.dumps(counted), flush=True)


# ---------------------------------------------------------------------------------------------
# Profile summary
# ---------------------------------------------------------------------------------------------
FRAME = re.compile(r"^(?P<func>.*) \((?P<file>[^()]*?)(?::(?P<line>\d+))?\)$")
OURS = ("domain", "application", "adapters", "entrypoints", "infra")


def layer_of(path: str, root: Path) -> str | None:
    """The library or layer a frame's file belongs to; None for the standard library."""
    if "/site-packages/" in path:
        package = path.split("/site-packages/", 1)[1].split("/", 1)[0]
        package = package.removesuffix(".py").split(".")[0]
        return {
            "psycopg_binary": "psycopg",
            "psycopg_c": "psycopg",
            "httptools": "uvicorn",
            "jwt": "jwt / cryptography",
            "cryptography": "jwt / cryptography",
        }.get(package, package)
    relative = path.removeprefix(str(root) + "/")
    if relative.split("/", 1)[0] in OURS or path.startswith(str(BASELINES)):
        if relative == "infra/logging.py":
            return "logging"
        if relative == "entrypoints/cli.py":
            return "server start-up (tap serve)"
        return "our code"
    if relative.startswith("bench/"):
        return "bench"
    return None


def stdlib_group(path: str) -> str:
    name = path.rsplit("/lib/python", 1)[-1].split("/", 1)[-1]
    top = name.split("/", 1)[0].removesuffix(".py")
    if top == "logging":
        return "logging"
    if top in ("asyncio", "selectors", "threading", "concurrent", "queue", "contextvars"):
        return "event loop / threads"
    return f"stdlib ({top})"


def summarise_profile(
    path: Path, root: Path, thread_cores: dict[str, float] | None = None
) -> dict[str, Any]:
    """Inclusive and exclusive shares of the GIL-holding samples.

    Exclusive ("self") time goes to the innermost frame's layer; standard-library frames are
    charged to the layer that called them (json.dumps from the logging formatter counts as
    logging), except logging itself and the event loop / thread machinery.
    """
    stacks: list[tuple[list[tuple[str, str]], int]] = []
    for line in path.read_text().splitlines():
        text, _, count = line.rpartition(" ")
        if not text or not count.isdigit():
            continue
        frames = []
        for part in text.split(";"):
            found = FRAME.match(part)
            if found:
                frames.append((found["func"], found["file"]))
        stacks.append((frames, int(count)))
    total = sum(count for _, count in stacks) or 1

    self_layer: Counter[str] = Counter()
    inclusive_layer: Counter[str] = Counter()
    inclusive_function: Counter[tuple[str, str]] = Counter()
    self_function: Counter[tuple[str, str]] = Counter()
    threads: Counter[str] = Counter()
    self_layer_by_thread: dict[str, Counter[str]] = defaultdict(Counter)
    for frames, count in stacks:
        layer = None
        for _func, file in reversed(frames):
            layer = layer_of(file, root)
            if layer is None and stdlib_group(file) in ("logging", "event loop / threads"):
                layer = stdlib_group(file)
            if layer is not None:
                break
        if layer is None:
            layer = stdlib_group(frames[-1][1]) if frames else "unknown"
        self_layer[layer] += count
        first = frames[0][0] if frames else ""
        group = "worker threads" if first.endswith("_bootstrap") else "event loop thread"
        self_layer_by_thread[group][layer] += count
        if frames:
            self_function[frames[-1]] += count
        layers = {layer_of(file, root) or stdlib_group(file) for _, file in frames}
        for name in layers:
            inclusive_layer[name] += count
        for frame in set(frames):
            inclusive_function[frame] += count
        threads[group] += count

    def share(value: int) -> float:
        return round(100 * value / total, 1)

    def short(file: str) -> str:
        if "/site-packages/" in file:
            return file.split("/site-packages/", 1)[1]
        if "/lib/python" in file:
            return file.split("/lib/python", 1)[1].split("/", 1)[-1]
        return file.removeprefix(str(root) + "/").removeprefix(str(ROOT) + "/")

    def named(frame: tuple[str, str]) -> str:
        return f"{frame[0]} ({short(frame[1])})"

    ours = [
        (named(frame), share(count))
        for frame, count in inclusive_function.most_common()
        if layer_of(frame[1], root) in ("our code", "logging")
    ]
    libraries = [
        (named(frame), share(count))
        for frame, count in inclusive_function.most_common()
        if layer_of(frame[1], root) not in ("our code", "logging", None)
    ]
    # py-spy's --gil sampling finds the GIL holder less reliably among many threads, so the
    # split between threads is taken from /proc (CPU each thread used) when it was measured,
    # and each thread group's own profile is weighted by it.
    weighted: Counter[str] = Counter()
    measured = {k: v for k, v in (thread_cores or {}).items() if v > 0}
    whole = sum(measured.values())
    for group, layers in self_layer_by_thread.items():
        weight = measured.get(group, 0.0) / whole if whole else 0.0
        in_group = sum(layers.values()) or 1
        for name, value in layers.items():
            weighted[name] += 100 * weight * value / in_group
    if whole and "kernel (all threads)" in measured:
        # system calls: sockets (HTTP and PostgreSQL; on loopback the receiving side's network
        # stack runs here too) and the futexes of GIL and queue hand-offs between threads
        weighted["kernel: system calls"] = 100 * measured["kernel (all threads)"] / whole
    return {
        "samples": total,
        "threads": {k: share(v) for k, v in threads.most_common()},
        "threads_measured_cores": measured,
        "self_by_layer_weighted": {k: round(v, 1) for k, v in weighted.most_common()},
        "self_by_layer_by_thread": {
            group: {k: round(100 * v / (sum(c.values()) or 1), 1) for k, v in c.most_common()}
            for group, c in self_layer_by_thread.items()
        },
        "self_by_layer": {k: share(v) for k, v in self_layer.most_common()},
        "inclusive_by_layer": {k: share(v) for k, v in inclusive_layer.most_common()},
        "inclusive_ours": ours[:40],
        "inclusive_libraries": libraries[:40],
        "self_functions": [(named(f), share(c)) for f, c in self_function.most_common(30)],
    }


# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------
def spread(values: list[float], digits: int = 0) -> str:
    if not values:
        return "n/a"
    middle = statistics.median(values)
    half = (max(values) - min(values)) / 2
    plus = f" (±{100 * half / middle:.0f}%)" if middle else ""
    return f"{min(values):,.{digits}f}–{max(values):,.{digits}f}{plus}"


def med(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def report(runs: list[dict[str, Any]], meta: dict[str, Any], extra: dict[str, Any]) -> str:
    by_config: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for run in runs:
        by_config[run["config"]].append(run)
    args = meta["args"]
    lines = [
        f"### Throughput and latency ({args['runs']} runs each; median, min–max in brackets)",
        "",
        f"{args['connections']} connections (closed loop: a connection sends its next request "
        f"when the last is answered), {args['duration']:g} s measured after {args['warmup']:g} s "
        f"of warm-up; fixed-rate rows: {args['rate']:g} requests/s on a clock for "
        f"{args['rate_duration']:g} s, latency from the scheduled time. CPU in cores over the "
        "measured window: server / PostgreSQL / load generator / kernel (kernel threads and "
        "interrupts, mostly loopback networking) / other (work that is not ours).",
        "",
        "| configuration | req/s | req/s min–max | p50 ms | p99 ms | p99 min–max | "
        "CPU srv / pg / gen / kernel / other | server CPU µs/req | PG CPU µs/req | tx/req | "
        "invariants |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, group in by_config.items():
        config = CONFIGS[name]
        rps = [r["load"]["rps"] for r in group]
        p50 = [r["load"]["latency_ms"].get("p50", float("nan")) for r in group]
        p99 = [r["load"]["latency_ms"].get("p99", float("nan")) for r in group]

        def cpu(key: str, group: list[dict[str, Any]] = group) -> float:
            return med([r["cpu"].get(key, 0.0) for r in group])

        srv_us = med([1e6 * r["cpu"].get("server", 0) / r["load"]["rps"] for r in group])
        pg_us = med([1e6 * r["cpu"].get("postgres", 0) / r["load"]["rps"] for r in group])
        tx = med([r.get("db_transactions_per_request") or 0 for r in group])
        ok = sum(r["invariants_ok"] for r in group)
        flows = ""
        if config.scenario in ("quote_pay", "sellout"):
            flows = f" ({med([r['load']['units_per_s'] for r in group]):,.0f} upgrades/s)"
        lines.append(
            f"| {config.label} | **{med(rps):,.0f}**{flows} | {spread(rps)} | {med(p50):.1f} | "
            f"{med(p99):.1f} | {spread(p99, 1)} | {cpu('server'):.2f} / {cpu('postgres'):.2f} / "
            f"{cpu('loadgen'):.2f} / {cpu('kernel'):.2f} / {cpu('other'):.2f} | {srv_us:,.0f} | "
            f"{pg_us:,.0f} | "
            f"{tx:.1f} | {ok}/{len(group)} ok |"
        )
    lines.append("")
    ratios = extra.get("ratios", {})
    if ratios:
        lines += ["### Ratios (per round, same run)", ""]
        for label, values in ratios.items():
            lines.append(f"- {label}: median **{med(values):.2f}** ({spread(values, 2)})")
        lines.append("")
    rate_rows = [n for n in by_config if CONFIGS[n].mode == "open"]
    if rate_rows:
        lines += [
            f"### Fixed rate, open loop ({args['rate']:g} requests/s)",
            "",
            "| configuration | achieved req/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | "
            "p99 per run | seconds with requests over 50 ms: slow/all (max ms) |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for name in rate_rows:
            group = by_config[name]

            def lat(key: str, group: list[dict[str, Any]] = group) -> float:
                return med([r["load"]["latency_ms"].get(key, float("nan")) for r in group])

            per_run = ", ".join(f"{r['load']['latency_ms'].get('p99', 0):.1f}" for r in group)
            stalls = "; ".join(
                f"r{r['round']}: "
                + ", ".join(
                    f"s{w['second']} {w['over_50ms']}/{w['requests']} (max {w['max_ms']:.0f})"
                    for w in r["load"].get("worst_seconds", [])
                    if w["over_50ms"]
                )
                for r in group
            )
            lines.append(
                f"| {CONFIGS[name].label} | {med([r['load']['rps'] for r in group]):,.0f} | "
                f"{lat('p50'):.1f} | {lat('p90'):.1f} | **{lat('p99'):.1f}** | {lat('p999'):.1f} | "
                f"{lat('max'):.1f} | {per_run} | {stalls} |"
            )
        lines.append("")
    lines += [
        "### Invariants after every run (SQL)",
        "",
        "| run | orders | confirmed | live holds | sold | rows full | oversold rows (sold > cap "
        "/ sold + holds > cap / sold ≠ confirmed) | confirmed without exactly 1 success / "
        "successes on unconfirmed | 201s = orders, 200s = confirmed | verdict |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        checks, statuses = run["checks"], run["load"]["statuses"]
        tag = f"{run['config']} r{run['round']}"
        verdict = "ok" if run["invariants_ok"] else "FAIL: " + "; ".join(run["invariant_failures"])
        if "rows_sold_over_capacity" in checks:
            lines.append(
                f"| {tag} | {checks['orders']:,} | {checks['confirmed']:,} | "
                f"{checks['live_holds']:,} | {checks['sold']:,} | {checks['rows_full']} | "
                f"{checks['rows_sold_over_capacity']} / "
                f"{checks['rows_sold_and_held_over_capacity']} / "
                f"{checks['rows_sold_not_confirmed_count']} | "
                f"{checks['confirmed_without_exactly_one_success']} / "
                f"{checks['successes_on_unconfirmed_orders']} | "
                f"{statuses.get('quote 201', 0):,} = {checks['load_orders']:,}, "
                f"{statuses.get('pay 200', 0):,} = {checks['load_confirmed']:,} | {verdict} |"
            )
        else:
            lines.append(
                f"| {tag} (baseline) | {checks['orders']:,} | – | – | {checks['sold']:,} | – | "
                f"{checks['rows_below_zero']} below zero / – / {checks['rows_sold_not_orders']} | "
                f"– | {statuses.get('purchase 201', 0):,} = {checks['orders']:,} | {verdict} |"
            )
    lines.append("")
    other_answers = {
        f"{r['config']} r{r['round']}": {
            k: v for k, v in r["load"]["statuses"].items() if not k.endswith(("201", "200"))
        }
        for r in runs
    }
    other_answers = {k: v for k, v in other_answers.items() if v}
    if other_answers:
        lines += ["Answers other than 201/200: " + json.dumps(other_answers), ""]
    discarded = [d for r in runs for d in r.get("discarded", [])]
    if discarded:
        lines += [
            f"{len(discarded)} run(s) disturbed by other work and retried: "
            + ", ".join(
                f"{d['config']} r{d['round']} (other {d['cpu'].get('other', 0):.2f} cores, "
                f"{d['load']['rps']:,.0f} req/s)"
                for d in discarded
            ),
            "",
        ]
    disturbed = [r for r in runs if r["disturbed"]]
    if disturbed:
        lines += [
            "Kept although disturbed (the retry was no quieter): "
            + ", ".join(f"{r['config']} r{r['round']}" for r in disturbed),
            "",
        ]
    probe = extra.get("probe")
    if probe:
        lines += ["### SQL per request (counted in process, one request each)", ""]
        lines += [
            "| request | statements | transactions (BEGIN … COMMIT) | statements in autocommit | "
            "commits on the server | round trips (incl. BEGIN/COMMIT) |",
            "|---|---|---|---|---|---|",
        ]
        for name, counts in probe.items():
            lines.append(
                f"| {name} | {counts['statements']} | {counts['transactions']} "
                f"({counts['commits']} commit, {counts['rollbacks']} rollback) | "
                f"{counts.get('autocommit_statements', 0)} | "
                f"{counts.get('commits_on_server', counts['commits'])} | {counts['round_trips']} |"
            )
        lines += ["", "Quote with an Idempotency-Key, in order:", ""]
        lines += [f"    {step}" for step in probe.get("quote", {}).get("sequence", [])]
        lines.append("")
    for name, summary in extra.get("profiles", {}).items():
        lines += profile_markdown(name, summary)
    return "\n".join(lines)


def profile_markdown(name: str, summary: dict[str, Any]) -> list[str]:
    lines = [
        f"### Profile: {CONFIGS[name].label} (py-spy --gil, {summary['samples']:,} samples, "
        f"{summary['rps_under_profiler']:,.0f} req/s under the profiler)",
        "",
        "Threads, share of the GIL samples: "
        + ", ".join(f"{k} {v}%" for k, v in summary["threads"].items())
        + "; CPU measured in /proc: "
        + ", ".join(f"{k} {v:.2f} cores" for k, v in summary["threads_measured_cores"].items())
        + " (py-spy finds the GIL holder less reliably among many threads, hence the weighting)",
        "",
        "Share of the server's CPU (user time of each thread group, from /proc, split by that "
        "group's py-spy samples; kernel time apart): "
        + ", ".join(f"{k} {v}%" for k, v in summary["self_by_layer_weighted"].items() if v >= 0.5),
        "",
        "Self time by layer, raw GIL samples (standard library charged to its caller): "
        + ", ".join(f"{k} {v}%" for k, v in summary["self_by_layer"].items() if v >= 0.5),
        "",
        "Inclusive by layer (a sample counts for every layer on its stack): "
        + ", ".join(
            f"{k} {v}%"
            for k, v in summary["inclusive_by_layer"].items()
            if v >= 1 and not k.startswith(("stdlib", "server start-up", "event loop"))
        ),
        "",
        "| our code, inclusive | % |",
        "|---|---|",
    ]
    lines += [f"| `{frame}` | {pct} |" for frame, pct in summary["inclusive_ours"][:25]]
    lines += ["", "| libraries, inclusive | % |", "|---|---|"]
    lines += [
        f"| `{frame}` | {pct} |"
        for frame, pct in summary["inclusive_libraries"]
        if pct < 95 and "click/" not in frame and "uvicorn/main.py" not in frame
    ][:20]
    lines += ["", "| hottest functions, self | % |", "|---|---|"]
    lines += [f"| `{frame}` | {pct} |" for frame, pct in summary["self_functions"][:15]]
    lines.append("")
    return lines


def machine() -> dict[str, Any]:
    model = "?"
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as info:
        for line in info:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = 0
    with contextlib.suppress(OSError), open("/proc/meminfo") as info:
        memory = int(info.readline().split()[1]) // (1024 * 1024)
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "memory_gib": memory,
        "kernel": platform.release(),
        "python": platform.python_version(),
    }


def versions() -> dict[str, str]:
    found = {}
    for name in ("litestar", "uvicorn", "uvloop", "httptools", "sqlalchemy", "psycopg", "asyncpg"):
        with contextlib.suppress(Exception):
            found[name] = version(name)
    return found


def git(*args: str) -> str:
    done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def checkout(source: str) -> tuple[Path, str]:
    """The product source to measure and its name: the working tree as it is ("worktree"), or
    a commit exported with `git archive` into a temporary folder (the repository is not
    touched), so that other work in the tree does not change the figures."""
    if source == "worktree":
        dirty = git("status", "--porcelain", "--untracked-files=no")
        commit = git("rev-parse", "--short", "HEAD")
        return ROOT, f"{commit}{' + uncommitted changes (working tree)' if dirty else ''}"
    commit = git("rev-parse", "--short", source)
    folder = Path(tempfile.mkdtemp(prefix=f"tapbench-src-{commit}-"))
    archive = subprocess.run(
        ["git", "archive", commit], cwd=ROOT, capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder, commit


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per configuration")
    parser.add_argument("--duration", type=float, default=10.0, help="measured seconds a run")
    parser.add_argument("--warmup", type=float, default=3.0, help="unmeasured seconds before")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--rate", type=float, default=200.0, help="requests/s, fixed-rate rows")
    parser.add_argument("--rate-duration", type=float, default=10.0)
    parser.add_argument("--sellout-duration", type=float, default=4.0)
    parser.add_argument("--configs", default=DEFAULT_CONFIGS, help=f"of {', '.join(CONFIGS)}")
    parser.add_argument("--tickets", type=int, default=24000, help="load tickets per database")
    parser.add_argument("--pool-size", type=int, default=20, help="TAP_DB_POOL_SIZE (default 20)")
    parser.add_argument(
        "--threads",
        type=int,
        default=4 * (os.cpu_count() or 1),
        help="worker threads for use cases, the product's and the baseline's alike "
        "(TAP_WORKER_THREADS; default the product's, four per CPU)",
    )
    parser.add_argument("--no-idempotency-key", action="store_true", help="send no such header")
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--quiet-max-cores", type=float, default=0.15)
    parser.add_argument("--quiet-wait", type=float, default=45.0, help="longest wait for quiet")
    parser.add_argument("--retries", type=int, default=1, help="extra tries of a disturbed run")
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument("--profile-configs", default="quote,sqlalchemy")
    parser.add_argument("--profile-duration", type=float, default=12.0)
    parser.add_argument("--profile-rate", type=int, default=200, help="py-spy samples/s")
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument(
        "--source",
        default="HEAD",
        help="the product to measure: a commit (exported to a temporary folder) or 'worktree'",
    )
    args = parser.parse_args()
    names = [n.strip() for n in args.configs.split(",") if n.strip()]
    unknown = [n for n in names if n not in CONFIGS]
    if unknown:
        parser.error(f"unknown configurations {unknown}; known: {', '.join(CONFIGS)}")

    bench = Bench(args)
    started = time.time()
    meta = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "commit": bench.commit,
        "machine": machine(),
        "postgres": bench.db.server_version,
        "versions": versions(),
        "command": " ".join(shlex.quote(a) for a in [".venv/bin/python", *sys.argv]),
        "args": vars(args),
    }
    log(f"bench/postgres.py: {meta['commit']}, {meta['machine']['cpu']}, PG {meta['postgres']}")
    runs: list[dict[str, Any]] = []
    extra: dict[str, Any] = {}
    try:
        for round_no in range(1, args.runs + 1):
            for name in names:
                runs.append(bench.run(CONFIGS[name], round_no))
        if not args.no_profile:
            try:
                extra["probe"] = bench.probe()
            except RuntimeError as error:
                log(f"  ! {error}")
            extra["profiles"] = {}
            for name in [n.strip() for n in args.profile_configs.split(",") if n.strip()]:
                extra["profiles"][name] = bench.profile(CONFIGS[name])
    finally:
        for name in bench.db.leftovers() if not args.keep_db else []:
            bench.db.drop(name)
        bench.close()
    ratios: dict[str, list[float]] = {}
    by_round: dict[int, dict[str, float]] = defaultdict(dict)
    for run in runs:
        by_round[run["round"]][run["config"]] = run["load"]["rps"]
    for top, bottom, label in (
        ("quote", "sqlalchemy", "quote / SQLAlchemy baseline (target ≥ 0.5)"),
        ("quote", "asyncpg", "quote / asyncpg baseline"),
        ("quote_nokey", "sqlalchemy", "quote without Idempotency-Key / SQLAlchemy baseline"),
        ("sqlalchemy", "asyncpg", "SQLAlchemy baseline / asyncpg baseline"),
        ("quote_pay", "sqlalchemy", "quote + pay requests / SQLAlchemy baseline"),
    ):
        values = [r[top] / r[bottom] for r in by_round.values() if top in r and r.get(bottom)]
        if values:
            ratios[label] = values
    extra["ratios"] = ratios
    meta["elapsed_s"] = round(time.time() - started)
    text = report(runs, meta, extra)
    header = (
        f"{meta['date']}, commit {meta['commit']}; {meta['machine']['cores']} × "
        f"{meta['machine']['cpu']}, {meta['machine']['memory_gib']} GiB, kernel "
        f"{meta['machine']['kernel']}, Python {meta['machine']['python']}, PostgreSQL "
        f"{meta['postgres']}; "
        + ", ".join(f"{k} {v}" for k, v in meta["versions"].items())
        + f". Command: `{meta['command']}` ({meta['elapsed_s']} s)."
    )
    text = header + "\n\n" + text
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"postgres-{bench.stamp}.json").write_text(
        json.dumps({"meta": meta, "runs": runs, **extra}, indent=1, default=str)
    )
    (RESULTS / "postgres-latest.md").write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "_load":
        load_command(sys.argv[2])
    elif len(sys.argv) > 1 and sys.argv[1] == "_probe":
        probe_command()
    else:
        main()
