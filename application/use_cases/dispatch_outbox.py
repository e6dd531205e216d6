"""Send the emails waiting in the outbox, with retries, and free messages stuck mid-send."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from uuid import UUID

from application.outbox import OutboxMessage
from application.ports.clock import Clock
from application.ports.email import EmailDeliveryError, EmailSender
from application.ports.progress import ProgressPublisher
from application.ports.unit_of_work import UnitOfWorkFactory
from domain.events import EmailFailed, EmailSent, OrderEvent


@dataclass(frozen=True, slots=True)
class DispatchReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    released: int = 0


@dataclass(frozen=True, slots=True)
class DispatchOutbox:
    """Send each due message once: claim it (committed), send it, record the outcome.

    A transient failure is retried later with exponential backoff, a permanent one or the last
    attempt marks it failed. A claim older than the lease (a dispatcher that died mid-send) is
    released for another attempt. Never raises for a delivery problem: mail never fails an order.
    """

    uow: UnitOfWorkFactory
    clock: Clock
    sender: EmailSender
    progress: ProgressPublisher
    max_attempts: int = 8
    first_retry: timedelta = timedelta(seconds=30)
    longest_retry: timedelta = timedelta(hours=1)
    lease: timedelta = timedelta(minutes=5)
    batch: int = field(default=100)

    def __call__(self) -> DispatchReport:
        released = self._release_stuck()
        sent = retried = failed = 0
        with self.uow() as uow:
            due = uow.outbox.due(self.clock.now(), self.batch)
        for message_id in due:
            message = self._claim(message_id)
            if message is None:
                continue
            outcome = self._send(message)
            if outcome == "sent":
                sent += 1
            elif outcome == "retry":
                retried += 1
            else:
                failed += 1
        return DispatchReport(sent, retried, failed, released)

    def _release_stuck(self) -> int:
        now = self.clock.now()
        released = 0
        with self.uow() as uow:
            for message_id in uow.outbox.stuck(now - self.lease, self.batch):
                message = uow.outbox.get_for_update(message_id)
                if message is not None and message.release_if_stuck(now, self.lease):
                    uow.outbox.save(message)
                    released += 1
            uow.commit()
        return released

    def _claim(self, message_id: UUID) -> OutboxMessage | None:
        now = self.clock.now()
        with self.uow() as uow:
            message = uow.outbox.get_for_update(message_id)
            if message is None or not message.is_due(now):
                return None  # another dispatcher got there first
            message.claim(now)
            uow.outbox.save(message)
            uow.commit()
        return message

    def _send(self, message: OutboxMessage) -> str:
        try:
            self.sender.send(message.message)
        except EmailDeliveryError as error:
            return self._record_failure(message.id, str(error), error.permanent)
        except Exception as error:  # an adapter bug must not stop the other messages
            return self._record_failure(message.id, f"{type(error).__name__}: {error}", False)
        now = self.clock.now()
        with self.uow() as uow:
            stored = uow.outbox.get_for_update(message.id)
            if stored is None:
                return "sent"
            stored.mark_sent(now)
            uow.outbox.save(stored)
            uow.commit()
        self._publish(stored, sent=True)
        return "sent"

    def _record_failure(self, message_id: UUID, reason: str, permanent: bool) -> str:
        now = self.clock.now()
        with self.uow() as uow:
            stored = uow.outbox.get_for_update(message_id)
            if stored is None:
                return "failed"
            give_up = permanent or stored.attempts >= self.max_attempts
            stored.mark_failed(now, reason, None if give_up else self._backoff(stored.attempts))
            uow.outbox.save(stored)
            uow.commit()
        if give_up:
            self._publish(stored, sent=False)
            return "failed"
        return "retry"

    def _backoff(self, attempts: int) -> timedelta:
        return min(self.first_retry * (1 << max(0, attempts - 1)), self.longest_retry)

    def _publish(self, message: OutboxMessage, sent: bool) -> None:
        if message.order_id is None or message.customer_id is None:
            return
        now = self.clock.now()
        kind = message.kind.value
        event: OrderEvent = (
            EmailSent(now, message.order_id, message.customer_id, kind)
            if sent
            else EmailFailed(now, message.order_id, message.customer_id, kind)
        )
        self.progress.publish([event])
