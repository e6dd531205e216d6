"""Counts upgrade, payment and email outcomes from the order events, for Prometheus."""

from __future__ import annotations

from collections.abc import Sequence

from prometheus_client import CollectorRegistry, Counter

from domain.events import OrderEvent, PaymentDeclined

_OUTCOMES = {
    "quoted": ("upgrades", "quoted"),
    "confirmed": ("upgrades", "confirmed"),
    "cancelled": ("upgrades", "cancelled"),
    "expired": ("upgrades", "expired"),
    "failed": ("upgrades", "failed"),
    "refunded": ("upgrades", "refunded"),
    "payment_succeeded": ("payments", "succeeded"),
    "payment_declined": ("payments", "declined"),
    "payment_unavailable": ("payments", "unavailable"),
    "email_sent": ("emails", "sent"),
    "email_failed": ("emails", "failed"),
}


class PrometheusOutcomeCounter:
    """A progress publisher that only counts: tap_upgrades_total, tap_payments_total{code},
    tap_emails_total, each by outcome."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self._upgrades = Counter(
            "tap_upgrades", "Upgrade orders by outcome", ["outcome"], registry=registry
        )
        self._payments = Counter(
            "tap_payments",
            "Payment attempts by outcome and decline code",
            ["outcome", "code"],
            registry=registry,
        )
        self._emails = Counter(
            "tap_emails", "Emails by delivery outcome", ["outcome"], registry=registry
        )

    def publish(self, events: Sequence[OrderEvent]) -> None:
        for event in events:
            family, outcome = _OUTCOMES.get(event.name, ("", ""))
            if family == "upgrades":
                self._upgrades.labels(outcome).inc()
            elif family == "payments":
                code = event.decline_code if isinstance(event, PaymentDeclined) else ""
                self._payments.labels(outcome, code).inc()
            elif family == "emails":
                self._emails.labels(outcome).inc()
