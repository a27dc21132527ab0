"""Which stored framework the organization uses: goals, feedback, focuses and transitions are read against it.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "framework_in_use",
        sa.Column("slot", sa.String(length=20), nullable=False),
        sa.Column("framework_id", sa.String(length=100), nullable=False),
        sa.Column("chosen_by", sa.String(length=100), nullable=False),
        sa.Column("chosen_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("slot", name=op.f("pk_framework_in_use")),
    )


def downgrade() -> None:
    op.drop_table("framework_in_use")
