"""SCIM provisioning: the stored SCIM resources (Users, Groups) and group membership.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# Documents are JSON on SQLite and JSONB on PostgreSQL; times are naive UTC (as in 0001).
JSON_DOC = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scim_resources",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("resource_type", sa.String(20), nullable=False),
        sa.Column("person_id", sa.String(100), nullable=True),
        sa.Column("user_name_key", sa.String(512), nullable=True),
        sa.Column("external_id", sa.String(512), nullable=True),
        sa.Column("display_key", sa.String(512), nullable=True),
        sa.Column("data", JSON_DOC, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.Column("last_modified", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_scim_resources"),
        sa.UniqueConstraint("seq", name="uq_scim_resources_seq"),
        sa.UniqueConstraint("person_id", name="uq_scim_resources_person_id"),
        sa.UniqueConstraint("user_name_key", name="uq_scim_resources_user_name_key"),
    )
    op.create_index("ix_scim_resources_type_seq", "scim_resources", ["resource_type", "seq"])
    op.create_index("ix_scim_resources_type_external_id", "scim_resources", ["resource_type", "external_id"])
    op.create_index("ix_scim_resources_type_display_key", "scim_resources", ["resource_type", "display_key"])
    op.create_table(
        "scim_group_members",
        sa.Column("group_id", sa.String(64), nullable=False),
        sa.Column("member_id", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["scim_resources.id"],
            name="fk_scim_group_members_group_id_scim_resources",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("group_id", "member_id", name="pk_scim_group_members"),
    )
    op.create_index("ix_scim_group_members_member_id", "scim_group_members", ["member_id"])


def downgrade() -> None:
    op.drop_index("ix_scim_group_members_member_id", table_name="scim_group_members")
    op.drop_table("scim_group_members")
    op.drop_index("ix_scim_resources_type_display_key", table_name="scim_resources")
    op.drop_index("ix_scim_resources_type_external_id", table_name="scim_resources")
    op.drop_index("ix_scim_resources_type_seq", table_name="scim_resources")
    op.drop_table("scim_resources")
