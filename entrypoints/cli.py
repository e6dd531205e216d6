"""The `tap` command: `tap serve` runs the local build, `tap migrate` brings a database's schema
up to date, `tap seed` fills a database with generated sample data, `tap reconcile` settles
payments a crash left unfinished, `tap gateway` serves the dummy payment gateway over HTTP,
`tap data-agent` serves the Data Agent (the use cases as MCP tools), `tap ticket-agent` serves
the Ticket Agent's AgentCore runtime app (POST /invocations, GET /ping)."""

from __future__ import annotations

import argparse
import logging
import socket
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager

import uvicorn
from pydantic import ValidationError

from domain.errors import InvalidInputError
from entrypoints.http.app import create_app
from infra.container import ConfigurationError, Container, build_container
from infra.demo_data import demo_settings, is_seeded, seed_demo_data
from infra.gateway_process import GatewayStartError, exit_with, local_gateway_service
from infra.gateway_service import GatewayFaults, run_gateway_service
from infra.logging import configure_logging
from infra.migrate import migrate_database
from infra.sample_data import (
    SampleDataConflictError,
    SampleSpec,
    SampleSummary,
    describe,
    fingerprint,
    generate_sample_data,
    sample_data_container,
    sample_people,
)
from infra.settings import Settings

log = logging.getLogger("tap")


def load_settings(args: argparse.Namespace, **overrides: object) -> Settings:
    if getattr(args, "profile", None):
        overrides["profile"] = args.profile
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        # Say what is wrong without echoing the values: they may hold a password.
        problems = "; ".join(e["msg"] for e in error.errors(include_input=False))
        raise SystemExit(f"tap: invalid settings: {problems}") from None


def serve(args: argparse.Namespace) -> int:
    settings = load_settings(args)
    settings = settings.model_copy(
        update={
            "http_host": args.host or settings.http_host,
            "http_port": args.port or settings.http_port,
        }
    )
    configure_logging(settings.log_level, settings.log_json)
    with ExitStack() as stack:
        try:
            if settings.payments == "http" and not settings.payment_gateway_url:
                url = stack.enter_context(local_gateway_service(settings))
                settings = settings.model_copy(update={"payment_gateway_url": url})
            listener = None
            if settings.serve_data_agent:
                listener = stack.enter_context(
                    _listening(settings.http_host, settings.data_agent_port)
                )
                settings = settings.model_copy(update={"data_agent_url": _mcp_url(listener)})
            if settings.demo_data:
                settings = demo_settings(settings)
            container = build_container(settings)
            if settings.migrate_on_start and settings.persistence != "memory":
                migrate_database(settings)
            if settings.demo_data:
                seed_demo_data(container, settings.demo_load_tickets)
        except (ConfigurationError, GatewayStartError, OSError) as error:
            log.error("cannot start", extra={"reason": str(error)})
            print(f"tap: {error}", file=sys.stderr)  # noqa: T201
            return 2
        if listener is not None:
            # The same process and container: the memory profile's store lives here. The chat
            # still reaches it over a real MCP connection on loopback.
            stack.enter_context(_data_agent_in_thread(container, listener))
        _serve(settings, container)
    return 0


@contextmanager
def _listening(host: str, port: int) -> Iterator[socket.socket]:
    """A socket bound before anything is built, so the port (0: any free one) is known."""
    listener = socket.create_server((host, port), reuse_port=False)
    try:
        yield listener
    finally:
        listener.close()


def _mcp_url(listener: socket.socket) -> str:
    from entrypoints.mcp.server import MCP_PATH  # noqa: PLC0415 - the MCP SDK loads slowly

    return f"http://127.0.0.1:{listener.getsockname()[1]}{MCP_PATH}"


@contextmanager
def _data_agent_in_thread(
    container: Container, listener: socket.socket
) -> Iterator[uvicorn.Server]:
    """The Data Agent served on `listener` from a thread of this process, until the block ends."""
    from entrypoints.mcp.server import data_agent_app  # noqa: PLC0415

    server = uvicorn.Server(
        uvicorn.Config(data_agent_app(container), log_config=None, access_log=False, lifespan="on")
    )
    # The socket itself, not its fd: uvicorn reopens an fd as AF_UNIX, so asyncio leaves Nagle's
    # algorithm on for its connections, and every answer (head and body written apart) waited
    # for the client's delayed ACK: 40 ms per MCP call on loopback.
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [listener]}, name="data-agent", daemon=True
    )
    thread.start()
    log.info("data agent serving", extra={"url": _mcp_url(listener)})
    try:
        yield server
    finally:
        server.should_exit = True
        thread.join(timeout=5)


def _serve(settings: Settings, container: Container) -> None:
    app = create_app(container, settings)
    log.info(
        "serving",
        extra={
            "url": f"http://{settings.http_host}:{settings.http_port}",
            "profile": settings.profile,
            "persistence": settings.persistence,
            "demo_data": settings.demo_data,
            "state": "in this process only" if settings.persistence == "memory" else "database",
            "payments": settings.payment_gateway_url or "in process",
            "data_agent": settings.data_agent_url if settings.serve_data_agent else "not served",
        },
    )
    uvicorn.run(
        app,
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        access_log=False,
        lifespan="on",
        ws="websockets-sansio",
    )


def migrate_command(args: argparse.Namespace) -> int:
    settings = load_settings(args)
    configure_logging(settings.log_level, settings.log_json)
    if settings.persistence == "memory":
        print("tap: the memory profile has no database to migrate", file=sys.stderr)  # noqa: T201
        return 2
    migrate_database(settings)
    log.info("migrated", extra={"persistence": settings.persistence})
    return 0


def seed_command(args: argparse.Namespace) -> int:
    settings = load_settings(args)
    configure_logging("WARNING", settings.log_json)  # stdout is for the summary line
    if args.demo:
        settings = demo_settings(settings)
    try:
        spec = SampleSpec(
            seed=args.seed,
            customers=args.customers,
            tickets_per_customer=args.tickets,
            order_share=args.order_share,
        )
    except ValueError as error:
        print(f"tap seed: {error}", file=sys.stderr)  # noqa: T201
        return 2
    try:
        container = sample_data_container(settings, spec.seed)
        if settings.migrate_on_start and settings.persistence != "memory":
            migrate_database(settings)
        started = time.perf_counter()
        if args.demo:
            if is_seeded(container):
                raise SampleDataConflictError("this database already holds the demo data")
            seed_demo_data(container, crowd=spec)
        else:
            generate_sample_data(container, spec)
        elapsed = time.perf_counter() - started
    except ConfigurationError as error:
        print(f"tap seed: {error}", file=sys.stderr)  # noqa: T201
        return 2
    except SampleDataConflictError as error:
        print(f"tap seed: nothing written: {error}", file=sys.stderr)  # noqa: T201
        return 1
    rows = describe(container, [p.email for p in sample_people(spec)])
    summary = SampleSummary.read(spec.seed, rows)
    print(  # noqa: T201
        f"tap seed: {'the demo cast and ' if args.demo else ''}{summary.line()}; "
        f"seed {spec.seed}, {settings.persistence}, {elapsed:.1f} s, "
        f"fingerprint {fingerprint(rows)}"
    )
    return 0


def reconcile_command(args: argparse.Namespace) -> int:
    settings = load_settings(args)
    configure_logging("WARNING", settings.log_json)  # stdout is for the summary line
    if settings.persistence == "memory":
        print(  # noqa: T201
            "tap: the memory profile's payments live inside its server; it reconciles them "
            "itself (TAP_RECONCILE_EVERY_SECONDS)",
            file=sys.stderr,
        )
        return 2
    try:
        container = build_container(settings)
    except ConfigurationError as error:
        print(f"tap reconcile: {error}", file=sys.stderr)  # noqa: T201
        return 2
    report = container.reconcile_payments()()
    print(  # noqa: T201
        f"tap reconcile: {report.confirmed} confirmed, {report.refunded} refunded, "
        f"{report.released} released, {report.refunds_finished} refunds finished, "
        f"{report.deferred} deferred (gateway failing), {report.charges_checked} charges checked"
    )
    return 1 if report.deferred else 0


def gateway_command(args: argparse.Namespace) -> int:
    settings = load_settings(args)
    configure_logging(settings.log_level, settings.log_json)
    if args.exit_with:
        threading.Thread(target=exit_with, args=(args.exit_with,), daemon=True).start()
    token = settings.payment_gateway_admin_token
    try:
        run_gateway_service(
            GatewayFaults(
                latency=_or(args.latency, settings.gateway_latency_seconds),
                error_rate=_or(args.error_rate, settings.gateway_error_rate),
                timeout_rate=_or(args.timeout_rate, settings.gateway_timeout_rate),
                outage=args.outage or settings.gateway_outage,
            ),
            token.get_secret_value() if token is not None else None,
            # The timeout fault stalls longer than the app waits, so its read timeout fires.
            hang_seconds=settings.payment_gateway_timeout_seconds + 5,
            host=args.host,
            port=args.port,
            fd=args.fd,
        )
    except InvalidInputError as error:
        print(f"tap gateway: {error.message}", file=sys.stderr)  # noqa: T201
        return 2
    return 0


def data_agent_command(args: argparse.Namespace) -> int:
    """The Data Agent alone: MCP over stateless streamable HTTP at http://HOST:PORT/mcp."""
    from entrypoints.mcp.server import MCP_PATH, data_agent_app  # noqa: PLC0415 - this command only

    settings = load_settings(args)
    settings = settings.model_copy(
        update={
            "data_agent_host": args.host or settings.data_agent_host,
            "data_agent_port": args.port or settings.data_agent_port,
        }
    )
    configure_logging(settings.log_level, settings.log_json)
    # Its own memory store holds nothing unless seeded here; a database is seeded by `tap serve`
    # or `tap seed`, never by a second process at the same time.
    seed = settings.demo_data and settings.persistence == "memory"
    if seed:
        settings = demo_settings(settings)
    try:
        container = build_container(settings)
        if seed:
            seed_demo_data(container)
    except ConfigurationError as error:
        print(f"tap data-agent: {error}", file=sys.stderr)  # noqa: T201
        return 2
    log.info(
        "data agent serving",
        extra={
            "url": f"http://{settings.data_agent_host}:{settings.data_agent_port}{MCP_PATH}",
            "profile": settings.profile,
            "persistence": settings.persistence,
        },
    )
    uvicorn.run(
        data_agent_app(container),
        host=settings.data_agent_host,
        port=settings.data_agent_port,
        log_config=None,
        access_log=False,
        lifespan="on",
    )
    return 0


def ticket_agent_command(args: argparse.Namespace) -> int:
    """The Ticket Agent alone, as AgentCore Runtime runs it (the HTTP protocol: POST
    /invocations, GET /ping on 0.0.0.0:8080), its tools reaching the Data Agent at
    TAP_DATA_AGENT_URL. Nothing is checked there at start: while the Data Agent is away each
    turn is refused with a 503 saying so, and /ping still answers (the runtime is healthy)."""
    from entrypoints.agentcore.ticket_agent import create_ticket_agent  # noqa: PLC0415

    settings = load_settings(args)
    port = settings.ticket_agent_port if args.port is None else args.port
    configure_logging(settings.log_level, settings.log_json)
    if settings.persistence == "memory":
        # Its store is its own and empty: it knows none of the customers the Data Agent (another
        # process) serves, so every turn would be refused. Say so now rather than per turn.
        log.warning(
            "the memory profile's Ticket Agent knows no customers; run it and the Data Agent "
            "on the postgres profile, or use `tap serve`, which serves both"
        )
    try:
        container = build_container(settings)
    except ConfigurationError as error:
        print(f"tap ticket-agent: {error}", file=sys.stderr)  # noqa: T201
        return 2
    log.info(
        "ticket agent serving",
        extra={
            "url": f"http://{args.host}:{port}/invocations",
            "profile": settings.profile,
            "reasoner": settings.reasoner,
            "data_agent": settings.data_agent_url,
        },
    )
    uvicorn.run(
        create_ticket_agent(container),
        host=args.host,
        port=port,
        log_config=None,
        access_log=False,
        lifespan="on",
    )
    return 0


def _or(value: float | None, default: float) -> float:
    return default if value is None else value


def _ticket_range(text: str) -> tuple[int, int]:
    low, _, high = text.partition("-")
    try:
        return int(low), int(high or low)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a range like 1-4") from None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tap", description="Ticket Auto-Processing")
    commands = parser.add_subparsers(dest="command", required=True)
    profiles = ["memory", "postgres", "aws"]

    serve_parser = commands.add_parser("serve", help="run the local build")
    serve_parser.add_argument("--host", default=None, help="default 127.0.0.1")
    serve_parser.add_argument("--port", type=int, default=None, help="default 8080")
    serve_parser.add_argument(
        "--profile", choices=profiles, default=None, help="default memory (or TAP_PROFILE)"
    )
    serve_parser.set_defaults(handler=serve)

    migrate_parser = commands.add_parser(
        "migrate",
        help="apply the database migrations (postgres: TAP_DATABASE_URL; aws: the "
        "credentials in TAP_AURORA_SECRET_ARN)",
    )
    migrate_parser.add_argument("--profile", choices=profiles[1:], default=None)
    migrate_parser.set_defaults(handler=migrate_command)

    seed_parser = commands.add_parser(
        "seed",
        help="fill the database (postgres: TAP_DATABASE_URL) with generated customers, tickets "
        "and past orders; the same seed on the same day gives the same data",
    )
    seed_parser.add_argument("--customers", type=int, default=100, help="default 100")
    seed_parser.add_argument("--seed", type=int, default=1, help="default 1")
    seed_parser.add_argument(
        "--tickets", type=_ticket_range, default=(1, 4), help="per customer, default 1-4"
    )
    seed_parser.add_argument(
        "--order-share",
        type=float,
        default=0.5,
        help="share of the tickets held with past upgrade orders, default 0.5",
    )
    seed_parser.add_argument(
        "--demo", action="store_true", help="the demo logins too (alice@example.com...)"
    )
    seed_parser.add_argument(
        "--profile",
        choices=profiles,
        default=None,
        help="default memory (or TAP_PROFILE); memory only tries it out, the data dies with it",
    )
    seed_parser.set_defaults(handler=seed_command)

    reconcile_parser = commands.add_parser(
        "reconcile",
        help="settle payments left unfinished (a crash between charge and commit, a timeout): "
        "confirm, refund or release each; exits 1 if the gateway failed and some must wait",
    )
    reconcile_parser.add_argument("--profile", choices=profiles[1:], default=None)
    reconcile_parser.set_defaults(handler=reconcile_command)

    gateway_parser = commands.add_parser(
        "gateway",
        help="serve the dummy payment gateway over HTTP (Stripe-like; the test cards of "
        "DOMAIN.md); faults default to TAP_GATEWAY_*, the admin token to "
        "TAP_PAYMENT_GATEWAY_ADMIN_TOKEN",
    )
    gateway_parser.add_argument("--host", default="127.0.0.1")
    gateway_parser.add_argument("--port", type=int, default=8090, help="default 8090")
    gateway_parser.add_argument("--fd", type=int, default=None, help=argparse.SUPPRESS)
    gateway_parser.add_argument("--exit-with", type=int, default=None, help=argparse.SUPPRESS)
    gateway_parser.add_argument("--latency", type=float, default=None, help="seconds per call")
    gateway_parser.add_argument("--error-rate", type=float, default=None, help="0 to 1")
    gateway_parser.add_argument(
        "--timeout-rate", type=float, default=None, help="0 to 1: charged, then 504"
    )
    gateway_parser.add_argument("--outage", action="store_true", help="every call fails")
    gateway_parser.set_defaults(handler=gateway_command, profile=None)

    data_agent_parser = commands.add_parser(
        "data-agent",
        help="serve the Data Agent: the use cases as MCP tools over stateless streamable HTTP "
        "at /mcp, each call acting for the customer of its bearer token (TAP_DATA_AGENT_*)",
    )
    data_agent_parser.add_argument("--host", default=None, help="default 0.0.0.0")
    data_agent_parser.add_argument("--port", type=int, default=None, help="default 8000")
    data_agent_parser.add_argument(
        "--profile", choices=profiles, default=None, help="default memory (or TAP_PROFILE)"
    )
    data_agent_parser.set_defaults(handler=data_agent_command)

    ticket_agent_parser = commands.add_parser(
        "ticket-agent",
        help="serve the Ticket Agent as AgentCore Runtime runs it: POST /invocations "
        '({"message", "access_token"}), GET /ping; its tools reach the Data Agent at '
        "TAP_DATA_AGENT_URL",
    )
    ticket_agent_parser.add_argument(
        "--host",
        default="0.0.0.0",  # noqa: S104 - AgentCore's HTTP contract: 0.0.0.0:8080
        help="default 0.0.0.0",
    )
    ticket_agent_parser.add_argument(
        "--port", type=int, default=None, help="default 8080 (or TAP_TICKET_AGENT_PORT)"
    )
    ticket_agent_parser.add_argument(
        "--profile", choices=profiles, default=None, help="default memory (or TAP_PROFILE)"
    )
    ticket_agent_parser.set_defaults(handler=ticket_agent_command)

    args = parser.parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    raise SystemExit(main())
