"""The payment gateway's circuit breaker as a Prometheus gauge, read at scrape time."""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import CollectorRegistry, Gauge

from adapters.payments.resilient import ClockedCircuitBreaker

STATES = ("closed", "open", "half_open")


def register_breaker_gauge(registry: CollectorRegistry, breaker: ClockedCircuitBreaker) -> Gauge:
    """tap_payment_breaker_state{state}: 1 for the breaker's current state, 0 for the others.
    Computed when scraped, so it never lags the breaker (half-open is a matter of time)."""
    gauge = Gauge(
        "tap_payment_breaker_state",
        "The payment gateway circuit breaker: 1 for its current state",
        ["state"],
        registry=registry,
    )
    for state in STATES:
        gauge.labels(state).set_function(_is_in(breaker, state))
    return gauge


def _is_in(breaker: ClockedCircuitBreaker, state: str) -> Callable[[], float]:
    return lambda: float(breaker_state(breaker) == state)


def breaker_state(breaker: ClockedCircuitBreaker) -> str:
    return str(breaker.state).replace("-", "_")
