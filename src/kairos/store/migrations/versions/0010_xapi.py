"""Learning records: xAPI statements, what each names (agents, verb, activities, registration), the course catalog.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

JSON_DOC = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "xapi_statements",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("statement", JSON_DOC, nullable=False),
        sa.Column("person_id", sa.String(length=100), nullable=True),
        sa.Column("voided", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("stored", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_xapi_statements")),
        sa.UniqueConstraint("id", name="uq_xapi_statements_id"),
    )
    op.create_index("ix_xapi_statements_stored", "xapi_statements", ["stored", "seq"])
    op.create_table(
        "xapi_statement_links",
        sa.Column("statement_seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("direct", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["statement_seq"],
            ["xapi_statements.seq"],
            name=op.f("fk_xapi_statement_links_statement_seq_xapi_statements"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("statement_seq", "kind", "key_hash", name=op.f("pk_xapi_statement_links")),
    )
    op.create_index("ix_xapi_statement_links_key", "xapi_statement_links", ["kind", "key_hash", "statement_seq"])
    op.create_table(
        "learning_catalog",
        sa.Column("activity_key", sa.String(length=64), nullable=False),
        sa.Column("activity_id", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("competencies", JSON_DOC, nullable=False),
        sa.Column("levels", JSON_DOC, nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=True),
        sa.Column("framework_id", sa.String(length=100), nullable=False),
        sa.Column("framework_version", sa.String(length=100), nullable=False),
        sa.Column("source_file", sa.String(length=300), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("activity_key", name=op.f("pk_learning_catalog")),
    )


def downgrade() -> None:
    op.drop_table("learning_catalog")
    op.drop_index("ix_xapi_statement_links_key", table_name="xapi_statement_links")
    op.drop_table("xapi_statement_links")
    op.drop_index("ix_xapi_statements_stored", table_name="xapi_statements")
    op.drop_table("xapi_statements")
