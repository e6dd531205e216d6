"""Work the local server does besides answering requests: sending the outbox, and reconciling
payments with the gateway. Each runs in a worker thread (both wait on I/O), periodically, for
as long as the app runs; a failing round is logged and the next one runs."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from litestar import Litestar
from litestar.concurrency import sync_to_thread

from application.use_cases.dispatch_outbox import DispatchReport
from application.use_cases.reconcile_payments import ReconciliationReport

log = logging.getLogger(__name__)
R = TypeVar("R")


async def every(
    name: str, work: Callable[[], R], seconds: float, report: Callable[[R], None]
) -> None:
    """Run `work` every `seconds`, forever."""
    while True:
        try:
            report(await sync_to_thread(work))
        except Exception:
            log.exception(f"{name} failed")
        await asyncio.sleep(seconds)


def periodic(name: str, work: Callable[[], R], seconds: float, report: Callable[[R], None]) -> Any:
    """A Litestar lifespan running `work` every `seconds` while the app runs."""

    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        task = asyncio.create_task(every(name, work, seconds, report), name=name)
        try:
            yield
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    return lifespan


def _log_dispatch(report: DispatchReport) -> None:
    if report.sent or report.failed or report.released:
        log.info(
            "outbox dispatched",
            extra={
                "sent": report.sent,
                "retried": report.retried,
                "failed": report.failed,
                "released": report.released,
            },
        )


def _log_reconciliation(report: ReconciliationReport) -> None:
    if report.repaired or report.deferred:
        log.warning(  # a repair means something went wrong earlier: worth a look
            "payments reconciled",
            extra={
                "confirmed": report.confirmed,
                "refunded": report.refunded,
                "released": report.released,
                "refunds_finished": report.refunds_finished,
                "deferred": report.deferred,
            },
        )


def outbox_dispatcher(dispatch: Callable[[], DispatchReport], seconds: float) -> Any:
    return periodic("outbox-dispatcher", dispatch, seconds, _log_dispatch)


def payment_reconciler(reconcile: Callable[[], ReconciliationReport], seconds: float) -> Any:
    return periodic("payment-reconciler", reconcile, seconds, _log_reconciliation)
