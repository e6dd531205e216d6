"""The upgrade order: a quote that holds capacity, paid once, confirmed once.

pending --pay--> processing --charge ok--> confirmed --refund--> refunded
   |                 +--declined--> pending (after the last allowed decline -> failed)
   |                 +--gateway unavailable--> pending
   +--hold lapses--> expired
   +--cancel-------> cancelled
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import Enum

from domain.confirmation import ConfirmationCode
from domain.errors import BusinessRuleError, ConflictError, InvalidTransitionError
from domain.events import (
    OrderEvent,
    PaymentDeclined,
    PaymentInterrupted,
    PaymentStarted,
    PaymentSucceeded,
    UpgradeCancelled,
    UpgradeConfirmed,
    UpgradeExpired,
    UpgradeFailed,
    UpgradeQuoted,
    UpgradeRefunded,
)
from domain.ids import CustomerId, OrderId, TicketId
from domain.money import Money
from domain.pricing import UpgradePrice
from domain.tickets import Ticket, TicketNumber
from domain.tiers import Tier


class OrderStatus(Enum):
    PENDING = "pending"
    PROCESSING = "processing"
    CONFIRMED = "confirmed"
    EXPIRED = "expired"
    CANCELLED = "cancelled"
    FAILED = "failed"
    REFUNDED = "refunded"


@dataclass(frozen=True, slots=True)
class PaymentRecord:
    """What we keep of a payment: the gateway's id, the card's brand and last four. Nothing else."""

    payment_id: str
    brand: str
    last4: str


class OrderNotPayableError(BusinessRuleError):
    """Paying this order can never succeed (expired, cancelled, failed, already paid)."""


class RefundNotAllowedError(BusinessRuleError):
    """This upgrade cannot be refunded (not confirmed, or its visit date has come)."""


class PaymentInProgressError(ConflictError):
    """A payment for this order is being processed right now."""


_NOT_PAYABLE = {
    OrderStatus.EXPIRED: (
        "order_expired",
        "This quote has expired and its price is no longer held.",
        "Start a new upgrade from the calendar; nothing was charged.",
    ),
    OrderStatus.CANCELLED: (
        "order_cancelled",
        "This quote was cancelled.",
        "Start a new upgrade from the calendar; nothing was charged.",
    ),
    OrderStatus.FAILED: (
        "order_failed",
        "This quote was closed after too many declined payments.",
        "Start a new upgrade and pay with another card.",
    ),
    OrderStatus.CONFIRMED: (
        "order_already_paid",
        "This upgrade is already paid and confirmed.",
        "Nothing more to pay; see the confirmation in your orders.",
    ),
    OrderStatus.REFUNDED: (
        "order_refunded",
        "This upgrade was refunded.",
        "Start a new upgrade if you want it again.",
    ),
}


@dataclass(slots=True, eq=False)
class UpgradeOrder:
    """A priced, time-limited offer to move one ticket up to `tier` on `day`.

    The quote snapshots what the ticket was (tier, date, price paid) so that a refund can put it
    back, and what the upgrade costs, so the customer pays what they were shown.
    """

    id: OrderId
    customer_id: CustomerId
    ticket_id: TicketId
    ticket_number: TicketNumber
    from_tier: Tier
    from_date: date
    from_price_paid: Money
    tier: Tier
    day: date
    price: Money
    amount_due: Money
    status: OrderStatus
    created_at: datetime
    expires_at: datetime
    updated_at: datetime
    attempts: int = 0
    declines: int = 0
    last_decline_code: str | None = None
    payment: PaymentRecord | None = None
    confirmation_code: ConfirmationCode | None = None
    confirmed_at: datetime | None = None
    events: list[OrderEvent] = field(default_factory=list, repr=False)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, UpgradeOrder) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)

    # -- creation ---------------------------------------------------------------------------

    @classmethod
    def quote(
        cls,
        order_id: OrderId,
        ticket: Ticket,
        upgrade: UpgradePrice,
        now: datetime,
        hold: timedelta,
    ) -> UpgradeOrder:
        """Snapshot the ticket and the price; the hold lasts until `now + hold`."""
        order = cls(
            id=order_id,
            customer_id=ticket.customer_id,
            ticket_id=ticket.id,
            ticket_number=ticket.number,
            from_tier=ticket.tier,
            from_date=ticket.visit_date,
            from_price_paid=ticket.price_paid,
            tier=upgrade.tier,
            day=upgrade.day,
            price=upgrade.price,
            amount_due=upgrade.amount_due,
            status=OrderStatus.PENDING,
            created_at=now,
            expires_at=now + hold,
            updated_at=now,
        )
        order._record(
            UpgradeQuoted(
                now,
                order_id,
                ticket.customer_id,
                upgrade.tier,
                upgrade.day,
                upgrade.amount_due,
                order.expires_at,
            )
        )
        return order

    # -- queries ----------------------------------------------------------------------------

    def status_at(self, now: datetime) -> OrderStatus:
        """Expiry is lazy: a pending quote past its time is expired, whether or not it was saved."""
        if self.status is OrderStatus.PENDING and now >= self.expires_at:
            return OrderStatus.EXPIRED
        return self.status

    def holds_capacity(self, now: datetime) -> bool:
        """A live quote holds one unit; so does a payment in flight, even past the quote's time,
        so that a charge that succeeds always has its unit."""
        return self.status is OrderStatus.PROCESSING or self.status_at(now) is OrderStatus.PENDING

    @property
    def payment_key(self) -> str:
        """The gateway idempotency key of the current attempt: retries of it reuse the key."""
        return f"upgrade-{self.id}-attempt-{self.attempts}"

    def is_paying_with(self, payment_key: str) -> bool:
        """Whether a payment under this key is in flight: a charge made with it confirms this
        order; a charge made with an older key belongs to an attempt that is over."""
        return self.status is OrderStatus.PROCESSING and self.payment_key == payment_key

    def was_paid_with(self, charge_id: str) -> bool:
        return self.payment is not None and self.payment.payment_id == charge_id

    # -- commands ---------------------------------------------------------------------------

    def expire_if_lapsed(self, now: datetime) -> bool:
        if self.status_at(now) is OrderStatus.EXPIRED and self.status is OrderStatus.PENDING:
            self.status = OrderStatus.EXPIRED
            self.updated_at = now
            self._record(UpgradeExpired(now, self.id, self.customer_id))
            return True
        return False

    def start_payment(self, now: datetime) -> None:
        """Only a live pending quote can be paid; anything else charges nothing."""
        self.expire_if_lapsed(now)
        if self.status is OrderStatus.PROCESSING:
            raise PaymentInProgressError(
                "payment_in_progress",
                "A payment for this upgrade is already being processed.",
                "Wait a moment and look at the order again before paying.",
            )
        if self.status is not OrderStatus.PENDING:
            code, message, guidance = _NOT_PAYABLE[self.status]
            raise OrderNotPayableError(code, message, guidance)
        self.status = OrderStatus.PROCESSING
        self.attempts += 1
        self.updated_at = now
        self._record(PaymentStarted(now, self.id, self.customer_id, self.attempts))

    def record_decline(self, decline_code: str, now: datetime, max_declines: int) -> None:
        """A declined card: the quote stays payable until the last allowed decline."""
        self._require(OrderStatus.PROCESSING, "record a decline")
        self.declines += 1
        self.last_decline_code = decline_code
        self.updated_at = now
        attempts_left = max(0, max_declines - self.declines)
        self.status = OrderStatus.PENDING if attempts_left else OrderStatus.FAILED
        self._record(PaymentDeclined(now, self.id, self.customer_id, decline_code, attempts_left))
        if not attempts_left:
            self._record(UpgradeFailed(now, self.id, self.customer_id))

    def record_interruption(self, now: datetime) -> None:
        """The gateway was unreachable and nothing was charged: the quote is payable again."""
        self._require(OrderStatus.PROCESSING, "record an interrupted payment")
        self.status = OrderStatus.PENDING
        self.updated_at = now
        self._record(PaymentInterrupted(now, self.id, self.customer_id))

    def confirm(self, payment: PaymentRecord, code: ConfirmationCode, now: datetime) -> None:
        """The charge succeeded: the order is confirmed exactly once."""
        self._require(OrderStatus.PROCESSING, "confirm")
        self.status = OrderStatus.CONFIRMED
        self.payment = payment
        self.confirmation_code = code
        self.confirmed_at = now
        self.updated_at = now
        self._record(
            PaymentSucceeded(now, self.id, self.customer_id, payment.payment_id, self.amount_due)
        )
        self._record(UpgradeConfirmed(now, self.id, self.customer_id, code.value))

    def check_refundable(self, today: date) -> None:
        """A confirmed upgrade can be refunded until the day before its visit (DOMAIN.md)."""
        if self.status is OrderStatus.REFUNDED:
            return
        if self.status is not OrderStatus.CONFIRMED:
            raise RefundNotAllowedError(
                "not_refundable",
                f"Only a confirmed upgrade can be refunded; this one is {self.status.value}.",
                "Nothing was charged for it, so there is nothing to give back.",
            )
        if today >= self.day:
            raise RefundNotAllowedError(
                "visit_date_reached",
                f"The visit date ({self.day.isoformat()}) has come: the upgrade can no longer be "
                "refunded.",
                "Refunds are possible until the day before the visit.",
            )

    def refund(self, refund_id: str, now: datetime) -> None:
        """The gateway gave the money back: the upgrade is undone (refunding twice is harmless).

        The visit-date rule is checked when the refund is asked for (`check_refundable`), not
        here: a refund asked for in time and finished later (after a gateway outage) stands.
        """
        if self.status is OrderStatus.REFUNDED:
            return
        self._require(OrderStatus.CONFIRMED, "refund")
        self.status = OrderStatus.REFUNDED
        self.updated_at = now
        self._record(UpgradeRefunded(now, self.id, self.customer_id, refund_id, self.amount_due))

    def cancel(self, now: datetime) -> None:
        """Give the hold back. Cancelling twice is harmless; a paid or paying order cannot be."""
        self.expire_if_lapsed(now)
        if self.status is OrderStatus.CANCELLED:
            return
        if self.status is OrderStatus.PROCESSING:
            raise PaymentInProgressError(
                "payment_in_progress",
                "This upgrade is being paid right now and cannot be cancelled.",
                "Wait for the payment to finish; if it succeeds you can ask for a refund.",
            )
        if self.status is not OrderStatus.PENDING:
            code, message, _ = _NOT_PAYABLE[self.status]
            raise BusinessRuleError(code, message, "There is no live quote to cancel.")
        self.status = OrderStatus.CANCELLED
        self.updated_at = now
        self._record(UpgradeCancelled(now, self.id, self.customer_id))

    # -- internals --------------------------------------------------------------------------

    def _require(self, status: OrderStatus, action: str) -> None:
        if self.status is not status:
            raise InvalidTransitionError(
                "invalid_transition",
                f"Cannot {action} for an order that is {self.status.value}.",
            )

    def _record(self, event: OrderEvent) -> None:
        self.events.append(event)

    def pull_events(self) -> list[OrderEvent]:
        events, self.events = self.events, []
        return events
