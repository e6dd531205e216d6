"""Chaos: customers upgrading at once while the payment gateway fails; then the invariants.

The whole system runs as it does for real, each part in its own process: PostgreSQL (a fresh
database, migrated and filled by `tap seed`), the dummy gateway service (`tap gateway`), and
`tap serve --profile postgres` paying through it over HTTP with its retries, circuit breaker
and outbox (emails as .eml files). Then:

1. `--customers` customers arrive over `--load-seconds`, at most `--concurrency` at a time, each
   on its own connection: sign in, list their tickets, and for each eligible ticket read the
   options, quote an upgrade and pay. A share (`--hot-share`) go straight for Double Fun on a
   few days of small capacity (`--hot-days`, `--hot-capacity`): the capacity lock decides who
   gets a unit, and the others fall back to their ticket's own date. A share
   (`--decline-share`) pay with the declining test cards of DOMAIN.md, then switch to a good
   card or keep declining until the quote closes. A customer answered 503 waits (the
   Retry-After, at most 1.5 s) and tries again with the same Idempotency-Key, up to
   `--pay-tries` times, then cancels the quote.
2. The gateway answers `--error-rate` of its calls 503 without doing anything, and
   `--timeout-rate` of them only after charging, too late for the server's read timeout (money
   moved; the server cannot know). In the middle of the load it fails every call for
   `--outage-seconds` (PUT /admin/faults), then goes back to the same error rates. The server's
   breaker opens after 5 consecutive failures and half-opens `--breaker-recovery` seconds later.
3. After the load the faults stop, the reconciliation grace passes, and `tap reconcile` runs
   twice (the second run must find nothing left); the outbox drains.
4. The invariants, read from the database, the gateway's own charges, the mail folder and the
   server's log: every confirmed order has exactly one successful charge, the one the gateway
   holds; every charge the gateway holds pays a confirmed order or was refunded (and the refund
   recorded); no customer was told "nothing was charged" for a key the gateway charged; nothing
   is left in flight; no (tier, date) is oversold, and each sells exactly its confirmed orders;
   every confirmed order moved its ticket; every email due (confirmation, payment failed,
   refund) was written once as one .eml file, and no other; the answers the customers got agree
   with the database.

    .venv/bin/python bench/chaos.py                       # the defaults: about a minute
    .venv/bin/python bench/chaos.py --customers 600 --load-seconds 40 --keep-db

It prints the figures and the invariants (also in bench/results/chaos-latest.md and a JSON
file; the processes' logs in bench/results/logs/) and exits 1 if an invariant failed. Needs a
PostgreSQL that `--pg` reaches as a role allowed to create databases; the database
(tapchaos_<pid>_*) is dropped afterwards (`--keep-db` keeps it) and the child processes are
stopped whatever happens. tests/integration/test_chaos.py runs the same at a smaller scale.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import itertools
import json
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import psycopg
from psycopg.rows import dict_row

sys.path.insert(0, str(Path(__file__).resolve().parent))
from serving import free_port

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PARK_TZ = "America/Los_Angeles"  # the settings' default park
PASSWORD = "Funland-2026"  # every seeded customer's (README, "Sample data")
GOOD_CARD = "4242424242424242"
DECLINING_CARDS = ("4000000000000002", "4000000000009995", "4000000000000069", "4000000000000127")
CARD = {"exp_month": 12, "exp_year": 2030, "cvc": "123", "name": "Chaos Customer"}
FAIL_FAST = "the payment gateway is failing"  # the breaker's answer (adapters/payments)
LADDER = ("general", "standard", "non-stop", "double-fun")
RETRY_BUDGET = 2.0  # TAP_PAYMENT_RETRY_BUDGET_SECONDS: 3 tries wait at most 0.6 s anyway
REPAIRS = ("confirmed", "refunded", "released", "refunds_finished")


@dataclass
class ChaosConfig:
    """What a run does. The defaults take about a minute on a 2-core machine."""

    customers: int = 600
    load_seconds: float = 40.0
    concurrency: int = 32
    error_rate: float = 0.2
    timeout_rate: float = 0.02
    outage_seconds: float = 5.0
    outage_at: float | None = None
    hot_days: int = 3
    hot_capacity: int = 12
    hot_share: float = 0.3
    decline_share: float = 0.15
    pay_tries: int = 8
    breaker_recovery: float = 2.0
    gateway_timeout: float = 1.0
    seed: int = 7
    pg: str = "postgresql://postgres@127.0.0.1:5432"
    keep_db: bool = False

    @property
    def outage_start(self) -> float:
        """Seconds into the load: `outage_at`, or the middle."""
        if self.outage_at is not None:
            return self.outage_at
        return max(0.0, (self.load_seconds - self.outage_seconds) / 2)

    @property
    def grace(self) -> float:
        """Reconciliation's grace: it must outlast a payment's longest run (read timeout x 3
        tries + the retry budget; the settings refuse less), plus a second."""
        return self.gateway_timeout * 3 + RETRY_BUDGET + 1


HELP = {
    "customers": "seeded customers, each upgrading all their eligible tickets",
    "load_seconds": "the customers' arrivals are spread over this",
    "concurrency": "customers at once (threads, a connection each)",
    "error_rate": "share of gateway calls answered 503, nothing done",
    "timeout_rate": "share of gateway calls charged, then answered too late",
    "outage_seconds": "how long every gateway call fails, mid-load",
    "outage_at": "when the outage starts, seconds into the load",
    "hot_days": "days whose Double Fun capacity is small",
    "hot_capacity": "Double Fun units on each hot day",
    "hot_share": "share of upgrades that go for a hot day",
    "decline_share": "share of payments starting with a declining test card",
    "pay_tries": "payment requests per order before a customer gives up",
    "breaker_recovery": "seconds before the open breaker lets a call through",
    "gateway_timeout": "the server's read timeout on the gateway, seconds",
    "seed": "of the customers, their tickets and their choices",
    "pg": "PostgreSQL, as a role that may create databases",
    "keep_db": "keep the database afterwards",
}


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


@dataclass
class ChaosReport:
    figures: dict[str, Any]
    checks: list[Check]
    timeline: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)

    def failed(self) -> list[Check]:
        return [check for check in self.checks if not check.ok]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def park_today() -> dt.date:
    return dt.datetime.now(ZoneInfo(PARK_TZ)).date()


# -- processes ------------------------------------------------------------------------------------


class Child:
    """A `tap` command in a session of its own, its output in a log file; `stop` signals that
    session only."""

    def __init__(self, args: list[str], env: dict[str, str], log_path: Path, fds: tuple = ()):
        self.name, self.log_path = f"tap {args[0]}", log_path
        self._log = log_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "entrypoints.cli", *args],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            pass_fds=fds,
        )

    def wait_until_up(self, url: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited at start; see {self.log_path}")
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(url, timeout=2, trust_env=False).status_code == 200:
                    return
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not answer {url} within {timeout:.0f} s")

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=20)
        self._log.close()

    def lines(self) -> Iterator[dict[str, Any]]:
        """Its JSON log lines."""
        for line in self.log_path.read_text(errors="replace").splitlines():
            if line.startswith("{"):
                with contextlib.suppress(ValueError):
                    yield json.loads(line)


def tap(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "entrypoints.cli", *args]
    return subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False
    )


# -- the customers --------------------------------------------------------------------------------


class Tally:
    """What the customers were answered, from every thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.counts: Counter[str] = Counter()
        self.orders: dict[str, str] = {}  # answered 201: order id -> its customer's token
        self.confirmed: set[str] = set()  # answered 200

    def add(self, name: str, amount: int = 1) -> None:
        with self._lock:
            self.counts[name] += amount

    def quoted(self, order_id: str, auth: dict[str, str]) -> None:
        with self._lock:
            self.orders[order_id] = auth["Authorization"]

    def paid(self, order_id: str) -> None:
        with self._lock:
            self.confirmed.add(order_id)


@dataclass
class Reply:
    status: int
    body: Any
    headers: httpx.Headers

    @property
    def code(self) -> str:
        return str(self.body.get("code", "")) if isinstance(self.body, dict) else ""


class Customer:
    """One customer's visit, as the site makes it: sign in, list the tickets, and for each
    eligible one read the options, quote and pay."""

    def __init__(self, email: str, client: httpx.Client, run: Run, tally: Tally):
        self.email, self.client, self.tally = email, client, tally
        self.config, self.hot = run.config, run.hot
        self.rng = random.Random(f"{run.config.seed}-{email}")
        self.auth: dict[str, str] = {}

    def visit(self) -> None:
        tally = self.tally
        login = {"email": self.email, "password": PASSWORD}
        signed_in = self.call("POST", "/api/auth/login", login)
        if signed_in.status != 200:
            tally.add(f"sign-in {signed_in.status}")
            return
        self.auth = {"Authorization": f"Bearer {signed_in.body['access_token']}"}
        tickets = self.call("GET", "/api/tickets")
        if tickets.status != 200:
            tally.add(f"tickets {tickets.status}")
            return
        tally.add("customers")
        for ticket in tickets.body:
            if ticket["eligibility"]["eligible"]:
                tally.add("eligible tickets")
                self.upgrade(ticket)

    def call(self, method: str, path: str, body: Any = None, key: str | None = None) -> Reply:
        headers = {**self.auth, **({"Idempotency-Key": key} if key else {})}
        for attempt in range(1, 4):
            try:
                response = self.client.request(method, path, json=body, headers=headers)
                data = response.json() if response.content else None
                return Reply(response.status_code, data, response.headers)
            except httpx.TransportError:
                self.tally.add("connection failed, retried")
                if attempt == 3:
                    raise
                time.sleep(0.5)
        raise AssertionError("unreachable")

    def upgrade(self, ticket: dict[str, Any]) -> None:
        order = None
        if self.rng.random() < self.config.hot_share:
            # Straight for a hot day, as from an advert: the capacity lock decides who gets it.
            order = self.quote(ticket, "double-fun", self.rng.choice(self.hot))
        if order is None:  # or, after a sold-out hot day, on the ticket's own date
            choice = self.choose(ticket)
            if choice is None:
                self.tally.add("no option left")
                return
            order = self.quote(ticket, *choice)
        if order is not None:
            self.pay(order)

    def choose(self, ticket: dict[str, Any]) -> tuple[str, str] | None:
        """The next tier up on the ticket's date, or the first date after with one available."""
        start = max(dt.date.fromisoformat(ticket["visit_date"]), park_today() + dt.timedelta(2))
        number = ticket["number"]
        options = self.call("GET", f"/api/tickets/{number}/upgrade-options?start={start}&days=14")
        if options.status != 200:
            self.tally.add(f"options {options.status} {options.code}")
            return None
        above = LADDER[LADDER.index(ticket["tier"]) + 1 :]
        for day in options.body["calendar"]:
            for tier in above:
                if day["tiers"][tier]["available"]:
                    return tier, day["date"]
        return None

    def quote(self, ticket: dict[str, Any], tier: str, day: str) -> dict[str, Any] | None:
        body, key = {"ticket": ticket["number"], "tier": tier, "date": day}, str(uuid.uuid4())
        self.tally.add("quotes sent")
        for _ in range(5):
            reply = self.call("POST", "/api/upgrades", body, key)
            if reply.status == 201:
                self.tally.add("orders")
                self.tally.add("orders on hot days" if day in self.hot else "orders elsewhere")
                self.tally.quoted(reply.body["id"], self.auth)
                return dict(reply.body)
            self.tally.add(f"quote {reply.status} {reply.code}")
            if reply.status != 503:  # busy: a lock not granted in time, the same key again
                return None
            time.sleep(0.2)
        return None

    def pay(self, order: dict[str, Any]) -> None:
        declining = self.rng.random() < self.config.decline_share
        card = self.rng.choice(DECLINING_CARDS) if declining else GOOD_CARD
        key, path = str(uuid.uuid4()), f"/api/upgrades/{order['id']}/payment"
        for _ in range(self.config.pay_tries):
            self.tally.add("payments sent")
            reply = self.call("POST", path, {"card": {**CARD, "number": card}}, key)
            if reply.status == 200:
                self.tally.add("confirmed (200)")
                self.tally.paid(order["id"])
                return
            if reply.status == 402:
                self.tally.add("declined (402)")
                if not reply.body.get("attempts_left"):
                    self.tally.add("failed after the last decline")
                    return
                # Another card is another request, so another key.
                card = GOOD_CARD if self.rng.random() < 0.5 else self.rng.choice(DECLINING_CARDS)
                key = str(uuid.uuid4())
            elif reply.code == "payment_unavailable":  # nothing charged: the same key again
                fast = FAIL_FAST in str(reply.body.get("detail", "")).lower()
                self.tally.add("503 failed fast" if fast else "503 retries spent")
                wait = min(float(reply.headers.get("Retry-After", "1")), 1.5)
                time.sleep(wait * self.rng.uniform(0.5, 1.0))
            elif reply.code == "payment_unconfirmed":  # do not pay again: it is reconciled
                self.tally.add("503 outcome unknown")
                return
            elif reply.status in (409, 503):
                self.tally.add(f"pay {reply.status} {reply.code}")
                time.sleep(0.3)
            else:
                self.tally.add(f"pay {reply.status} {reply.code}")
                return
        self.tally.add("gave up, quote cancelled")
        self.call("POST", f"/api/upgrades/{order['id']}/cancel")


# -- the run --------------------------------------------------------------------------------------


class Run:
    """One chaos run: its database, its processes, the load, and what they left behind."""

    def __init__(self, config: ChaosConfig, workdir: Path):
        self.config, self.workdir = config, workdir
        self.db_name = f"tapchaos_{os.getpid()}_{secrets.token_hex(3)}"
        self.admin_url = f"{config.pg.rstrip('/')}/postgres"
        self.db_url = f"{config.pg.rstrip('/')}/{self.db_name}"
        self.admin_token = secrets.token_urlsafe(24)
        self.gateway_url = ""
        self.server_url = f"http://127.0.0.1:{free_port()}"
        self.mail_dir = workdir / "mail"
        self.hot = [
            (park_today() + dt.timedelta(20 + n)).isoformat() for n in range(config.hot_days)
        ]
        self.created = False
        self.gateway: Child | None = None
        self.server: Child | None = None
        self.started = time.monotonic()
        self.timeline: list[str] = []
        self.breaker: list[tuple[float, str]] = []  # (monotonic time, state) at each change
        self.outage = (0.0, 0.0)  # wall-clock start and end

    def mark(self, what: str) -> None:
        line = f"{time.monotonic() - self.started:6.1f} s  {what}"
        self.timeline.append(line)
        log(f"  {line}")

    def env(self) -> dict[str, str]:
        c = self.config
        base = {k: v for k, v in os.environ.items() if not k.startswith("TAP_")}
        base.pop("DATABASE_URL", None)
        return base | {
            "PYTHONUNBUFFERED": "1",
            "TAP_PROFILE": "postgres",
            "TAP_DATABASE_URL": self.db_url,
            "TAP_MIGRATE_ON_START": "true",
            "TAP_DEMO_DATA": "false",
            "TAP_RATE_LIMIT_PER_MINUTE": "0",
            "TAP_EMAIL": "file",
            "TAP_MAIL_DIR": str(self.mail_dir),
            "TAP_LOG_LEVEL": "INFO",  # the server logs each email written: counted at the end
            "TAP_PAYMENT_GATEWAY_URL": self.gateway_url,
            "TAP_PAYMENT_GATEWAY_ADMIN_TOKEN": self.admin_token,
            "TAP_PAYMENT_GATEWAY_TIMEOUT_SECONDS": str(c.gateway_timeout),
            "TAP_PAYMENT_RETRY_BUDGET_SECONDS": str(RETRY_BUDGET),
            "TAP_BREAKER_RECOVERY_SECONDS": str(c.breaker_recovery),
            "TAP_RECONCILE_EVERY_SECONDS": "0",  # reconciliation is step 3, `tap reconcile`
            "TAP_RECONCILE_GRACE_SECONDS": str(c.grace),
            "TAP_CAPACITY_OVERRIDES": json.dumps(
                {f"{d}:double-fun": c.hot_capacity for d in self.hot}
            ),
        }

    # -- setup and teardown --------------------------------------------------------------------

    def setup(self) -> None:
        with psycopg.connect(self.admin_url, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{self.db_name}"')
        self.created = True
        seed = ("--customers", str(self.config.customers), "--seed", str(self.config.seed))
        seeded = tap("seed", *seed, "--order-share", "0", "--profile", "postgres", env=self.env())
        if seeded.returncode:
            raise RuntimeError(f"tap seed failed: {seeded.stderr[-2000:]}")
        self.mark(seeded.stdout.strip().split(";")[0])
        # The gateway listens on a socket bound here (no race for its port), and exits by
        # itself should this process die.
        with socket.create_server(("127.0.0.1", 0)) as listener:
            self.gateway_url = f"http://127.0.0.1:{listener.getsockname()[1]}"
            fd = str(listener.fileno())
            gateway = ["gateway", "--fd", fd, "--exit-with", str(os.getpid())]
            self.gateway = Child(gateway, self.env(), self.workdir / "gateway.log", (int(fd),))
        self.gateway.wait_until_up(f"{self.gateway_url}/health")
        port = self.server_url.rpartition(":")[2]
        serve = ["serve", "--profile", "postgres", "--port", port]
        self.server = Child(serve, self.env(), self.workdir / "server.log")
        self.server.wait_until_up(f"{self.server_url}/api/health")
        self.mark(f"gateway at {self.gateway_url}, server at {self.server_url}")

    def teardown(self) -> None:
        for child in (self.server, self.gateway):
            if child is not None:
                child.stop()
        if not self.created:
            return
        if self.config.keep_db:
            log(f"  database kept: {self.db_url}")
            return
        with psycopg.connect(self.admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')

    # -- faults and the breaker ------------------------------------------------------------------

    def faults(
        self, error_rate: float = 0.0, timeout_rate: float = 0.0, outage: bool = False
    ) -> None:
        body = {"error_rate": error_rate, "timeout_rate": timeout_rate, "outage": outage}
        reply = httpx.put(
            f"{self.gateway_url}/admin/faults",
            json=body,
            headers={"Authorization": f"Bearer {self.admin_token}"},
            timeout=10,
            trust_env=False,
        )
        reply.raise_for_status()
        self.mark(f"gateway faults: {body}")

    def watch_breaker(self, stop: threading.Event) -> None:
        with httpx.Client(base_url=self.server_url, timeout=5, trust_env=False) as client:
            while not stop.wait(0.1):
                with contextlib.suppress(httpx.TransportError, ValueError, KeyError):
                    state = client.get("/api/health").json()["payment_gateway"]["breaker"]
                    if not self.breaker or self.breaker[-1][1] != state:
                        self.breaker.append((time.monotonic(), state))
                        self.mark(f"breaker {state}")

    def break_gateway(self, load_started: float, stop: threading.Event) -> None:
        c = self.config
        if stop.wait(max(0.0, load_started + c.outage_start - time.monotonic())):
            return
        self.faults(c.error_rate, c.timeout_rate, outage=True)
        began = time.time()
        stop.wait(c.outage_seconds)
        self.faults(c.error_rate, c.timeout_rate)
        self.outage = (began, time.time())

    # -- the load --------------------------------------------------------------------------------

    def load(self) -> Tally:
        c = self.config
        emails = [row["email"] for row in self.query("SELECT email FROM customers ORDER BY 1")]
        random.Random(c.seed).shuffle(emails)
        tally, local, clients = Tally(), threading.local(), []

        def visit(index: int, email: str) -> None:
            time.sleep(max(0.0, started + index * c.load_seconds / len(emails) - time.monotonic()))
            if not hasattr(local, "client"):
                local.client = httpx.Client(base_url=self.server_url, timeout=60, trust_env=False)
                clients.append(local.client)
            try:
                Customer(email, local.client, self, tally).visit()
            except Exception as error:  # counted, and the others carry on
                tally.add(f"customer failed: {type(error).__name__}")
                log(f"  ! {email}: {error!r}")

        self.faults(c.error_rate, c.timeout_rate)
        stop, started = threading.Event(), time.monotonic()
        helpers = [
            threading.Thread(target=self.watch_breaker, args=(stop,), daemon=True),
            threading.Thread(target=self.break_gateway, args=(started, stop), daemon=True),
        ]
        for helper in helpers:
            helper.start()
        self.mark(f"load: {len(emails)} customers over {c.load_seconds:g} s")
        try:
            with ThreadPoolExecutor(c.concurrency) as pool:
                list(pool.map(visit, range(len(emails)), emails))
            helpers[1].join()  # the outage runs its course even if the customers were quicker
        finally:
            stop.set()
            for thread in helpers:
                thread.join(timeout=15)
            for client in clients:
                client.close()
        self.mark(f"load over: {tally.counts['orders']} orders")
        return tally

    # -- after the load --------------------------------------------------------------------------

    def query(self, sql: str) -> list[dict[str, Any]]:
        with psycopg.connect(self.db_url, row_factory=dict_row) as connection:
            return list(connection.execute(sql))

    def gateway_charges(self) -> list[dict[str, Any]]:
        reply = httpx.get(
            f"{self.gateway_url}/v1/charges",
            params={"created_since": "2000-01-01T00:00:00+00:00"},  # all: the gateway is ours
            timeout=30,
            trust_env=False,
        )
        reply.raise_for_status()
        return list(reply.json()["data"])

    def reconcile(self) -> dict[str, int]:
        """`tap reconcile`, once every payment left unfinished is older than the grace."""
        last = self.query(
            "SELECT max(created_at) AS at FROM payment_attempts WHERE outcome = 'started'"
        )
        if last[0]["at"] is not None:
            age = (dt.datetime.now(dt.UTC) - last[0]["at"]).total_seconds()
            self.mark(f"waiting {max(0.0, self.config.grace - age):.1f} s for the grace to pass")
            time.sleep(max(0.0, self.config.grace + 0.5 - age))
        done = tap("reconcile", "--profile", "postgres", env=self.env())
        found = re.search(
            r"tap reconcile: (\d+) confirmed, (\d+) refunded, (\d+) released, "
            r"(\d+) refunds finished, (\d+) deferred .*?, (\d+) charges checked",
            done.stdout,
        )
        if found is None:
            raise RuntimeError(f"tap reconcile failed ({done.returncode}): {done.stderr[-2000:]}")
        self.mark(found.group(0))
        names = (*REPAIRS, "deferred", "charges_checked")
        return dict(zip(names, map(int, found.groups()), strict=True))

    def drain_outbox(self, timeout: float = 60.0) -> int:
        deadline = time.monotonic() + timeout
        while True:
            sql = "SELECT count(*) AS n FROM outbox WHERE status IN ('pending', 'sending')"
            waiting = int(self.query(sql)[0]["n"])
            if not waiting or time.monotonic() > deadline:
                self.mark(f"outbox drained: {waiting} emails waiting")
                return waiting
            time.sleep(0.25)

    def orders_as_shown(self, tally: Tally) -> dict[str, dict[str, Any]]:
        """Every order as its customer sees it now (GET /api/upgrades/{id})."""

        def read(item: tuple[str, str]) -> tuple[str, dict[str, Any]]:
            order_id, token = item
            reply = client.get(f"/api/upgrades/{order_id}", headers={"Authorization": token})
            return order_id, reply.json() if reply.status_code == 200 else {}

        with (
            httpx.Client(base_url=self.server_url, timeout=60, trust_env=False) as client,
            ThreadPoolExecutor(8) as pool,
        ):
            return dict(pool.map(read, tally.orders.items()))

    def charged_yet_unavailable(self) -> list[str]:
        """Attempts recorded 'unavailable' (the customer was told nothing was charged) whose key
        the gateway charged. Read before reconciliation, which would refund such charges."""
        charged = {c["idempotency_key"]: c["id"] for c in self.gateway_charges()}
        sql = "SELECT idempotency_key AS key FROM payment_attempts WHERE outcome = 'unavailable'"
        return [f"{a['key']}: {charged[a['key']]}" for a in self.query(sql) if a["key"] in charged]


# -- the invariants -------------------------------------------------------------------------------


@dataclass
class Evidence:
    """Everything the invariants are checked on, read once the run is over."""

    orders: dict[str, dict[str, Any]]
    attempts: list[dict[str, Any]]
    capacity: list[dict[str, Any]]
    tickets: dict[str, dict[str, Any]]
    outbox: list[dict[str, Any]]
    charges: list[dict[str, Any]]
    files: dict[str, str]  # .eml file name -> text
    written: Counter[str]  # .eml file name -> times the server wrote it

    @classmethod
    def gather(cls, run: Run) -> Evidence:
        assert run.server is not None
        return cls(
            orders={str(o["id"]): o for o in run.query("SELECT * FROM upgrade_orders")},
            attempts=run.query("SELECT * FROM payment_attempts"),
            capacity=run.query("SELECT * FROM capacity"),
            tickets={str(t["id"]): t for t in run.query("SELECT * FROM tickets")},
            outbox=run.query("SELECT id, kind, order_id, status, attempts FROM outbox"),
            charges=run.gateway_charges(),
            files={p.name: p.read_text(errors="replace") for p in run.mail_dir.glob("*.eml")},
            written=Counter(
                Path(line["path"]).name
                for line in run.server.lines()
                if line.get("msg") == "email written"
            ),
        )

    def confirmed(self) -> dict[str, dict[str, Any]]:
        return {i: o for i, o in self.orders.items() if o["status"] == "confirmed"}

    def refunded_charges(self) -> set[str]:
        """Charges whose refund the ledger records as made."""
        return {
            a["charge_id"]
            for a in self.attempts
            if a["kind"] == "refund" and a["outcome"] == "succeeded"
        }


def check(name: str, wrong: list[str], detail: str) -> Check:
    return Check(name, not wrong, f"{len(wrong)} wrong, e.g. {wrong[:3]}" if wrong else detail)


def check_charges(e: Evidence, charged_yet_unavailable: list[str]) -> list[Check]:
    confirmed, refunded = e.confirmed(), e.refunded_charges()
    kept: dict[str, list[dict[str, Any]]] = defaultdict(list)  # order id -> charges not refunded
    for charge in e.charges:
        if charge["refunded"] is None:
            kept[charge["metadata"].get("order_id", "")].append(charge)
    paid: dict[str, list[str]] = defaultdict(list)  # order id -> succeeded, unrefunded charges
    for a in e.attempts:
        if a["kind"] == "charge" and a["outcome"] == "succeeded" and a["charge_id"] not in refunded:
            paid[str(a["order_id"])].append(a["charge_id"])

    one_each = []
    for order_id, order in confirmed.items():
        at_gateway = [c["id"] for c in kept[order_id]]
        if not at_gateway == paid[order_id] == [order["payment_id"]]:
            one_each.append(f"{order_id}: gateway {at_gateway}, ledger {paid[order_id]}")
        elif kept[order_id][0]["amount"] != str(order["amount_due"]):
            one_each.append(f"{order_id}: charged {kept[order_id][0]['amount']}")

    belongs = []
    by_key = {a["idempotency_key"]: a for a in e.attempts}
    for charge in e.charges:
        attempt = by_key.get(charge["idempotency_key"])
        order = e.orders.get(charge["metadata"].get("order_id", ""))
        if attempt is None or order is None or attempt["order_id"] != order["id"]:
            belongs.append(f"{charge['id']}: no attempt or order of ours")
        elif charge["refunded"] is not None:
            if charge["id"] not in refunded:
                belongs.append(f"{charge['id']}: refunded, but not in the ledger")
            elif order["status"] == "confirmed" and order["payment_id"] == charge["id"]:
                belongs.append(f"{charge['id']}: refunded, yet it confirms its order")
        elif order["status"] != "confirmed" or order["payment_id"] != charge["id"]:
            belongs.append(f"{charge['id']}: kept, but its order is {order['status']}")

    in_flight = [f"order {i}" for i, o in e.orders.items() if o["status"] == "processing"]
    in_flight += [
        f"attempt {a['idempotency_key']}" for a in e.attempts if a["outcome"] == "started"
    ]
    refunds = sum(1 for c in e.charges if c["refunded"] is not None)
    return [
        check(
            "every confirmed order has exactly one successful charge",
            one_each,
            f"{len(confirmed)} confirmed orders, each with one charge, the one the gateway holds",
        ),
        check(
            "every charge pays a confirmed order or was refunded",
            belongs,
            f"{len(e.charges)} charges: {len(e.charges) - refunds} pay confirmed orders, "
            f"{refunds} refunded",
        ),
        check(
            "nobody told 'nothing was charged' was charged",
            charged_yet_unavailable,
            "no attempt recorded unavailable has a charge at the gateway",
        ),
        check("nothing left in flight", in_flight, "no order processing, no attempt started"),
    ]


def check_capacity(e: Evidence, hot: list[str]) -> list[Check]:
    confirmed = e.confirmed()
    sold = Counter((o["tier"], o["visit_date"]) for o in confirmed.values())
    now = dt.datetime.now(dt.UTC)
    held = Counter(
        (o["tier"], o["visit_date"])
        for o in e.orders.values()
        if o["status"] in ("pending", "processing") and o["live_until"] > now
    )
    rows = {(r["tier"], r["visit_date"]): r for r in e.capacity}
    oversold = [f"{key}: sold with no capacity row" for key in sold if key not in rows]
    for key, row in rows.items():
        if row["sold"] + held[key] > row["capacity"]:
            oversold.append(f"{key}: {row['sold']} sold + {held[key]} held > {row['capacity']}")
        if row["sold"] != sold[key]:
            oversold.append(f"{key}: {row['sold']} sold, {sold[key]} confirmed orders")
    moved = []
    for order_id, order in confirmed.items():
        ticket = e.tickets[str(order["ticket_id"])]
        if (ticket["tier"], ticket["visit_date"]) != (order["tier"], order["visit_date"]):
            moved.append(f"{order_id}: ticket at {ticket['tier']} {ticket['visit_date']}")
    hot_rows = [rows.get(("double-fun", dt.date.fromisoformat(day))) for day in hot]
    return [
        check(
            "no capacity oversold; each (tier, date) sold exactly its confirmed orders",
            oversold,
            f"{len(rows)} (tier, date)s; the hot days sold "
            + ", ".join(f"{r['sold']}/{r['capacity']}" if r else "0" for r in hot_rows),
        ),
        check("every confirmed order moved its ticket", moved, "each ticket at its new tier"),
    ]


def check_emails(e: Evidence) -> list[Check]:
    refunds = Counter(
        str(a["order_id"])
        for a in e.attempts
        if a["kind"] == "refund" and a["outcome"] == "succeeded"
    )
    # A refund tells the customer once, whether it undid an upgrade or gave a charge back.
    sent = Counter(
        (str(m["order_id"]), "refunded" if m["kind"].endswith("_refunded") else m["kind"])
        for m in e.outbox
    )
    wrong = [f"{m['id']}: {m['status']}" for m in e.outbox if m["status"] != "sent"]
    for order_id, order in e.orders.items():
        due = {
            "upgrade_confirmed": int(order["status"] == "confirmed"),
            "payment_failed": int(order["status"] == "failed"),
            "refunded": refunds[order_id],
        }
        got = {kind: sent[(order_id, kind)] for kind in due}
        if got != due:
            wrong.append(f"order {order_id} ({order['status']}): sent {got}, due {due}")
    names = {f"{m['id']}.eml": m for m in e.outbox}
    for name, message in names.items():
        text = e.files.get(name)
        if text is None:
            wrong.append(f"{name}: no file")
            continue
        if f"Message-ID: <{message['id']}@" not in text:
            wrong.append(f"{name}: another Message-ID")
        order = e.orders.get(str(message["order_id"]))
        if (
            message["kind"] == "upgrade_confirmed"
            and order
            and order["confirmation_code"] not in text
        ):
            wrong.append(f"{name}: not its order's confirmation code")
    wrong += [f"{name}: written {n} times" for name, n in e.written.items() if n != 1]
    wrong += [f"{name}: never written" for name in names if name not in e.written]
    wrong += [f"{name}: of no email due" for name in set(e.files) - set(names)]
    kinds = Counter(m["kind"] for m in e.outbox)
    return [
        check(
            "no email lost or sent twice",
            wrong,
            f"{len(e.outbox)} emails due, {len(e.files)} .eml files, each written once ("
            + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
            + ")",
        )
    ]


def check_shown(e: Evidence, shown: dict[str, dict[str, Any]]) -> list[Check]:
    emails: dict[str, set[str]] = defaultdict(set)
    for message in e.outbox:
        emails[str(message["order_id"])].add(str(message["id"]))
    wrong = []
    for order_id, order in e.orders.items():
        view = shown.get(order_id, {})
        listed = {m["id"]: m["status"] for m in view.get("emails", [])}
        if view.get("status") != order["status"] or set(listed) != emails[order_id]:
            wrong.append(f"{order_id}: shown {view.get('status')} with emails {listed}")
        elif any(status != "sent" for status in listed.values()):
            wrong.append(f"{order_id}: shows emails {listed}")
    return [
        check(
            "every order shows its status and its emails sent (GET /api/upgrades/{id})",
            wrong,
            f"{len(shown)} orders read back by their customers",
        )
    ]


def check_answers(e: Evidence, tally: Tally, confirmed_by_reconciliation: int) -> list[Check]:
    confirmed = e.confirmed()
    wrong = [f"{i}: answered 200, not confirmed" for i in tally.confirmed if i not in confirmed]
    if len(confirmed) != len(tally.confirmed) + confirmed_by_reconciliation:
        wrong.append(
            f"{len(confirmed)} confirmed != {len(tally.confirmed)} answered 200 + "
            f"{confirmed_by_reconciliation} confirmed by reconciliation"
        )
    if set(e.orders) != set(tally.orders):
        wrong.append(f"{len(e.orders)} orders in the database, {len(tally.orders)} answered 201")
    return [
        check(
            "the customers' answers agree with the database",
            wrong,
            f"{len(tally.orders)} orders answered 201, {len(tally.confirmed)} answered 200",
        )
    ]


# -- figures --------------------------------------------------------------------------------------

LABELS = {
    "customers": "customers",
    "upgrades": "upgrades tried (eligible tickets)",
    "quotes": "quotes sent",
    "sold_out": "quotes refused sold out (422)",
    "orders": "orders attempted (quotes answered 201)",
    "hot_orders": "of which on the hot days",
    "payments": "payment requests",
    "confirmed_answered": "confirmed, answered 200",
    "confirmed_reconciled": "confirmed by reconciliation",
    "confirmed": "confirmed in all",
    "declined": "declined (402)",
    "failed": "orders failed after the last decline",
    "fail_fast": "503 failed fast while the breaker was open",
    "retries_spent": "503 after the server's retries were spent",
    "unknown": "503 outcome unknown (left to reconciliation)",
    "gave_up": "customers who gave up and cancelled",
    "gateway_503": "gateway 503s (nothing done: error rate and outage)",
    "gateway_503_outage": "of which during the outage",
    "gateway_timeouts": "gateway timeouts (charged, answer lost)",
    "breaker_opened": "breaker opened (seen on /api/health every 0.1 s)",
    "breaker_open_s": "breaker open, seconds",
    "reconciled": "reconciled (confirmed + refunded + released + refunds finished)",
    "reconciled_split": "reconciled: confirmed / refunded / released / refunds finished",
    "charges": "charges at the gateway",
    "charges_refunded": "of which refunded",
    "emails_sent": "emails sent",
    "emails_by_kind": "emails by kind",
    "statuses": "orders by final status",
    "hot_sold": "hot days sold / capacity",
    "other": "other answers",
    "seconds": "run time, seconds",
}


def gateway_figures(run: Run) -> dict[str, int]:
    assert run.gateway is not None
    began, ended = run.outage
    counts: Counter[str] = Counter()
    for line in run.gateway.lines():
        if line.get("msg") == "gateway fault":
            counts[str(line.get("status"))] += 1
            at = dt.datetime.fromisoformat(line["ts"]).timestamp()
            counts["503 outage"] += line.get("status") == 503 and began <= at <= ended + 0.1
    return {
        "gateway_503": counts["503"],
        "gateway_503_outage": counts["503 outage"],
        "gateway_timeouts": counts["504"],
    }


def breaker_figures(run: Run) -> dict[str, Any]:
    changes = [*run.breaker, (time.monotonic(), "")]
    open_s = sum(b[0] - a[0] for a, b in itertools.pairwise(changes) if a[1] == "open")
    return {
        "breaker_opened": sum(1 for _, state in run.breaker if state == "open"),
        "breaker_open_s": round(open_s, 1),
    }


def figures(run: Run, tally: Tally, e: Evidence, reconciled: dict[str, int]) -> dict[str, Any]:
    n = tally.counts
    hot = {dt.date.fromisoformat(day) for day in run.hot}
    unusual = ("quote ", "pay ", "options ", "sign-in ", "tickets ", "customer failed", "connect")
    other = {k: v for k, v in n.items() if k.startswith(unusual) and k != "quote 422 sold_out"}
    return {
        "customers": n["customers"],
        "upgrades": n["eligible tickets"],
        "quotes": n["quotes sent"],
        "sold_out": n["quote 422 sold_out"],
        "orders": n["orders"],
        "hot_orders": n["orders on hot days"],
        "payments": n["payments sent"],
        "confirmed_answered": n["confirmed (200)"],
        "confirmed_reconciled": reconciled["confirmed"],
        "confirmed": len(e.confirmed()),
        "declined": n["declined (402)"],
        "failed": n["failed after the last decline"],
        "fail_fast": n["503 failed fast"],
        "retries_spent": n["503 retries spent"],
        "unknown": n["503 outcome unknown"],
        "gave_up": n["gave up, quote cancelled"],
        **gateway_figures(run),
        **breaker_figures(run),
        "reconciled": sum(reconciled[k] for k in REPAIRS),
        "reconciled_split": " / ".join(str(reconciled[k]) for k in REPAIRS),
        "charges": len(e.charges),
        "charges_refunded": sum(1 for c in e.charges if c["refunded"] is not None),
        "emails_sent": sum(1 for m in e.outbox if m["status"] == "sent"),
        "emails_by_kind": dict(sorted(Counter(m["kind"] for m in e.outbox).items())),
        "statuses": dict(sorted(Counter(o["status"] for o in e.orders.values()).items())),
        "hot_sold": [
            f"{r['sold']}/{r['capacity']}"
            for r in e.capacity
            if r["tier"] == "double-fun" and r["visit_date"] in hot
        ],
        "other": other,
    }


# -- the whole run --------------------------------------------------------------------------------


def run_chaos(config: ChaosConfig, workdir: Path) -> ChaosReport:
    """Run the scenario and check the invariants. The child processes are stopped and the
    database dropped (unless `keep_db`) before this returns or raises."""
    workdir.mkdir(parents=True, exist_ok=True)
    run = Run(config, workdir)
    try:
        run.setup()
        tally = run.load()
        run.faults()  # the gateway recovers for good
        told_nothing_charged = run.charged_yet_unavailable()
        reconciled = run.reconcile()
        again = run.reconcile()
        run.drain_outbox()
        shown = run.orders_as_shown(tally)
        assert run.server is not None
        run.server.stop()  # its log is complete once it has stopped
        evidence = Evidence.gather(run)
        found = figures(run, tally, evidence, reconciled)
    finally:
        run.teardown()
    leftovers = {k: v for k, v in again.items() if k in (*REPAIRS, "deferred") and v}
    checks = [
        *check_charges(evidence, told_nothing_charged),
        *check_capacity(evidence, run.hot),
        *check_emails(evidence),
        *check_shown(evidence, shown),
        *check_answers(evidence, tally, reconciled["confirmed"]),
        check(
            "a second reconciliation finds nothing to do",
            [f"{k}: {v}" for k, v in leftovers.items()],
            f"it checked {again['charges_checked']} charges and repaired nothing",
        ),
    ]
    found["seconds"] = round(time.monotonic() - run.started, 1)
    return ChaosReport(found, checks, run.timeline)


def markdown(report: ChaosReport, config: ChaosConfig) -> str:
    lines = [
        f"{config.customers} customers over {config.load_seconds:g} s, {config.concurrency} at "
        f"a time; the gateway fails {config.error_rate:.0%} of calls (503) and times out "
        f"{config.timeout_rate:.0%} after charging, with a {config.outage_seconds:g} s outage "
        f"{config.outage_start:g} s into the load; breaker recovery {config.breaker_recovery:g} s",
        "",
        "| figure | value |",
        "|---|---|",
    ]
    for key, value in report.figures.items():
        shown = json.dumps(value) if isinstance(value, dict | list) else value
        lines.append(f"| {LABELS[key]} | {shown} |")
    lines += ["", "| invariant | holds | |", "|---|---|---|"]
    lines += [f"| {c.name} | {'yes' if c.ok else '**NO**'} | {c.detail} |" for c in report.checks]
    lines += ["", "Timeline:", "", *(f"    {line}" for line in report.timeline)]
    return "\n".join(lines)


def interrupted(*_: Any) -> None:
    raise KeyboardInterrupt  # unwinds through the finally blocks: children stopped, db dropped


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for option in dataclasses.fields(ChaosConfig):
        flag = "--" + option.name.replace("_", "-")
        if option.type == "bool":
            parser.add_argument(flag, action="store_true", help=HELP[option.name])
            continue
        kind = {"int": int, "str": str}.get(str(option.type), float)
        default = option.default
        shown = "centred" if default is None else default
        parser.add_argument(flag, type=kind, default=default, help=f"{HELP[option.name]} ({shown})")
    config = ChaosConfig(**vars(parser.parse_args()))
    signal.signal(signal.SIGTERM, interrupted)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    workdir = RESULTS / "logs" / f"chaos-{stamp}"
    log(f"bench/chaos.py: logs in {workdir.relative_to(ROOT)}")
    report = run_chaos(config, workdir)
    text = markdown(report, config)
    record = {
        "config": dataclasses.asdict(config),
        "figures": report.figures,
        "checks": [dataclasses.asdict(c) for c in report.checks],
        "timeline": report.timeline,
    }
    (RESULTS / f"chaos-{stamp}.json").write_text(json.dumps(record, indent=1, default=str))
    (RESULTS / "chaos-latest.md").write_text(text + "\n")
    print(text)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
