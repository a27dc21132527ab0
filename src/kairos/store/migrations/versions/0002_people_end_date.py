"""People: the last day of employment, and an index to find a manager's reports.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("people") as batch_op:
        batch_op.add_column(sa.Column("end_date", sa.Date(), nullable=True))
        batch_op.create_index("ix_people_manager_id", ["manager_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("people") as batch_op:
        batch_op.drop_index("ix_people_manager_id")
        batch_op.drop_column("end_date")
