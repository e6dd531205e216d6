"""Health, the JWKS, Prometheus metrics and the problem catalogue: public, no token."""

from __future__ import annotations

from typing import Any

from litestar import Controller, MediaType, Response, get
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from application.ports.clock import Clock
from application.ports.identity import IdentityProvider
from entrypoints.http.schemas import HealthOut


class SystemController(Controller):
    tags = ["system"]

    @get("/api/health", operation_id="health", sync_to_thread=False)
    def health(
        self,
        clock: NamedDependency[Clock],
        profile: NamedDependency[str],
        version: NamedDependency[str],
    ) -> HealthOut:
        """Liveness: the process answers and knows its profile."""
        return HealthOut(status="ok", profile=profile, version=version, time=clock.now())

    @get("/.well-known/jwks.json", operation_id="jwks", sync_to_thread=False)
    def jwks(self, identity: NamedDependency[IdentityProvider]) -> dict[str, Any]:
        """The public keys that verify the access tokens this server issues."""
        keys = identity.public_keys()
        if keys is None:
            raise NotFoundException("This server does not issue tokens; see the identity provider.")
        return dict(keys)

    @get("/metrics", operation_id="metrics", include_in_schema=False, sync_to_thread=False)
    def metrics(self, metrics_registry: NamedDependency[CollectorRegistry]) -> Response[bytes]:
        return Response(generate_latest(metrics_registry), media_type=CONTENT_TYPE_LATEST)

    @get(
        "/problems/{code:str}",
        operation_id="problem",
        media_type=MediaType.TEXT,
        sync_to_thread=False,
    )
    def problem(self, code: str) -> str:
        """What a problem `type` means: every error answer links here."""
        return (
            f"{code}: see the 'detail' and 'guidance' fields of the error you received. "
            "The API is described at /schema."
        )
