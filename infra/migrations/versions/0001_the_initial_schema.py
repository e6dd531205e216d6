"""The initial schema: customers, tickets, orders, capacity, payments, outbox, keys, audit.

Revision ID: 0001
Revises:
Create Date: 2026-11-28 01:07:22.339499
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


APPEND_ONLY = """
CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_log_is_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();
"""


def upgrade() -> None:
    # The one-live-hold-per-ticket exclusion constraint compares uuids in a GiST index.
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("at", sa.TIMESTAMP(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("before", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("after", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
        sa.UniqueConstraint("seq", name=op.f("uq_audit_log_seq")),
    )
    op.create_index(
        "ix_audit_log_entity", "audit_log", ["entity", "entity_id", "seq"], unique=False
    )
    op.create_table(
        "capacity",
        sa.Column("tier", sa.String(length=16), nullable=False),
        sa.Column("visit_date", sa.DATE(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("sold", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.CheckConstraint(
            "tier IN ('standard', 'non-stop', 'double-fun')", name=op.f("ck_capacity_tier")
        ),
        sa.CheckConstraint(
            "sold >= 0 AND sold <= capacity", name=op.f("ck_capacity_never_below_zero")
        ),
        sa.PrimaryKeyConstraint("tier", "visit_date", name=op.f("pk_capacity")),
    )
    op.create_table(
        "customers",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("last_name", sa.String(length=100), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.TIMESTAMP(timezone=True), nullable=False),
        sa.Column("updated_at", sa.TIMESTAMP(timezone=True), nullable=False),
        sa.CheckConstraint("email = lower(email)", name=op.f("ck_customers_email_lower_case")),
        sa.CheckConstraint(
            "length(trim(first_name)) > 0 AND length(trim(last_name)) > 0",
            name=op.f("ck_customers_names"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customers")),
        sa.UniqueConstraint("email", name=op.f("uq_customers_email")),
        sa.UniqueConstraint("subject", name=op.f("uq_customers_subject")),
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("scope", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("fingerprint", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.TIMESTAMP(timezone=True), nullable=False),
        sa.Column("response_status", sa.SmallInteger(), nullable=True),
        sa.Column("response_body", sa.LargeBinary(), nullable=True),
        sa.Column("response_type", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("scope", "key", name=op.f("pk_idempotency_keys")),
    )
    op.create_index(
        op.f("ix_idempotency_keys_created_at"), "idempotency_keys", ["created_at"], unique=False
    )
    op.create_table(
        "local_logins",
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.TIMESTAMP(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("subject", name=op.f("pk_local_logins")),
        sa.UniqueConstraint("email", name=op.f("uq_local_logins_email")),
    )
    op.create_table(
        "tickets",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.CHAR(length=12), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("tier", sa.String(length=16), nullable=False),
        sa.Column("visit_date", sa.DATE(), nullable=False),
        sa.Column("price_paid", sa.NUMERIC(precision=12, scale=2), nullable=False),
        sa.Column("currency", sa.CHAR(length=3), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("purchased_at", sa.TIMESTAMP(timezone=True), nullable=False),
        sa.Column("updated_at", sa.TIMESTAMP(timezone=True), nullable=False),
        sa.CheckConstraint("number ~ '^TKT-[0-9]{8}$'", name=op.f("ck_tickets_number_format")),
        sa.CheckConstraint(
            "status IN ('active', 'used', 'cancelled', 'expired', 'refunded')",
            name=op.f("ck_tickets_status"),
        ),
        sa.CheckConstraint(
            "tier IN ('general', 'standard', 'non-stop', 'double-fun')",
            name=op.f("ck_tickets_tier"),
        ),
        sa.CheckConstraint("price_paid >= 0", name=op.f("ck_tickets_price_paid_not_negative")),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_tickets_customer_id")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tickets")),
        sa.UniqueConstraint("number", name=op.f("uq_tickets_number")),
    )
    op.create_index(op.f("ix_tickets_customer_id"), "tickets", ["customer_id"], unique=False)
    op.create_table(
        "upgrade_orders",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("ticket_id", sa.Uuid(), nullable=False),
        sa.Column("ticket_number", sa.CHAR(length=12), nullable=False),
        sa.Column("from_tier", sa.String(length=16), nullable=False),
        sa.Column("from_date", sa.DATE(), nullable=False),
        sa.Column("from_price_paid", sa.NUMERIC(precision=12, scale=2), nullable=False),
        sa.Column("tier", sa.String(length=16), nullable=False),
        sa.Column("visit_date", sa.DATE(), nullable=False),
        sa.Column("price", sa.NUMERIC(precision=12, scale=2), nullable=False),
        sa.Column("amount_due", sa.NUMERIC(precision=12, scale=2), nullable=False),
        sa.Column("currency", sa.CHAR(length=3), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.TIMESTAMP(timezone=True), nullable=False),
        sa.Column("expires_at", sa.TIMESTAMP(timezone=True), nullable=False),
        sa.Column("updated_at", sa.TIMESTAMP(timezone=True), nullable=False),
        sa.Column("live_until", sa.TIMESTAMP(timezone=True), nullable=False),
        sa.Column("attempts", sa.SmallInteger(), nullable=False),
        sa.Column("declines", sa.SmallInteger(), nullable=False),
        sa.Column("last_decline_code", sa.String(length=40), nullable=True),
        sa.Column("payment_id", sa.String(length=255), nullable=True),
        sa.Column("payment_brand", sa.String(length=20), nullable=True),
        sa.Column("payment_last4", sa.CHAR(length=4), nullable=True),
        sa.Column("confirmation_code", sa.CHAR(length=8), nullable=True),
        sa.Column("confirmed_at", sa.TIMESTAMP(timezone=True), nullable=True),
        postgresql.ExcludeConstraint(
            (sa.column("ticket_id"), "="),
            (sa.text("tstzrange(created_at, live_until)"), "&&"),
            deferrable=True,
            initially="DEFERRED",
            using="gist",
            name="ex_upgrade_orders_one_live_hold_per_ticket",
        ),
        sa.CheckConstraint(
            "(status = 'confirmed') = (confirmation_code IS NOT NULL AND payment_id IS NOT NULL)"
            " OR status = 'refunded'",
            name=op.f("ck_upgrade_orders_confirmed_has_code_and_payment"),
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'processing', 'confirmed', 'expired', 'cancelled', 'failed',"
            " 'refunded')",
            name=op.f("ck_upgrade_orders_status"),
        ),
        sa.CheckConstraint(
            "tier IN ('standard', 'non-stop', 'double-fun')", name=op.f("ck_upgrade_orders_tier")
        ),
        sa.CheckConstraint(
            "amount_due > 0 AND price > 0", name=op.f("ck_upgrade_orders_amounts_positive")
        ),
        sa.CheckConstraint(
            "expires_at > created_at", name=op.f("ck_upgrade_orders_expiry_after_creation")
        ),
        sa.CheckConstraint(
            "live_until >= created_at", name=op.f("ck_upgrade_orders_live_after_creation")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_upgrade_orders_customer_id")
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_upgrade_orders_ticket_id")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_upgrade_orders")),
        sa.UniqueConstraint("confirmation_code", name=op.f("uq_upgrade_orders_confirmation_code")),
    )
    op.create_index(
        op.f("ix_upgrade_orders_customer_id"), "upgrade_orders", ["customer_id"], unique=False
    )
    op.create_index(
        "ix_upgrade_orders_holds",
        "upgrade_orders",
        ["tier", "visit_date", "live_until"],
        unique=False,
    )
    op.create_index(
        op.f("ix_upgrade_orders_ticket_id"), "upgrade_orders", ["ticket_id"], unique=False
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=True),
        sa.Column("customer_id", sa.Uuid(), nullable=True),
        sa.Column("recipient", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.SmallInteger(), nullable=False),
        sa.Column("created_at", sa.TIMESTAMP(timezone=True), nullable=False),
        sa.Column("next_attempt_at", sa.TIMESTAMP(timezone=True), nullable=False),
        sa.Column("claimed_at", sa.TIMESTAMP(timezone=True), nullable=True),
        sa.Column("sent_at", sa.TIMESTAMP(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'sending', 'sent', 'failed')", name=op.f("ck_outbox_status")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_outbox_customer_id")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["upgrade_orders.id"], name=op.f("fk_outbox_order_id")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
    )
    op.create_index("ix_outbox_due", "outbox", ["status", "next_attempt_at"], unique=False)
    op.create_index(op.f("ix_outbox_order_id"), "outbox", ["order_id"], unique=False)
    op.create_table(
        "payment_attempts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("attempt", sa.SmallInteger(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=255), nullable=False),
        sa.Column("amount", sa.NUMERIC(precision=12, scale=2), nullable=False),
        sa.Column("currency", sa.CHAR(length=3), nullable=False),
        sa.Column("brand", sa.String(length=20), nullable=False),
        sa.Column("last4", sa.CHAR(length=4), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("charge_id", sa.String(length=255), nullable=True),
        sa.Column("decline_code", sa.String(length=40), nullable=True),
        sa.Column("created_at", sa.TIMESTAMP(timezone=True), nullable=False),
        sa.Column("updated_at", sa.TIMESTAMP(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(outcome = 'succeeded') = (charge_id IS NOT NULL)",
            name=op.f("ck_payment_attempts_charge_iff_paid"),
        ),
        sa.CheckConstraint(
            "outcome IN ('started', 'succeeded', 'declined', 'unavailable')",
            name=op.f("ck_payment_attempts_outcome"),
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["upgrade_orders.id"], name=op.f("fk_payment_attempts_order_id")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_attempts")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_payment_attempts_idempotency_key")),
    )
    op.create_index(
        op.f("ix_payment_attempts_order_id"), "payment_attempts", ["order_id"], unique=False
    )
    op.execute(APPEND_ONLY)


def downgrade() -> None:
    op.execute("DROP TRIGGER audit_log_is_append_only ON audit_log")
    op.execute("DROP FUNCTION audit_log_is_append_only()")
    op.drop_index(op.f("ix_payment_attempts_order_id"), table_name="payment_attempts")
    op.drop_table("payment_attempts")
    op.drop_index(op.f("ix_outbox_order_id"), table_name="outbox")
    op.drop_index("ix_outbox_due", table_name="outbox")
    op.drop_table("outbox")
    op.drop_index(op.f("ix_upgrade_orders_ticket_id"), table_name="upgrade_orders")
    op.drop_index("ix_upgrade_orders_holds", table_name="upgrade_orders")
    op.drop_index(op.f("ix_upgrade_orders_customer_id"), table_name="upgrade_orders")
    op.drop_table("upgrade_orders")
    op.drop_index(op.f("ix_tickets_customer_id"), table_name="tickets")
    op.drop_table("tickets")
    op.drop_table("local_logins")
    op.drop_index(op.f("ix_idempotency_keys_created_at"), table_name="idempotency_keys")
    op.drop_table("idempotency_keys")
    op.drop_table("customers")
    op.drop_table("capacity")
    op.drop_index("ix_audit_log_entity", table_name="audit_log")
    op.drop_table("audit_log")
