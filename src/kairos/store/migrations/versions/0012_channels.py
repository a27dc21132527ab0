"""Delivery channels: addresses, preferences, daily digests, inbound answers, polling cursors; deliveries gain
companions (the calendar copy of a brief) and digests; nudges gain the inbox's read time.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

JSON_DOC = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("nudges") as batch:
        batch.add_column(sa.Column("read_at", sa.DateTime(), nullable=True))
    op.create_index("ix_nudges_recipient_created", "nudges", ["recipient_id", "created_at"])
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("is_primary", sa.Boolean(), nullable=False, server_default=sa.true()))
        batch.add_column(sa.Column("reason", sa.String(length=500), nullable=True))
        batch.add_column(sa.Column("digest_key", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("next_attempt_at", sa.DateTime(), nullable=True))
    op.create_index("ix_deliveries_moment", "deliveries", ["moment_id"])
    op.create_index("ix_deliveries_status_next", "deliveries", ["status", "next_attempt_at"])
    op.create_index("ix_deliveries_channel_provider", "deliveries", ["channel", "provider_id"])
    op.create_table(
        "channel_addresses",
        sa.Column("person_id", sa.String(length=100), nullable=False),
        sa.Column("channel", sa.String(length=40), nullable=False),
        sa.Column("address", sa.String(length=500), nullable=False),
        sa.Column("detail", JSON_DOC, nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("person_id", "channel", name=op.f("pk_channel_addresses")),
        sa.UniqueConstraint("channel", "address", name="uq_channel_addresses_channel_address"),
    )
    op.create_table(
        "channel_preferences",
        sa.Column("person_id", sa.String(length=100), nullable=False),
        sa.Column("channel", sa.String(length=40), nullable=True),
        sa.Column("opted_out", JSON_DOC, nullable=False),
        sa.Column("pacing", sa.String(length=20), nullable=False),
        sa.Column("digest_time", sa.String(length=5), nullable=True),
        sa.Column("quiet_start", sa.String(length=5), nullable=True),
        sa.Column("quiet_end", sa.String(length=5), nullable=True),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_channel_preferences")),
    )
    op.create_table(
        "digests",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("recipient_id", sa.String(length=100), nullable=False),
        sa.Column("channel", sa.String(length=40), nullable=False),
        sa.Column("moment_ids", JSON_DOC, nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.String(length=300), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("delivered_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_digests")),
    )
    op.create_table(
        "inbound_receipts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("channel", sa.String(length=40), nullable=False),
        sa.Column("external_id", sa.String(length=300), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=True),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbound_receipts")),
        sa.UniqueConstraint("channel", "external_id", name="uq_inbound_receipts_channel_external_id"),
    )
    op.create_table(
        "channel_cursors",
        sa.Column("channel", sa.String(length=40), nullable=False),
        sa.Column("cursor", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("channel", name=op.f("pk_channel_cursors")),
    )


def downgrade() -> None:
    for table in ("channel_cursors", "inbound_receipts", "digests", "channel_preferences", "channel_addresses"):
        op.drop_table(table)
    op.drop_index("ix_deliveries_status_next", "deliveries")
    op.drop_index("ix_deliveries_channel_provider", "deliveries")
    op.drop_index("ix_deliveries_moment", "deliveries")
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("next_attempt_at")
        batch.drop_column("digest_key")
        batch.drop_column("reason")
        batch.drop_column("is_primary")
    op.drop_index("ix_nudges_recipient_created", "nudges")
    with op.batch_alter_table("nudges") as batch:
        batch.drop_column("read_at")
