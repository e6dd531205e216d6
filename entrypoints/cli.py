"""The `tap` command: `tap serve` runs the local build, `tap migrate` brings a database's schema
up to date."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

import uvicorn
from pydantic import ValidationError

from entrypoints.http.app import create_app
from infra.container import ConfigurationError, build_container
from infra.demo_data import demo_settings, seed_demo_data
from infra.logging import configure_logging
from infra.migrate import migrate_database
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

    args = parser.parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    raise SystemExit(main())
