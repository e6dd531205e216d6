"""Conversation memory: events (the turns of each actor's sessions) and long-term records (facts
per namespace), for the PostgreSQL adapter of the ConversationMemory port.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "memory_events",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("actor_id", sa.String(length=255), nullable=False),
        sa.Column("session_id", sa.String(length=100), nullable=False),
        sa.Column("at", sa.TIMESTAMP(timezone=True), nullable=False),
        sa.Column("messages", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.CheckConstraint(
            "jsonb_typeof(messages) = 'array' AND jsonb_array_length(messages) BETWEEN 1 AND 100",
            name=op.f("ck_memory_events_one_to_a_hundred_messages"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_memory_events")),
        sa.UniqueConstraint("seq", name=op.f("uq_memory_events_seq")),
    )
    op.create_index(
        "ix_memory_events_session", "memory_events", ["actor_id", "session_id", "at", "seq"]
    )
    op.create_table(
        "memory_records",
        sa.Column("id", sa.String(length=50), nullable=False),
        sa.Column("namespace", sa.String(length=1024), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("text_sha256", sa.CHAR(length=64), nullable=False),
        sa.Column("at", sa.TIMESTAMP(timezone=True), nullable=False),
        sa.CheckConstraint(
            "length(text) BETWEEN 1 AND 16000", name=op.f("ck_memory_records_text_length")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_memory_records")),
        sa.UniqueConstraint(
            "namespace", "text_sha256", name=op.f("uq_memory_records_namespace_text_sha256")
        ),
    )


def downgrade() -> None:
    op.drop_table("memory_records")
    op.drop_index("ix_memory_events_session", table_name="memory_events")
    op.drop_table("memory_events")
