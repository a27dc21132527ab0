"""Assessment results (DISC, CliftonStrengths, …) with provenance, and each person's style-sharing consent.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

JSON_DOC = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "assessments",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("person_id", sa.String(length=100), nullable=False),
        sa.Column("instrument", sa.String(length=30), nullable=False),
        sa.Column("taken_on", sa.Date(), nullable=True),
        sa.Column("source_file", sa.String(length=300), nullable=False),
        sa.Column("source_row", sa.Integer(), nullable=True),
        sa.Column("scores", JSON_DOC, nullable=False),
        sa.Column("ranking", JSON_DOC, nullable=False),
        sa.Column("type_code", sa.String(length=20), nullable=True),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessments")),
    )
    op.create_index("ix_assessments_person", "assessments", ["person_id", "instrument"])
    op.create_table(
        "style_sharing",
        sa.Column("person_id", sa.String(length=100), nullable=False),
        sa.Column("sharing", sa.String(length=20), nullable=False),
        sa.Column("changed_by", sa.String(length=100), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_style_sharing")),
    )


def downgrade() -> None:
    op.drop_table("style_sharing")
    op.drop_index("ix_assessments_person", table_name="assessments")
    op.drop_table("assessments")
