"""Work the local server does besides answering requests: sending the outbox."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar
from litestar.concurrency import sync_to_thread

from application.use_cases.dispatch_outbox import DispatchReport

log = logging.getLogger(__name__)


async def dispatch_forever(dispatch: Callable[[], DispatchReport], every: float) -> None:
    """Send due emails every `every` seconds; a failing round is logged and the next one runs."""
    while True:
        try:
            report = await sync_to_thread(dispatch)
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
        except Exception:
            log.exception("outbox dispatch failed")
        await asyncio.sleep(every)


def outbox_dispatcher(
    dispatch: Callable[[], DispatchReport], every: float
) -> Callable[[Litestar], Any]:
    """A Litestar lifespan running the dispatcher for as long as the app runs."""

    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        task = asyncio.create_task(dispatch_forever(dispatch, every), name="outbox-dispatcher")
        try:
            yield
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    return lifespan
