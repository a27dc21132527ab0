"""Decisions of the intervention policy, people's responses to nudges, the adaptive policy's posteriors, and the
queue of weighty recommendations waiting for a person's approval.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

JSON_DOC = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("moment_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.String(length=100), nullable=False),
        sa.Column("recipient_id", sa.String(length=100), nullable=False),
        sa.Column("policy", sa.String(length=200), nullable=False),
        sa.Column("segment", sa.String(length=100), nullable=False),
        sa.Column("bottleneck", sa.String(length=30), nullable=True),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("rule", sa.String(length=100), nullable=False),
        sa.Column("explored", sa.Boolean(), nullable=False),
        sa.Column("challenge", sa.String(length=10), nullable=False),
        sa.Column("needs_review", JSON_DOC, nullable=False),
        sa.Column("competency_id", sa.String(length=100), nullable=True),
        sa.Column("content_item", sa.String(length=100), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.Column("settled_at", sa.DateTime(), nullable=True),
        sa.Column("reward", sa.Float(), nullable=True),
        sa.Column("reward_detail", JSON_DOC, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decisions")),
        sa.UniqueConstraint("moment_id", name="uq_decisions_moment_id"),
    )
    op.create_index("ix_decisions_person", "decisions", ["person_id", "decided_at"])
    op.create_index("ix_decisions_unsettled", "decisions", ["settled_at", "decided_at"])
    op.create_table(
        "responses",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("moment_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=30), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_responses")),
    )
    op.create_index("ix_responses_person", "responses", ["person_id", "received_at"])
    op.create_index("ix_responses_moment", "responses", ["moment_id"])
    op.create_table(
        "policy_arms",
        sa.Column("policy", sa.String(length=200), nullable=False),
        sa.Column("segment", sa.String(length=100), nullable=False),
        sa.Column("bottleneck", sa.String(length=30), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("alpha", sa.Float(), nullable=False),
        sa.Column("beta", sa.Float(), nullable=False),
        sa.Column("pulls", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("policy", "segment", "bottleneck", "kind", name=op.f("pk_policy_arms")),
    )
    op.create_table(
        "review_items",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("moment_id", sa.Integer(), nullable=False),
        sa.Column("decision", JSON_DOC, nullable=False),
        sa.Column("reasons", JSON_DOC, nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_items")),
        sa.UniqueConstraint("moment_id", name="uq_review_items_moment_id"),
    )
    op.create_index("ix_review_items_status", "review_items", ["status", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_review_items_status", table_name="review_items")
    op.drop_table("review_items")
    op.drop_table("policy_arms")
    op.drop_index("ix_responses_moment", table_name="responses")
    op.drop_index("ix_responses_person", table_name="responses")
    op.drop_table("responses")
    op.drop_index("ix_decisions_unsettled", table_name="decisions")
    op.drop_index("ix_decisions_person", table_name="decisions")
    op.drop_table("decisions")
