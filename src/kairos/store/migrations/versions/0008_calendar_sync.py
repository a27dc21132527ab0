"""CalDAV collections and objects for incremental sync, email aliases, and look-ups of meetings by UID and of
events by subject.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

JSON_DOC = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "calendar_collections",
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("sync_token", sa.String(length=1000), nullable=True),
        sa.Column("synced_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("url", name=op.f("pk_calendar_collections")),
    )
    op.create_table(
        "calendar_objects",
        sa.Column("collection_url", sa.String(length=500), nullable=False),
        sa.Column("href", sa.String(length=500), nullable=False),
        sa.Column("etag", sa.String(length=300), nullable=True),
        sa.Column("uids", JSON_DOC, nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("last_start", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["collection_url"],
            ["calendar_collections.url"],
            name=op.f("fk_calendar_objects_collection_url_calendar_collections"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("collection_url", "href", name=op.f("pk_calendar_objects")),
    )
    op.create_table(
        "email_aliases",
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("person_id", sa.String(length=100), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("email", name=op.f("pk_email_aliases")),
    )
    op.create_index("ix_email_aliases_person_id", "email_aliases", ["person_id"])
    op.create_index("ix_meetings_uid", "meetings", ["uid"])
    op.create_index("ix_events_subject", "events", ["subject"])


def downgrade() -> None:
    op.drop_index("ix_events_subject", table_name="events")
    op.drop_index("ix_meetings_uid", table_name="meetings")
    op.drop_index("ix_email_aliases_person_id", table_name="email_aliases")
    op.drop_table("email_aliases")
    op.drop_table("calendar_objects")
    op.drop_table("calendar_collections")
