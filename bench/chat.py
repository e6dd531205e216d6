"""The time of one chat turn in the local build: POST /api/chat through the Ticket Agent (the
rule-based reasoner) and the Data Agent over MCP on loopback, against a real `tap serve`.

Each run starts a fresh `tap serve` (memory profile, demo data, the Data Agent on a free port
beside the site) and signs in as demo customers. Then, in the same run:

1. the baseline, one request at a time: GET /api/health, and GET /api/tickets (a plain API
   call reading the same customer data a turn reads);
2. conversations of six turns (greeting, "which tickets", a ticket named, its options, the
   cheapest date for a tier, "yes" to hold it), one customer at a time (sequential) and from
   `--clients` customers at once (concurrent); every POST /api/chat is timed, and the quote
   the last turn makes is cancelled through the API afterwards (untimed), so the next
   conversation finds the ticket free again;
3. MCP tool calls on the open session of the Ticket Agent's own adapter, from this process to
   the server's Data Agent: a small one (`get_ticket`) and a month of calendar
   (`upgrade_options`, 31 days), the adapter's and the Data Agent's share of a turn.

The figures are medians over `--runs` of each run's median and p99, with the ratio of a turn
to the baseline (which survives a faster or slower machine). Target (issue 5): a turn's
median under 50 ms.

    .venv/bin/python bench/chat.py                 # 5 runs, about a minute
    .venv/bin/python bench/chat.py --runs 3 --clients 5 --per-client 20
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(Path(__file__).resolve().parent), str(ROOT)]
from httpload import Connection  # noqa: E402
from serving import free_port, start_tap_serve, stop_tap_serve  # noqa: E402

DEMO_PASSWORD = "Funland-2026"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Customer:
    """A demo login, one of their eligible tickets, and a tier it can be upgraded to."""

    email: str
    ticket: str
    tier: str


CUSTOMERS = (
    Customer("alice@example.com", "TKT-10000001", "Non-stop"),
    Customer("carol@example.com", "TKT-10000022", "Standard"),
    Customer("dave@example.com", "TKT-10000032", "Double Fun"),
    Customer("eve@example.com", "TKT-10000042", "Non-stop"),
    Customer("bob@example.com", "TKT-10000015", "Double Fun"),
)


def script(customer: Customer) -> list[tuple[str, str]]:
    """A conversation: (kind of turn, message)."""
    return [
        ("greeting", "Hello!"),
        ("tickets", "Which tickets do I have?"),
        ("ticket", f"I'd like to upgrade {customer.ticket}"),
        ("options", "What are my options?"),
        ("cheapest", f"What is the cheapest date for {customer.tier}?"),
        ("quote", "Yes please, hold it"),
    ]


@dataclass
class Samples:
    """Latencies in ms, by kind of turn too."""

    all: list[float] = field(default_factory=list)
    by_kind: dict[str, list[float]] = field(default_factory=dict)

    def add(self, kind: str, ms: float) -> None:
        self.all.append(ms)
        self.by_kind.setdefault(kind, []).append(ms)


@dataclass
class RunResult:
    health_p50_ms: float
    tickets_p50_ms: float
    sequential_p50_ms: float
    sequential_p99_ms: float
    sequential_turns: int
    concurrent_p50_ms: float
    concurrent_p99_ms: float
    concurrent_turns: int
    concurrent_turns_per_s: float
    mcp_call_p50_ms: float
    mcp_call_p99_ms: float
    mcp_calendar_p50_ms: float
    kind_p50_ms: dict[str, float]
    failures: int
    server_cores: float
    driver_cores: float
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


async def sign_in(connection: Connection, email: str) -> str:
    body = json.dumps({"email": email, "password": DEMO_PASSWORD}).encode()
    reply = await connection.request("POST", "/api/auth/login", body)
    assert reply.status == 200, reply.body
    return str(reply.json()["access_token"])


async def timed_gets(
    connection: Connection, path: str, token: str | None, count: int
) -> list[float]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        reply = await connection.request("GET", path, headers=headers)
        samples.append((time.perf_counter() - started) * 1000)
        assert reply.status == 200, reply.body[:300]
    return samples


async def conversation(
    connection: Connection, customer: Customer, token: str, samples: Samples, failures: list[str]
) -> None:
    """One conversation, every turn timed; then its quote cancelled (untimed)."""
    auth = {"Authorization": f"Bearer {token}"}
    session: str | None = None
    last: dict = {}
    for kind, message in script(customer):
        body = json.dumps({"message": message, **({"session_id": session} if session else {})})
        started = time.perf_counter()
        reply = await connection.request("POST", "/api/chat", body.encode(), auth)
        elapsed = (time.perf_counter() - started) * 1000
        if reply.status != 200:
            failures.append(f"{kind} {reply.status} {reply.body[:200]!r}")
            return
        samples.add(kind, elapsed)
        last = reply.json()
        session = last["session_id"]
    held = [a for a in last["actions"] if a["type"] == "show_payment_form"]
    if not held:  # the conversation did not end as it should: say so, it is not a turn's cost
        failures.append(f"no quote for {customer.email}: {last['response_text'][:200]!r}")
        return
    cancel = await connection.request(
        "POST", f"/api/upgrades/{held[0]['data']['order_id']}/cancel", b"", auth
    )
    if cancel.status != 200:
        failures.append(f"cancel {cancel.status} {cancel.body[:200]!r}")


async def client(
    host: str,
    port: int,
    customer: Customer,
    token: str,
    count: int,
    samples: Samples,
    failures: list[str],
) -> None:
    connection = await Connection.open(host, port)
    try:
        for _ in range(count):
            await conversation(connection, customer, token, samples, failures)
    finally:
        await connection.close()


def mcp_calls(url: str, token: str, ticket: str, count: int) -> dict[str, list[float]]:
    """`count` calls of two tools on the open session of the Ticket Agent's adapter: a small
    answer (`get_ticket`) and a month of calendar (`upgrade_options`, 31 days, 93 options: the
    page the cheapest-date turn asks for four times)."""
    from adapters.mcp.data_agent_client import McpDataAgentTools  # noqa: PLC0415

    calls = {
        "get_ticket": {"ticket": ticket},
        "upgrade_options": {"ticket": ticket, "days": 31},
    }
    tools = McpDataAgentTools(url, timeout=10)
    try:
        tools.list_tools(token)  # opens the session
        samples: dict[str, list[float]] = {name: [] for name in calls}
        for name, arguments in calls.items():
            for n in range(count + 20):
                started = time.perf_counter()
                result = tools.call(str(n), name, arguments, token)
                if n >= 20:  # the first ones warm up
                    samples[name].append((time.perf_counter() - started) * 1000)
                assert not result.is_error, result.content
        return samples
    finally:
        tools.close()


async def measure(
    args: argparse.Namespace, port: int, data_agent_port: int, server_pid: int
) -> RunResult:
    host = "127.0.0.1"
    customers = CUSTOMERS[: max(args.clients, 1)]
    connection = await Connection.open(host, port)
    tokens = {c.email: await sign_in(connection, c.email) for c in customers}
    first = customers[0]
    failures: list[str] = []

    # Warm-up: one conversation per customer (opens the MCP session, fills the caches).
    for customer in customers:
        await conversation(connection, customer, tokens[customer.email], Samples(), failures)
    await timed_gets(connection, "/api/health", None, 50)
    health = await timed_gets(connection, "/api/health", None, args.samples)
    tickets = await timed_gets(connection, "/api/tickets", tokens[first.email], args.samples)

    server_before, busy_before, own_before = process_cpu(server_pid), machine_busy(), own_cpu()
    window_started = time.perf_counter()
    sequential = Samples()
    for n in range(args.conversations):
        customer = customers[n % len(customers)]
        await conversation(connection, customer, tokens[customer.email], sequential, failures)
    await connection.close()

    concurrent = Samples()
    started = time.perf_counter()
    await asyncio.gather(
        *(
            client(host, port, c, tokens[c.email], args.per_client, concurrent, failures)
            for c in customers
        )
    )
    elapsed = time.perf_counter() - started
    window = time.perf_counter() - window_started
    server_cores = (process_cpu(server_pid) - server_before) / window
    driver_cores = (own_cpu() - own_before) / window
    other = max(0.0, (machine_busy() - busy_before) / window - server_cores - driver_cores)

    url = f"http://127.0.0.1:{data_agent_port}/mcp"
    mcp = await asyncio.to_thread(mcp_calls, url, tokens[first.email], first.ticket, args.samples)
    if failures:
        print(f"  {len(failures)} failures, e.g. {failures[0]}", file=sys.stderr)
    return RunResult(
        health_p50_ms=statistics.median(health),
        tickets_p50_ms=statistics.median(tickets),
        sequential_p50_ms=statistics.median(sequential.all),
        sequential_p99_ms=percentile(sequential.all, 0.99),
        sequential_turns=len(sequential.all),
        concurrent_p50_ms=statistics.median(concurrent.all),
        concurrent_p99_ms=percentile(concurrent.all, 0.99),
        concurrent_turns=len(concurrent.all),
        concurrent_turns_per_s=len(concurrent.all) / elapsed,
        mcp_call_p50_ms=statistics.median(mcp["get_ticket"]),
        mcp_call_p99_ms=percentile(mcp["get_ticket"], 0.99),
        mcp_calendar_p50_ms=statistics.median(mcp["upgrade_options"]),
        kind_p50_ms={k: statistics.median(v) for k, v in sequential.by_kind.items()},
        failures=len(failures),
        server_cores=server_cores,
        driver_cores=driver_cores,
        other_cores=other,
    )


async def one_run(args: argparse.Namespace, run: int) -> RunResult:
    port, data_agent_port = free_port(), free_port()
    with tempfile.TemporaryDirectory(prefix="tap-chat-bench-") as folder:
        log = ROOT / "bench" / "results" / f"chat-server-{run}.log"
        log.parent.mkdir(exist_ok=True)
        server = start_tap_serve(
            port,
            {
                "PROFILE": "memory",
                "DEMO_DATA": "true",
                "RATE_LIMIT_PER_MINUTE": "0",
                "DATA_AGENT_PORT": str(data_agent_port),
                "MAIL_DIR": str(Path(folder) / "mail"),
                "LOG_LEVEL": "WARNING",
            },
            log,
        )
        try:
            return await measure(args, port, data_agent_port, server.pid)
        finally:
            stop_tap_serve(server)


def report(results: list[RunResult], args: argparse.Namespace) -> str:
    def med(name: str) -> float:
        return statistics.median(getattr(r, name) for r in results)

    def spread(name: str) -> str:
        values = [getattr(r, name) for r in results]
        return f"{min(values):,.2f}–{max(values):,.2f}"

    clients = f"{args.clients} clients at once"
    rows = [
        ("GET /api/health p50 (baseline)", "ms", "health_p50_ms"),
        ("GET /api/tickets p50 (baseline)", "ms", "tickets_p50_ms"),
        ("chat turn p50, one at a time", "ms", "sequential_p50_ms"),
        ("chat turn p99, one at a time", "ms", "sequential_p99_ms"),
        (f"chat turn p50, {clients}", "ms", "concurrent_p50_ms"),
        (f"chat turn p99, {clients}", "ms", "concurrent_p99_ms"),
        (f"chat turns per second, {clients}", "/s", "concurrent_turns_per_s"),
        ("MCP tool call (get_ticket) p50, open session", "ms", "mcp_call_p50_ms"),
        ("MCP tool call (get_ticket) p99, open session", "ms", "mcp_call_p99_ms"),
        ("MCP tool call (upgrade_options, 31 days) p50", "ms", "mcp_calendar_p50_ms"),
        ("failures", "", "failures"),
        ("server CPU while chatting", "cores", "server_cores"),
        ("this script's CPU", "cores", "driver_cores"),
        ("other processes' CPU (a busy machine skews the figures)", "cores", "other_cores"),
    ]
    turns = results[0].sequential_turns, results[0].concurrent_turns
    lines = [
        f"{len(results)} runs; per run {turns[0]} turns one at a time and {turns[1]} from "
        f"{clients}, {args.samples} baseline and MCP samples; medians over the runs (min–max)",
        "",
        "| measure | median | min–max | unit |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {label} | {med(name):,.2f} | {spread(name)} | {unit} |" for label, unit, name in rows
    ]
    by_kind = ", ".join(
        f"{kind} {statistics.median(r.kind_p50_ms[kind] for r in results):.1f}"
        for kind in results[0].kind_p50_ms
    )
    turn, tickets = med("sequential_p50_ms"), med("tickets_p50_ms")
    lines += [
        "",
        f"p50 by kind of turn, one at a time (ms): {by_kind}",
        "",
        f"Ratios of the p50s: a turn is {turn / med('health_p50_ms'):.0f}× a health check and "
        f"{turn / tickets:.1f}× GET /api/tickets; an MCP call on the open session "
        f"{med('mcp_call_p50_ms') / tickets:.1f}× GET /api/tickets. Target, a turn's median "
        f"under 50 ms: {'met' if turn < 50 else 'NOT met'}.",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=(__doc__ or "").split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--runs", type=int, default=5, help="fresh servers, one after another")
    parser.add_argument(
        "--conversations", type=int, default=40, help="sequential conversations per run"
    )
    parser.add_argument(
        "--clients", type=int, default=4, help=f"concurrent customers, 1 to {len(CUSTOMERS)}"
    )
    parser.add_argument(
        "--per-client", type=int, default=10, help="conversations of each concurrent customer"
    )
    parser.add_argument("--samples", type=int, default=200, help="baseline and MCP calls")
    args = parser.parse_args()
    if not 1 <= args.clients <= len(CUSTOMERS):
        parser.error(f"--clients must be between 1 and {len(CUSTOMERS)} (the demo customers)")
    results = []
    for run in range(1, args.runs + 1):
        result = asyncio.run(one_run(args, run))
        print(
            f"run {run}: turn p50 {result.sequential_p50_ms:.1f} ms sequential, "
            f"{result.concurrent_p50_ms:.1f} ms concurrent; health p50 "
            f"{result.health_p50_ms:.2f} ms; MCP call p50 {result.mcp_call_p50_ms:.2f} ms",
            file=sys.stderr,
        )
        results.append(result)
    text = report(results, args)
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    (out / f"chat-{stamp}.json").write_text(json.dumps([asdict(r) for r in results], indent=2))
    (out / "chat-latest.md").write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
