"""Calibration exercises: example behaviors with the talent team's key, and managers' placements.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-15
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "calibration_exercises",
        sa.Column("id", sa.String(100), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("framework_id", sa.String(100), nullable=False),
        sa.Column("framework_version", sa.String(100), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_calibration_exercises"),
    )
    op.create_table(
        "calibration_examples",
        sa.Column("exercise_id", sa.String(100), nullable=False),
        sa.Column("example_id", sa.String(100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("competency_id", sa.String(100), nullable=False),
        sa.Column("key_level", sa.Integer(), nullable=False),
        sa.Column("behavior", sa.Text(), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["exercise_id"],
            ["calibration_exercises.id"],
            name="fk_calibration_examples_exercise_id_calibration_exercises",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("exercise_id", "example_id", name="pk_calibration_examples"),
    )
    op.create_table(
        "calibration_placements",
        sa.Column("exercise_id", sa.String(100), nullable=False),
        sa.Column("manager_id", sa.String(100), nullable=False),
        sa.Column("example_id", sa.String(100), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["exercise_id"],
            ["calibration_exercises.id"],
            name="fk_calibration_placements_exercise_id_calibration_exercises",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("exercise_id", "manager_id", "example_id", name="pk_calibration_placements"),
    )
    op.create_index("ix_calibration_placements_manager_id", "calibration_placements", ["manager_id"])


def downgrade() -> None:
    op.drop_index("ix_calibration_placements_manager_id", table_name="calibration_placements")
    op.drop_table("calibration_placements")
    op.drop_table("calibration_examples")
    op.drop_table("calibration_exercises")
