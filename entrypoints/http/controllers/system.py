"""Health, the JWKS and Prometheus metrics: public, no token."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from entrypoints.http.dependencies import Services
from entrypoints.http.schemas import HealthOut, PaymentGatewayHealthOut


class SystemController(Controller):
    tags = ["system"]

    @get("/api/health", operation_id="health", sync_to_thread=False)
    def health(self, services: NamedDependency[Services]) -> HealthOut:
        """Liveness, and the payment gateway's circuit breaker: `degraded` while it is open
        (payments fail fast with 503 then; everything else works)."""
        breaker, retry_after = services.payment_breaker()
        return HealthOut(
            status="degraded" if breaker == "open" else "ok",
            profile=services.profile,
            version=services.version,
            time=services.clock.now(),
            payment_gateway=PaymentGatewayHealthOut(breaker, retry_after),
        )

    @get("/.well-known/jwks.json", operation_id="jwks", sync_to_thread=False)
    def jwks(self, services: NamedDependency[Services]) -> dict[str, Any]:
        """The public keys that verify the access tokens this server issues."""
        keys = services.identity.public_keys()
        if keys is None:
            raise NotFoundException("This server does not issue tokens; see the identity provider.")
        return dict(keys)

    @get("/metrics", operation_id="metrics", include_in_schema=False, sync_to_thread=False)
    def metrics(self, services: NamedDependency[Services]) -> Response[bytes]:
        return Response(generate_latest(services.metrics_registry), media_type=CONTENT_TYPE_LATEST)
