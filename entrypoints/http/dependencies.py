"""The bridge from the container to Litestar: one explicit line per dependency.

The container builds everything; Litestar only looks things up. No wiring, no @inject.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar.di import Provide

from infra.container import Container


def _lookup(provider: Callable[[], Any]) -> Provide:
    def dependency() -> Any:
        return provider()

    return Provide(dependency, sync_to_thread=False, use_cache=False)


def dependencies(container: Container) -> dict[str, Provide]:
    return {
        "identify_customer": _lookup(container.identify_customer),
        "register_customer": _lookup(container.register_customer),
        "sign_in": _lookup(container.sign_in),
        "get_customer": _lookup(container.get_customer),
        "update_customer": _lookup(container.update_customer),
        "list_my_tickets": _lookup(container.list_my_tickets),
        "get_ticket": _lookup(container.get_ticket),
        "check_eligibility": _lookup(container.check_eligibility),
        "get_upgrade_options": _lookup(container.get_upgrade_options),
        "quote_upgrade": _lookup(container.quote_upgrade),
        "pay_for_upgrade": _lookup(container.pay_for_upgrade),
        "cancel_upgrade": _lookup(container.cancel_upgrade),
        "get_order": _lookup(container.get_order),
        "list_my_orders": _lookup(container.list_my_orders),
        "idempotency": _lookup(container.idempotency),
        "progress_feed": _lookup(container.progress_hub),
        "identity": _lookup(container.identity),
    }
