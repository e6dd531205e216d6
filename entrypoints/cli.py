"""The `tap` command: `tap serve` runs the local build, `tap migrate` brings a database's schema
up to date, `tap seed` fills a database with generated sample data."""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Sequence

import uvicorn
from pydantic import ValidationError

from entrypoints.http.app import create_app
from infra.container import ConfigurationError, build_container
from infra.demo_data import demo_settings, is_seeded, seed_demo_data
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
    try:
        if settings.demo_data:
            settings = demo_settings(settings)
        container = build_container(settings)
        if settings.migrate_on_start and settings.persistence != "memory":
            migrate_database(settings)
        if settings.demo_data:
            seed_demo_data(container, settings.demo_load_tickets)
    except ConfigurationError as error:
        log.error("cannot start", extra={"reason": str(error)})
        print(f"tap: {error}", file=sys.stderr)  # noqa: T201
        return 2
    app = create_app(container, settings)
    log.info(
        "serving",
        extra={
            "url": f"http://{settings.http_host}:{settings.http_port}",
            "profile": settings.profile,
            "persistence": settings.persistence,
            "demo_data": settings.demo_data,
            "state": "in this process only" if settings.persistence == "memory" else "database",
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
    return 0


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

    args = parser.parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    raise SystemExit(main())
