"""The schema, in SQLAlchemy Core. Constraints say in the database what the domain promises:
unique ticket numbers, emails and confirmation codes, capacity never below zero, one live hold
per ticket, money as NUMERIC(12,2), visit dates as DATE, instants as timestamptz."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    CHAR,
    DATE,
    NUMERIC,
    TIMESTAMP,
    BigInteger,
    CheckConstraint,
    Column,
    ForeignKey,
    Identity,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, ExcludeConstraint

# Names for every constraint, so errors can be mapped by name and migrations stay stable.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s",
        "pk": "pk_%(table_name)s",
    }
)

Money: NUMERIC[Any] = NUMERIC(12, 2)
Instant = TIMESTAMP(timezone=True)
TIERS = "('general', 'standard', 'non-stop', 'double-fun')"
UPGRADE_TIERS = "('standard', 'non-stop', 'double-fun')"

customers = Table(
    "customers",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("email", String(254), nullable=False, unique=True),
    Column("first_name", String(100), nullable=False),
    Column("last_name", String(100), nullable=False),
    Column("subject", String(255), nullable=False, unique=True),  # the identity provider's sub
    Column("created_at", Instant, nullable=False),
    Column("updated_at", Instant, nullable=False),
    CheckConstraint("email = lower(email)", name="email_lower_case"),
    CheckConstraint("length(trim(first_name)) > 0 AND length(trim(last_name)) > 0", name="names"),
)

tickets = Table(
    "tickets",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("number", CHAR(12), nullable=False, unique=True),
    Column("customer_id", Uuid, ForeignKey("customers.id"), nullable=False, index=True),
    Column("tier", String(16), nullable=False),
    Column("visit_date", DATE, nullable=False),
    Column("price_paid", Money, nullable=False),
    Column("currency", CHAR(3), nullable=False),
    Column("status", String(16), nullable=False),
    Column("purchased_at", Instant, nullable=False),
    Column("updated_at", Instant, nullable=False),
    CheckConstraint("number ~ '^TKT-[0-9]{8}$'", name="number_format"),
    CheckConstraint(f"tier IN {TIERS}", name="tier"),
    CheckConstraint(
        "status IN ('active', 'used', 'cancelled', 'expired', 'refunded')", name="status"
    ),
    CheckConstraint("price_paid >= 0", name="price_paid_not_negative"),
)

upgrade_orders = Table(
    "upgrade_orders",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("customer_id", Uuid, ForeignKey("customers.id"), nullable=False, index=True),
    Column("ticket_id", Uuid, ForeignKey("tickets.id"), nullable=False, index=True),
    Column("ticket_number", CHAR(12), nullable=False),
    Column("from_tier", String(16), nullable=False),
    Column("from_date", DATE, nullable=False),
    Column("from_price_paid", Money, nullable=False),
    Column("tier", String(16), nullable=False),
    Column("visit_date", DATE, nullable=False),
    Column("price", Money, nullable=False),
    Column("amount_due", Money, nullable=False),
    Column("currency", CHAR(3), nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_at", Instant, nullable=False),
    Column("expires_at", Instant, nullable=False),
    Column("updated_at", Instant, nullable=False),
    # Until when the order holds a unit: the quote's expiry while pending, forever while a
    # payment is in flight, the moment it ended otherwise. The exclusion constraint below
    # reads it, so "one live hold per ticket" holds in the database, not only in the code.
    Column("live_until", Instant, nullable=False),
    Column("attempts", SmallInteger, nullable=False),
    Column("declines", SmallInteger, nullable=False),
    Column("last_decline_code", String(40)),
    Column("payment_id", String(255)),
    Column("payment_brand", String(20)),
    Column("payment_last4", CHAR(4)),
    Column("confirmation_code", CHAR(8), unique=True),
    Column("confirmed_at", Instant),
    CheckConstraint(f"tier IN {UPGRADE_TIERS}", name="tier"),
    CheckConstraint(
        "status IN ('pending', 'processing', 'confirmed', 'expired', 'cancelled', 'failed',"
        " 'refunded')",
        name="status",
    ),
    CheckConstraint("amount_due > 0 AND price > 0", name="amounts_positive"),
    CheckConstraint("expires_at > created_at", name="expiry_after_creation"),
    CheckConstraint("live_until >= created_at", name="live_after_creation"),
    CheckConstraint(
        "(status = 'confirmed') = (confirmation_code IS NOT NULL AND payment_id IS NOT NULL)"
        " OR status = 'refunded'",
        name="confirmed_has_code_and_payment",
    ),
)
# Two holds of one ticket may not overlap in time. Checked at commit (deferred), like the other
# uniqueness rules; needs the btree_gist extension for the uuid equality.
upgrade_orders.append_constraint(
    ExcludeConstraint(
        (upgrade_orders.c.ticket_id, "="),
        (func.tstzrange(upgrade_orders.c.created_at, upgrade_orders.c.live_until), "&&"),
        name="ex_upgrade_orders_one_live_hold_per_ticket",
        using="gist",
        deferrable=True,
        initially="DEFERRED",
    )
)
Index(
    "ix_upgrade_orders_holds",
    upgrade_orders.c.tier,
    upgrade_orders.c.visit_date,
    upgrade_orders.c.live_until,
)

capacity = Table(
    "capacity",
    metadata,
    Column("tier", String(16), nullable=False),
    Column("visit_date", DATE, nullable=False),
    Column("capacity", Integer, nullable=False),
    Column("sold", Integer, nullable=False, server_default=text("0")),
    PrimaryKeyConstraint("tier", "visit_date"),
    CheckConstraint(f"tier IN {UPGRADE_TIERS}", name="tier"),
    CheckConstraint("sold >= 0 AND sold <= capacity", name="never_below_zero"),
)

payment_attempts = Table(
    "payment_attempts",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("order_id", Uuid, ForeignKey("upgrade_orders.id"), nullable=False, index=True),
    Column("attempt", SmallInteger, nullable=False),
    Column("idempotency_key", String(255), nullable=False, unique=True),
    Column("amount", Money, nullable=False),
    Column("currency", CHAR(3), nullable=False),
    Column("brand", String(20), nullable=False),
    Column("last4", CHAR(4), nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("charge_id", String(255)),
    Column("decline_code", String(40)),
    Column("created_at", Instant, nullable=False),
    Column("updated_at", Instant, nullable=False),
    Column("kind", String(8), nullable=False, server_default="charge"),
    Column("refund_id", String(255)),
    CheckConstraint(
        "outcome IN ('started', 'succeeded', 'declined', 'unavailable')", name="outcome"
    ),
    CheckConstraint("kind IN ('charge', 'refund')", name="kind"),
    # A charge attempt has a charge id exactly when it succeeded; a refund attempt always names
    # the charge it gives back, and has a refund id exactly when it succeeded.
    CheckConstraint(
        "kind = 'refund' OR (outcome = 'succeeded') = (charge_id IS NOT NULL)",
        name="charge_iff_paid",
    ),
    CheckConstraint(
        "kind = 'charge' OR (charge_id IS NOT NULL AND "
        "(outcome = 'succeeded') = (refund_id IS NOT NULL))",
        name="refund_iff_refunded",
    ),
)
# Reconciliation's question, "which attempts never recorded an outcome?", reads this small index.
Index(
    "ix_payment_attempts_unsettled",
    payment_attempts.c.created_at,
    postgresql_where=payment_attempts.c.outcome == "started",
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Uuid, primary_key=True),  # also the email's Message-ID
    Column("kind", String(32), nullable=False),
    Column("order_id", Uuid, ForeignKey("upgrade_orders.id"), index=True),
    Column("customer_id", Uuid, ForeignKey("customers.id")),
    Column("recipient", String(254), nullable=False),
    Column("subject", Text, nullable=False),
    Column("body_text", Text, nullable=False),
    Column("body_html", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", SmallInteger, nullable=False),
    Column("created_at", Instant, nullable=False),
    Column("next_attempt_at", Instant, nullable=False),
    Column("claimed_at", Instant),
    Column("sent_at", Instant),
    Column("last_error", Text),
    CheckConstraint("status IN ('pending', 'sending', 'sent', 'failed')", name="status"),
)
Index("ix_outbox_due", outbox.c.status, outbox.c.next_attempt_at)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("scope", String(64), nullable=False),
    Column("key", String(255), nullable=False),
    Column("fingerprint", String(128), nullable=False),
    Column("created_at", Instant, nullable=False, index=True),
    Column("response_status", SmallInteger),
    Column("response_body", LargeBinary),
    Column("response_type", String(64)),
    PrimaryKeyConstraint("scope", "key"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Uuid, primary_key=True),
    # The order entries were written in (several can share an instant); append-only: a trigger
    # refuses UPDATE and DELETE (see the migration).
    Column("seq", BigInteger, Identity(always=True), nullable=False, unique=True),
    Column("at", Instant, nullable=False),
    Column("actor", String(64), nullable=False),
    Column("action", String(64), nullable=False),
    Column("entity", String(32), nullable=False),
    Column("entity_id", String(64), nullable=False),
    Column("before", JSONB),
    Column("after", JSONB),
    Index("ix_audit_log_entity", "entity", "entity_id", "seq"),
)

local_logins = Table(
    "local_logins",
    metadata,
    Column("subject", String(255), primary_key=True),
    Column("email", String(254), nullable=False, unique=True),
    Column("password_hash", String(255), nullable=False),
    Column("created_at", Instant, nullable=False),
)

# Conversation memory (the ConversationMemory port, shaped like AgentCore Memory). An event is
# one stored exchange; its messages stay together in one JSON array, as AgentCore keeps an
# event's payload. `seq` orders events of equal time in the order they were added.
memory_events = Table(
    "memory_events",
    metadata,
    Column("id", String(64), primary_key=True),  # "<epoch ms>#<hex>", as AgentCore's
    Column("seq", BigInteger, Identity(always=True), nullable=False, unique=True),
    Column("actor_id", String(255), nullable=False),
    Column("session_id", String(100), nullable=False),
    Column("at", Instant, nullable=False),
    Column("messages", JSONB, nullable=False),  # [{"role": "USER", "text": "..."}, ...]
    CheckConstraint(
        "jsonb_typeof(messages) = 'array' AND jsonb_array_length(messages) BETWEEN 1 AND 100",
        name="one_to_a_hundred_messages",
    ),
    # Every read is one session's newest events; this index serves it in order.
    Index("ix_memory_events_session", "actor_id", "session_id", "at", "seq"),
)

# Long-term facts. A fact is kept once per namespace: the unique key is on its text's SHA-256
# rather than the text, which may be longer than a btree index entry can hold.
memory_records = Table(
    "memory_records",
    metadata,
    Column("id", String(50), primary_key=True),  # "mem-<uuid>", as AgentCore's
    Column("namespace", String(1024), nullable=False),
    Column("text", Text, nullable=False),
    Column("text_sha256", CHAR(64), nullable=False),
    Column("at", Instant, nullable=False),
    UniqueConstraint("namespace", "text_sha256"),
    CheckConstraint("length(text) BETWEEN 1 AND 16000", name="text_length"),
)
