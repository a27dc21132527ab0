"""Initial schema: the event log, people, frameworks, goals, meetings, moments, nudges, deliveries.

The downgrade drops every table: it is the way back to an empty database, not a data-preserving step.

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-23 04:37:54.271205
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# Documents are JSON on SQLite and JSONB on PostgreSQL.
JSON_DOC = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("type", sa.String(length=80), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=True),
        sa.Column("time", sa.DateTime(), nullable=False),
        sa.Column("data", JSON_DOC, nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_events")),
        sa.UniqueConstraint("source", "id", name="uq_events_source_id"),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index("ix_events_type_seq", ["type", "seq"], unique=False)

    op.create_table(
        "frameworks",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("version", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("document", JSON_DOC, nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", "version", name=op.f("pk_frameworks")),
    )
    op.create_table(
        "goals",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("person_id", sa.String(length=100), nullable=False),
        sa.Column("competency_id", sa.String(length=100), nullable=False),
        sa.Column("target_level", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("review_date", sa.Date(), nullable=False),
        sa.Column("framework_id", sa.String(length=100), nullable=False),
        sa.Column("framework_version", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goals")),
        sa.UniqueConstraint("person_id", "competency_id", "review_date", name="uq_goals_person_competency_review"),
    )
    op.create_table(
        "meetings",
        sa.Column("key", sa.String(length=400), nullable=False),
        sa.Column("uid", sa.String(length=300), nullable=False),
        sa.Column("start", sa.DateTime(), nullable=False),
        sa.Column("end", sa.DateTime(), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("organizer", sa.String(length=320), nullable=True),
        sa.Column("attendee_emails", JSON_DOC, nullable=False),
        sa.Column("attendee_ids", JSON_DOC, nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("kind_reason", sa.String(length=500), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_meetings")),
    )
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.create_index("ix_meetings_start", ["start"], unique=False)

    op.create_table(
        "people",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("manager_id", sa.String(length=100), nullable=True),
        sa.Column("role", sa.String(length=300), nullable=False),
        sa.Column("level", sa.String(length=50), nullable=False),
        sa.Column("team", sa.String(length=300), nullable=False),
        sa.Column("location", sa.String(length=300), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
    )
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.create_index("ix_people_email", ["email"], unique=False)

    op.create_table(
        "meeting_attendees",
        sa.Column("meeting_key", sa.String(length=400), nullable=False),
        sa.Column("person_id", sa.String(length=100), nullable=False),
        sa.Column("start", sa.DateTime(), nullable=False),
        sa.Column("end", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_key"],
            ["meetings.key"],
            name=op.f("fk_meeting_attendees_meeting_key_meetings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("meeting_key", "person_id", name=op.f("pk_meeting_attendees")),
    )
    with op.batch_alter_table("meeting_attendees", schema=None) as batch_op:
        batch_op.create_index("ix_meeting_attendees_person_start", ["person_id", "start"], unique=False)

    op.create_table(
        "moments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("dedup_key", sa.String(length=400), nullable=False),
        sa.Column("play_id", sa.String(length=100), nullable=False),
        sa.Column("play_version", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=100), nullable=False),
        sa.Column("event_seq", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.String(length=100), nullable=True),
        sa.Column("recipient_id", sa.String(length=100), nullable=True),
        sa.Column("audience", sa.String(length=20), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=True),
        sa.Column("due_at", sa.DateTime(), nullable=True),
        sa.Column("expires_at", sa.DateTime(), nullable=True),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("cap_exempt", sa.Boolean(), nullable=False),
        sa.Column("cooldown_days", sa.Float(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("stop_reason", sa.String(length=40), nullable=True),
        sa.Column("trace", JSON_DOC, nullable=False),
        sa.Column("context", JSON_DOC, nullable=False),
        sa.Column("claimed_by", sa.String(length=100), nullable=True),
        sa.Column("lease_until", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["event_seq"], ["events.seq"], name=op.f("fk_moments_event_seq_events")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moments")),
        sa.UniqueConstraint("dedup_key", name=op.f("uq_moments_dedup_key")),
    )
    with op.batch_alter_table("moments", schema=None) as batch_op:
        batch_op.create_index("ix_moments_recipient", ["recipient_id", "play_id"], unique=False)
        batch_op.create_index("ix_moments_status_due", ["status", "due_at"], unique=False)

    op.create_table(
        "planned_events",
        sa.Column("event_seq", sa.Integer(), nullable=False),
        sa.Column("planned_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["event_seq"], ["events.seq"], name=op.f("fk_planned_events_event_seq_events")),
        sa.PrimaryKeyConstraint("event_seq", name=op.f("pk_planned_events")),
    )
    op.create_table(
        "nudges",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("moment_id", sa.Integer(), nullable=False),
        sa.Column("recipient_id", sa.String(length=100), nullable=False),
        sa.Column("subject", sa.String(length=500), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("why", JSON_DOC, nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["moment_id"], ["moments.id"], name=op.f("fk_nudges_moment_id_moments")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nudges")),
        sa.UniqueConstraint("moment_id", name=op.f("uq_nudges_moment_id")),
    )
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=False),
        sa.Column("moment_id", sa.Integer(), nullable=False),
        sa.Column("nudge_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=40), nullable=False),
        sa.Column("recipient_id", sa.String(length=100), nullable=False),
        sa.Column("cap_exempt", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.String(length=300), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("delivered_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["moment_id"], ["moments.id"], name=op.f("fk_deliveries_moment_id_moments")),
        sa.ForeignKeyConstraint(["nudge_id"], ["nudges.id"], name=op.f("fk_deliveries_nudge_id_nudges")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliveries")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_deliveries_idempotency_key")),
    )
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_deliveries_recipient_status", ["recipient_id", "status", "delivered_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_deliveries_recipient_status")

    op.drop_table("deliveries")
    op.drop_table("nudges")
    op.drop_table("planned_events")
    with op.batch_alter_table("moments", schema=None) as batch_op:
        batch_op.drop_index("ix_moments_status_due")
        batch_op.drop_index("ix_moments_recipient")

    op.drop_table("moments")
    with op.batch_alter_table("meeting_attendees", schema=None) as batch_op:
        batch_op.drop_index("ix_meeting_attendees_person_start")

    op.drop_table("meeting_attendees")
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_index("ix_people_email")

    op.drop_table("people")
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_index("ix_meetings_start")

    op.drop_table("meetings")
    op.drop_table("goals")
    op.drop_table("frameworks")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_type_seq")

    op.drop_table("events")
