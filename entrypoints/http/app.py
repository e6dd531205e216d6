"""The app factory: routes, dependencies, errors, middleware, OpenAPI and background work."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Any, cast

from litestar import Litestar, Router
from litestar.config.cors import CORSConfig
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import RedocRenderPlugin, SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.types import ASGIApp

from entrypoints.http.auth import bearer_authentication
from entrypoints.http.background import outbox_dispatcher, payment_reconciler
from entrypoints.http.controllers.auth import AuthController
from entrypoints.http.controllers.chat import ChatController
from entrypoints.http.controllers.me import MeController
from entrypoints.http.controllers.progress import order_events
from entrypoints.http.controllers.system import SystemController
from entrypoints.http.controllers.tickets import TicketController
from entrypoints.http.controllers.upgrades import UpgradeController
from entrypoints.http.dependencies import Services, dependencies
from entrypoints.http.middleware import RateLimitMiddleware, RequestContextMiddleware
from entrypoints.http.problems import EXCEPTION_HANDLERS
from entrypoints.http.site import site_routers
from infra.container import Container
from infra.settings import Settings

MAX_BODY_BYTES = 64 * 1024


def app_version() -> str:
    try:
        return version("ticket-auto-process")
    except PackageNotFoundError:
        return "0.0.0"


def site_connects_to(settings: Settings) -> list[str]:
    """Where the site's page talks besides its own origin: Cognito's endpoint, when it signs in
    there (the build's VITE_COGNITO_ENDPOINT, or the region's public one)."""
    return [settings.cognito_api_url] if settings.identity == "cognito" else []


def create_app(container: Container, settings: Settings, background: bool = True) -> Litestar:
    """The HTTP app over a built container. `background=False` leaves the outbox and
    reconciliation to the caller (tests run them themselves, step by step)."""
    services = Services(
        container,
        settings.profile,
        app_version(),
        settings.use_threads,
        settings.use_case_threads,
    )
    lifespan = []
    if background:
        lifespan.append(
            outbox_dispatcher(container.dispatch_outbox(), settings.outbox_poll_seconds)
        )
        if settings.reconcile_every_seconds:
            lifespan.append(
                payment_reconciler(container.reconcile_payments(), settings.reconcile_every_seconds)
            )
    # The built site, when there is one: `/`, its client-side routes and its assets.
    site = (
        site_routers(settings.site_dir, site_connects_to(settings))
        if settings.site_dir is not None
        else []
    )
    app = Litestar(
        route_handlers=[
            *site,
            SystemController,
            AuthController,
            Router(
                path="/",
                route_handlers=[
                    MeController,
                    TicketController,
                    UpgradeController,
                    ChatController,
                    order_events,
                ],
                middleware=[bearer_authentication(container.token_verifier())],
            ),
        ],
        dependencies=dependencies(services),
        on_shutdown=[services.close],
        exception_handlers=EXCEPTION_HANDLERS,
        cors_config=CORSConfig(
            allow_origins=settings.cors_origins,
            allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "X-Request-ID"],
            expose_headers=["X-Request-ID", "Retry-After", "Idempotent-Replayed"],
            allow_methods=["GET", "POST", "PATCH", "OPTIONS"],
        )
        if settings.cors_origins
        else None,
        openapi_config=OpenAPIConfig(
            title="Ticket Auto-Processing API",
            version=app_version(),
            path="/schema",
            render_plugins=[RedocRenderPlugin(), SwaggerRenderPlugin(path="/swagger")],
            components=Components(
                security_schemes={
                    "bearer": SecurityScheme(type="http", scheme="bearer", bearer_format="JWT"),
                }
            ),
            security=[{"bearer": []}],
        ),
        lifespan=lifespan,
        request_max_body_size=MAX_BODY_BYTES,
        logging_config=None,  # infra.logging owns the log format
        debug=False,
    )
    # Wrap Litestar's whole handler, not a route's: 404s, 405s and CORS answers get a request
    # id, a log line and a metric too.
    handler: Any = app.asgi_handler
    if settings.rate_limit_per_minute:
        handler = RateLimitMiddleware(
            handler, settings.rate_limit_per_minute, settings.rate_limit_burst
        )
    app.asgi_handler = cast(
        "ASGIApp", RequestContextMiddleware(handler, container.metrics_registry())
    )
    return app
