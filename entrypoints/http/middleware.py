"""ASGI middleware around the whole app: request ids, access log, metrics, rate limiting.

They wrap Litestar's own handler (not a route's), so they also see 404s, 405s and CORS
preflights: every response carries an X-Request-ID and is counted.
"""

from __future__ import annotations

import itertools
import logging
import re
import time
import uuid
from typing import Any

import msgspec
from prometheus_client import CollectorRegistry, Counter, Histogram

from entrypoints.http.problems import PROBLEM_JSON, problem_body
from infra.logging import request_id_var

ASGIApp = Any  # (scope, receive, send) -> awaitable; Litestar's own types are not needed here

log = logging.getLogger("tap.access")
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


class RequestContextMiddleware:
    """Gives every request an id (the caller's X-Request-ID if sane), logs one JSON line per
    request and records Prometheus request counts and latencies by route template."""

    def __init__(self, app: ASGIApp, registry: CollectorRegistry) -> None:
        self.app = app
        # A random per-process prefix and a counter: unique ids without a syscall each.
        self._prefix = uuid.uuid4().hex[:16]
        self._serials = itertools.count(1)
        self.requests = Counter(
            "tap_http_requests", "HTTP requests", ["method", "route", "status"], registry=registry
        )
        self.latency = Histogram(
            "tap_http_request_duration_seconds",
            "HTTP request latency",
            ["method", "route"],
            registry=registry,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
        )

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        request_id = _incoming_request_id(scope) or f"{self._prefix}{next(self._serials):010x}"
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 500 if scope["type"] == "http" else 101

        async def send_with_id(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [
                    *message.get("headers", ()),
                    (b"x-request-id", request_id.encode()),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = scope.get("path_template") or "unmatched"
            method = scope.get("method", "WS")
            self.requests.labels(method, route, str(status)).inc()
            self.latency.labels(method, route).observe(elapsed)
            log.info(
                "request",
                extra={
                    "method": method,
                    "path": scope["path"],
                    "route": route,
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 2),
                    "client": (scope.get("client") or ("-",))[0],
                },
            )
            request_id_var.reset(token)


def _incoming_request_id(scope: dict[str, Any]) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            text = value.decode("latin-1")
            return text if _REQUEST_ID.fullmatch(text) else None
    return None


class RateLimitMiddleware:
    """A token bucket per client address: `per_minute` sustained, `burst` at once.

    Health checks and metrics scrapes are not limited. In one process only: behind several
    workers or on AWS the API Gateway's throttling does this job.
    """

    EXEMPT = ("/api/health", "/metrics")

    def __init__(self, app: ASGIApp, per_minute: int, burst: int) -> None:
        self.app = app
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self.buckets: dict[str, tuple[float, float]] = {}

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or self.rate <= 0 or scope["path"].startswith(self.EXEMPT):
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("unknown",))[0]
        now = time.monotonic()
        tokens, last = self.buckets.get(client, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        if tokens < 1:
            self.buckets[client] = (tokens, now)
            await self._refuse(send, retry_after=max(1, round((1 - tokens) / self.rate)))
            return
        self.buckets[client] = (tokens - 1, now)
        if len(self.buckets) > 50_000:
            self._forget_idle(now)
        await self.app(scope, receive, send)

    def _forget_idle(self, now: float) -> None:
        full = [
            c for c, (t, last) in self.buckets.items() if t + (now - last) * self.rate >= self.burst
        ]
        for client in full:
            del self.buckets[client]

    @staticmethod
    async def _refuse(send: Any, retry_after: int) -> None:
        body = msgspec.json.encode(
            problem_body(
                429,
                "too_many_requests",
                "Too many requests from this client.",
                "Slow down and retry after the time in Retry-After.",
            )
        )
        await send(
            {
                "type": "http.response.start",
                "status": 429,
                "headers": [
                    (b"content-type", PROBLEM_JSON.encode()),
                    (b"content-length", str(len(body)).encode()),
                    (b"retry-after", str(retry_after).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
