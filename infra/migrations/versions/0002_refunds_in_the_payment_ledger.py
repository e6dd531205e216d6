"""Refunds in the payment ledger: an attempt is a charge or a refund, and reconciliation finds
the attempts that never recorded an outcome through a partial index.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 03:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TABLE = "payment_attempts"


def upgrade() -> None:
    # Existing rows are all charges: the server default fills them in one pass.
    op.add_column(
        TABLE, sa.Column("kind", sa.String(length=8), server_default="charge", nullable=False)
    )
    op.add_column(TABLE, sa.Column("refund_id", sa.String(length=255), nullable=True))
    op.create_check_constraint(
        op.f("ck_payment_attempts_kind"), TABLE, "kind IN ('charge', 'refund')"
    )
    op.drop_constraint(op.f("ck_payment_attempts_charge_iff_paid"), TABLE, type_="check")
    op.create_check_constraint(
        op.f("ck_payment_attempts_charge_iff_paid"),
        TABLE,
        "kind = 'refund' OR (outcome = 'succeeded') = (charge_id IS NOT NULL)",
    )
    op.create_check_constraint(
        op.f("ck_payment_attempts_refund_iff_refunded"),
        TABLE,
        "kind = 'charge' OR (charge_id IS NOT NULL AND "
        "(outcome = 'succeeded') = (refund_id IS NOT NULL))",
    )
    op.create_index(
        "ix_payment_attempts_unsettled",
        TABLE,
        ["created_at"],
        postgresql_where=sa.text("outcome = 'started'"),
    )


def downgrade() -> None:
    # Refund rows cannot be expressed in the older schema: they go with their columns.
    op.execute(f"DELETE FROM {TABLE} WHERE kind = 'refund'")  # noqa: S608 - a constant
    op.drop_index("ix_payment_attempts_unsettled", table_name=TABLE)
    op.drop_constraint(op.f("ck_payment_attempts_refund_iff_refunded"), TABLE, type_="check")
    op.drop_constraint(op.f("ck_payment_attempts_charge_iff_paid"), TABLE, type_="check")
    op.create_check_constraint(
        op.f("ck_payment_attempts_charge_iff_paid"),
        TABLE,
        "(outcome = 'succeeded') = (charge_id IS NOT NULL)",
    )
    op.drop_constraint(op.f("ck_payment_attempts_kind"), TABLE, type_="check")
    op.drop_column(TABLE, "refund_id")
    op.drop_column(TABLE, "kind")
