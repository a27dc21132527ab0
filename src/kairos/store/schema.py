"""The database schema. Alembic migrations in ``migrations/`` create it; this module describes it.

Hot paths use SQLAlchemy Core on these tables (batched inserts, one statement per claim);
the ORM's unit of work is too slow for imports of 100,000 people.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UtcDateTime(TypeDecorator[datetime]):
    """Stores UTC without a zone (SQLite has none) and always hands back aware UTC datetimes."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} given where UTC is required")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


Json: Any = JSON().with_variant(JSONB(), "postgresql")

events = Table(
    "events",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("id", String(64), nullable=False),
    Column("source", String(300), nullable=False),
    Column("type", String(80), nullable=False),
    Column("subject", String(200)),
    Column("time", UtcDateTime, nullable=False),
    Column("data", Json, nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
    UniqueConstraint("source", "id", name="uq_events_source_id"),
    Index("ix_events_type_seq", "type", "seq"),
)

# Which events the planner has matched against plays. Kept apart so events stay immutable.
planned_events = Table(
    "planned_events",
    metadata,
    Column("event_seq", Integer, ForeignKey("events.seq"), primary_key=True),
    Column("planned_at", UtcDateTime, nullable=False),
)

people = Table(
    "people",
    metadata,
    Column("id", String(100), primary_key=True),
    Column("name", String(300), nullable=False),
    Column("email", String(320), nullable=False),
    Column("manager_id", String(100)),
    Column("role", String(300), nullable=False),
    Column("level", String(50), nullable=False),
    Column("team", String(300), nullable=False),
    Column("location", String(300), nullable=False),
    Column("time_zone", String(64), nullable=False),
    Column("start_date", Date),
    Column("status", String(20), nullable=False, default="active"),  # active | leave | terminated
    Column("end_date", Date),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_people_email", "email"),
    Index("ix_people_manager_id", "manager_id"),
)

frameworks = Table(
    "frameworks",
    metadata,
    Column("id", String(100), primary_key=True),
    Column("version", String(100), primary_key=True),
    Column("name", String(300), nullable=False),
    Column("document", Json, nullable=False),
    Column("imported_at", UtcDateTime, nullable=False),
)

goals = Table(
    "goals",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("person_id", String(100), nullable=False),
    Column("competency_id", String(100), nullable=False),
    Column("target_level", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("review_date", Date, nullable=False),
    Column("framework_id", String(100), nullable=False),
    Column("framework_version", String(100), nullable=False),
    Column("status", String(20), nullable=False, default="active"),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("person_id", "competency_id", "review_date", name="uq_goals_person_competency_review"),
)

meetings = Table(
    "meetings",
    metadata,
    Column("key", String(400), primary_key=True),
    Column("uid", String(300), nullable=False),
    Column("start", UtcDateTime, nullable=False),
    Column("end", UtcDateTime, nullable=False),
    Column("title", String(500), nullable=False),
    Column("organizer", String(320)),
    Column("attendee_emails", Json, nullable=False),
    Column("attendee_ids", Json, nullable=False),
    Column("kind", String(40), nullable=False),
    Column("kind_reason", String(500), nullable=False),
    Index("ix_meetings_start", "start"),
)

# One row per person attending a meeting occurrence: answers "how loaded is this person's day" by index.
meeting_attendees = Table(
    "meeting_attendees",
    metadata,
    Column("meeting_key", String(400), ForeignKey("meetings.key", ondelete="CASCADE"), primary_key=True),
    Column("person_id", String(100), primary_key=True),
    Column("start", UtcDateTime, nullable=False),
    Column("end", UtcDateTime, nullable=False),
    Index("ix_meeting_attendees_person_start", "person_id", "start"),
)

moments = Table(
    "moments",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("dedup_key", String(400), nullable=False, unique=True),
    Column("play_id", String(100), nullable=False),
    Column("play_version", Integer, nullable=False),
    Column("action", String(100), nullable=False),
    Column("event_seq", Integer, ForeignKey("events.seq"), nullable=False),
    Column("subject_id", String(100)),
    Column("recipient_id", String(100)),
    Column("audience", String(20), nullable=False),
    Column("time_zone", String(64)),
    Column("due_at", UtcDateTime),
    Column("expires_at", UtcDateTime),
    Column("priority", Integer, nullable=False),
    Column("cap_exempt", Boolean, nullable=False, default=False),
    Column("cooldown_days", Float, nullable=False, default=0),
    Column("status", String(20), nullable=False),
    Column("stop_reason", String(40)),
    Column("trace", Json, nullable=False),
    Column("context", Json, nullable=False),
    Column("claimed_by", String(100)),
    Column("lease_until", UtcDateTime),
    Column("created_at", UtcDateTime, nullable=False),
    Column("finished_at", UtcDateTime),
    Index("ix_moments_status_due", "status", "due_at"),
    Index("ix_moments_recipient", "recipient_id", "play_id"),
)

nudges = Table(
    "nudges",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("moment_id", Integer, ForeignKey("moments.id"), nullable=False, unique=True),
    Column("recipient_id", String(100), nullable=False),
    Column("subject", String(500), nullable=False),
    Column("text", Text, nullable=False),
    Column("html", Text, nullable=False),
    Column("why", Json, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("read_at", UtcDateTime),  # when the recipient first opened it in the web inbox
    Index("ix_nudges_recipient_created", "recipient_id", "created_at"),
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("idempotency_key", String(200), nullable=False, unique=True),
    Column("moment_id", Integer, ForeignKey("moments.id"), nullable=False),
    Column("nudge_id", Integer, ForeignKey("nudges.id"), nullable=False),
    Column("channel", String(40), nullable=False),
    Column("recipient_id", String(100), nullable=False),
    Column("cap_exempt", Boolean, nullable=False),
    # prepared → sending → delivered | retry | failed | uncertain; digest (waiting for the person's digest) →
    # delivered with the digest
    Column("status", String(20), nullable=False),
    # the person's own channel (primary) or one sent beside it (the calendar copy of a brief)
    Column("is_primary", Boolean, nullable=False, default=True),
    Column("reason", String(500)),  # why this channel (said in the message); `detail` says how the last try went
    Column("digest_key", String(200)),  # the digest that carried it, for nudges held for a daily digest
    Column("next_attempt_at", UtcDateTime),  # a companion's retry time (a primary's retry is its moment's due time)
    Column("attempts", Integer, nullable=False, default=0),
    Column("provider_id", String(300)),
    Column("detail", Text),
    Column("delivered_at", UtcDateTime),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_deliveries_recipient_status", "recipient_id", "status", "delivered_at"),
    Index("ix_deliveries_moment", "moment_id"),
    Index("ix_deliveries_channel_provider", "channel", "provider_id"),
    Index("ix_deliveries_status_next", "status", "next_attempt_at"),
)

# --- channels: how each person is reached, what they prefer, and what came back (D1–D7, loop steps 6–7) -----

# A person's address on a channel: a Slack user id, a Teams conversation reference, a Matrix user and direct room.
# Learned from an import, the CLI, an app installation or the channel's own lookup; one person per address.
channel_addresses = Table(
    "channel_addresses",
    metadata,
    Column("person_id", String(100), primary_key=True),
    Column("channel", String(40), primary_key=True),
    Column("address", String(500), nullable=False),
    Column("detail", Json, nullable=False),  # what else the channel needs (a Teams serviceUrl, a Matrix room id)
    Column("source", String(100), nullable=False),  # import | cli | lookup | install
    Column("updated_at", UtcDateTime, nullable=False),
    UniqueConstraint("channel", "address", name="uq_channel_addresses_channel_address"),
)

# What a person chose: their channel, the channels they opted out of, real time or a daily digest, their own quiet
# hours. No row means the organization's defaults.
channel_preferences = Table(
    "channel_preferences",
    metadata,
    Column("person_id", String(100), primary_key=True),
    Column("channel", String(40)),  # None: the organization's order
    Column("opted_out", Json, nullable=False),  # channel names
    Column("pacing", String(20), nullable=False),  # realtime | digest
    Column("digest_time", String(5)),  # HH:MM local; None: the organization's digest time
    Column("quiet_start", String(5)),  # HH:MM local; both None: the organization's quiet hours
    Column("quiet_end", String(5)),
    Column("updated_by", String(100), nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

# One daily digest per person and channel: the ledger row that makes it exactly-once, like a delivery's.
digests = Table(
    "digests",
    metadata,
    Column("key", String(200), primary_key=True),  # digest-<person>-<local date>/<channel>
    Column("recipient_id", String(100), nullable=False),
    Column("channel", String(40), nullable=False),
    Column("moment_ids", Json, nullable=False),
    Column("status", String(20), nullable=False),  # prepared → sending → delivered | retry | failed | uncertain
    Column("attempts", Integer, nullable=False, default=0),
    Column("provider_id", String(300)),
    Column("detail", Text),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("delivered_at", UtcDateTime),
)

# Every answer that came in through a channel, by the provider's own id: a replayed request finds its row and
# changes nothing.
inbound_receipts = Table(
    "inbound_receipts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("channel", String(40), nullable=False),
    Column("external_id", String(300), nullable=False),
    Column("response_id", Integer),
    Column("received_at", UtcDateTime, nullable=False),
    UniqueConstraint("channel", "external_id", name="uq_inbound_receipts_channel_external_id"),
)

# Where a polling channel left off (the Matrix sync token), so a restart reads each reply once.
channel_cursors = Table(
    "channel_cursors",
    metadata,
    Column("channel", String(40), primary_key=True),
    Column("cursor", Text, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

# SCIM 2.0 provisioning (api/scim): every User and Group as its client stored it (the full resource JSON,
# without id and meta, which are columns), its version (the weak ETag), and for Users the person it provisions.
# The columns beside the JSON are the few values filters and uniqueness are answered from by index.
scim_resources = Table(
    "scim_resources",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("seq", Integer, nullable=False, unique=True),  # creation order: lists are oldest first
    Column("resource_type", String(20), nullable=False),  # User | Group
    Column("person_id", String(100), unique=True),  # Users: the person's id in `people`; NULL for Groups
    Column("user_name_key", String(512), unique=True),  # Users: userName as compared (NFC, lowercase)
    Column("external_id", String(512)),
    Column("display_key", String(512)),  # displayName as compared (NFC, lowercase)
    Column("data", Json, nullable=False),
    Column("version", Integer, nullable=False),
    Column("created", UtcDateTime, nullable=False),
    Column("last_modified", UtcDateTime, nullable=False),
    Index("ix_scim_resources_type_seq", "resource_type", "seq"),
    Index("ix_scim_resources_type_external_id", "resource_type", "external_id"),
    Index("ix_scim_resources_type_display_key", "resource_type", "display_key"),
)

# Group membership by id, so a User's read-only `groups` and the clean-up after a deletion are index look-ups.
scim_group_members = Table(
    "scim_group_members",
    metadata,
    Column("group_id", String(64), ForeignKey("scim_resources.id", ondelete="CASCADE"), primary_key=True),
    Column("member_id", String(64), primary_key=True),
    Index("ix_scim_group_members_member_id", "member_id"),
)

# --- Feedback and reviews (A3) ---------------------------------------------------------------------------
# 360 campaigns keep rater identity apart: `feedback_raters` says who responded about whom (for
# de-duplication, counting and data-rights requests); ratings and comments carry no rater id, and rows
# are written sorted by value or text, so neither their content nor their order links them to a rater.

feedback_campaigns = Table(
    "feedback_campaigns",
    metadata,
    Column("id", String(100), primary_key=True),
    Column("name", String(300), nullable=False),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=False),
    Column("scale_min", Integer, nullable=False),
    Column("scale_max", Integer, nullable=False),
    Column("framework_id", String(100), nullable=False),
    Column("framework_version", String(100), nullable=False),
    Column("imported_at", UtcDateTime, nullable=False),
)

feedback_raters = Table(
    "feedback_raters",
    metadata,
    Column("campaign_id", String(100), ForeignKey("feedback_campaigns.id", ondelete="CASCADE"), primary_key=True),
    Column("subject_id", String(100), primary_key=True),
    Column("rater_id", String(100), primary_key=True),
    Column("rater_group", String(20), nullable=False),  # self | manager | peer | direct_report
    Index("ix_feedback_raters_rater_id", "rater_id"),
)

feedback_ratings = Table(
    "feedback_ratings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("campaign_id", String(100), ForeignKey("feedback_campaigns.id", ondelete="CASCADE"), nullable=False),
    Column("subject_id", String(100), nullable=False),
    Column("rater_group", String(20), nullable=False),
    Column("competency_id", String(100), nullable=False),
    Column("value", Integer, nullable=False),
    Index("ix_feedback_ratings_campaign_subject", "campaign_id", "subject_id"),
    Index("ix_feedback_ratings_subject_competency", "subject_id", "competency_id"),
)

feedback_comments = Table(
    "feedback_comments",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("campaign_id", String(100), ForeignKey("feedback_campaigns.id", ondelete="CASCADE"), nullable=False),
    Column("subject_id", String(100), nullable=False),
    Column("competency_id", String(100)),  # NULL: a general comment
    Column("text", Text, nullable=False),
    Index("ix_feedback_comments_campaign_subject", "campaign_id", "subject_id"),
)

reviews = Table(
    "reviews",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("person_id", String(100), nullable=False),
    Column("reviewer_id", String(100), nullable=False),
    Column("review_date", Date, nullable=False),
    Column("summary", Text, nullable=False),
    Column("framework_id", String(100), nullable=False),
    Column("framework_version", String(100), nullable=False),
    Column("imported_at", UtcDateTime, nullable=False),
    UniqueConstraint("person_id", "review_date", name="uq_reviews_person_date"),
)

# A review's competency ratings: the reviewer's evidence of the person's current level.
review_ratings = Table(
    "review_ratings",
    metadata,
    Column("review_id", Integer, ForeignKey("reviews.id", ondelete="CASCADE"), primary_key=True),
    Column("competency_id", String(100), primary_key=True),
    Column("level", Integer, nullable=False),
)

checkins = Table(
    "checkins",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("person_id", String(100), nullable=False),
    Column("checkin_date", Date, nullable=False),
    Column("competency_id", String(100), nullable=False),
    Column("severity", String(10), nullable=False),  # none | low | medium | high
    Column("note", Text, nullable=False),
    Column("framework_id", String(100), nullable=False),
    Column("framework_version", String(100), nullable=False),
    Column("imported_at", UtcDateTime, nullable=False),
    UniqueConstraint("person_id", "checkin_date", "competency_id", name="uq_checkins_person_date_competency"),
)

# Individual development plans: one row per action; a person's plan is replaced as a whole on import.
plan_actions = Table(
    "plan_actions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("person_id", String(100), nullable=False),
    Column("competency_id", String(100), nullable=False),
    Column("target_level", Integer, nullable=False),
    Column("position", Integer, nullable=False),  # the action's place in the person's plan, from 1
    Column("action", Text, nullable=False),
    Column("due_date", Date, nullable=False),
    Column("framework_id", String(100), nullable=False),
    Column("framework_version", String(100), nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    UniqueConstraint("person_id", "position", name="uq_plan_actions_person_position"),
)

# --- agreed focus, commitments from 1:1s, observations (A3, E3) -------------------------------------------

focuses = Table(
    "focuses",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("person_id", String(100), nullable=False),
    Column("competency_id", String(100), nullable=False),
    Column("target_level", Integer, nullable=False),
    Column("description", Text, nullable=False),
    Column("framework_id", String(100), nullable=False),
    Column("framework_version", String(100), nullable=False),
    Column("proposed_by", String(100), nullable=False),
    Column("person_agreed_at", UtcDateTime),
    Column("manager_agreed_at", UtcDateTime),
    Column("status", String(20), nullable=False),  # proposed | agreed | closed
    Column("created_at", UtcDateTime, nullable=False),
    Index("ix_focuses_person_status", "person_id", "status"),
)

commitments = Table(
    "commitments",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("person_id", String(100), nullable=False),
    Column("manager_id", String(100), nullable=False),
    Column("kind", String(30), nullable=False),
    Column("text", Text, nullable=False),
    Column("meeting_key", String(400)),
    Column("due", Date),
    Column("status", String(20), nullable=False),
    Column("visibility", String(20), nullable=False),
    Column("recorded_by", String(100), nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
    Column("follow_up", Text),
    Column("followed_up_at", UtcDateTime),
    Index("ix_commitments_pair_status", "person_id", "manager_id", "status"),
)

observations = Table(
    "observations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("person_id", String(100), nullable=False),
    Column("author_id", String(100), nullable=False),
    Column("kind", String(20), nullable=False),  # observation | note
    Column("competency_id", String(100)),
    Column("text", Text, nullable=False),
    Column("visibility", String(20), nullable=False),
    Column("meeting_key", String(400)),
    Column("recorded_at", UtcDateTime, nullable=False),
    Index("ix_observations_person", "person_id", "recorded_at"),
)

# --- calibration exercises (C1, E3) ------------------------------------------------------------------------
# An exercise is a framework version plus example behaviors, each with the talent team's key (the level it
# shows). Managers' placements are kept per manager, because each manager may see their own; reports show
# other managers only as counts over groups of at least the minimum size (domain/calibration.py).

calibration_exercises = Table(
    "calibration_exercises",
    metadata,
    Column("id", String(100), primary_key=True),
    Column("name", String(300), nullable=False),
    Column("framework_id", String(100), nullable=False),
    Column("framework_version", String(100), nullable=False),
    Column("imported_at", UtcDateTime, nullable=False),
)

calibration_examples = Table(
    "calibration_examples",
    metadata,
    Column("exercise_id", String(100), ForeignKey("calibration_exercises.id", ondelete="CASCADE"), primary_key=True),
    Column("example_id", String(100), primary_key=True),
    Column("position", Integer, nullable=False),  # the example's place in the exercise file, from 1
    Column("competency_id", String(100), nullable=False),
    Column("key_level", Integer, nullable=False),
    Column("behavior", Text, nullable=False),
    Column("rationale", Text),
)

calibration_placements = Table(
    "calibration_placements",
    metadata,
    Column("exercise_id", String(100), ForeignKey("calibration_exercises.id", ondelete="CASCADE"), primary_key=True),
    Column("manager_id", String(100), primary_key=True),
    Column("example_id", String(100), primary_key=True),  # an example of the exercise (checked on import)
    Column("level", Integer, nullable=False),
    Column("imported_at", UtcDateTime, nullable=False),
    Index("ix_calibration_placements_manager_id", "manager_id"),
)

# --- assessment results and style-sharing consent (A2, G1) ---------------------------------------------------
# Results are kept as the instrument reported them; the style profile is derived on read from the mapping in
# content/styles/, so a corrected mapping changes every profile without re-importing anything.

assessments = Table(
    "assessments",
    metadata,
    Column("id", String(32), primary_key=True),  # a content hash: re-importing the same result adds nothing
    Column("person_id", String(100), nullable=False),
    Column("instrument", String(30), nullable=False),
    Column("taken_on", Date),
    Column("source_file", String(300), nullable=False),
    Column("source_row", Integer),
    Column("scores", Json, nullable=False),
    Column("ranking", Json, nullable=False),
    Column("type_code", String(20)),
    Column("imported_at", UtcDateTime, nullable=False),
    Index("ix_assessments_person", "person_id", "instrument"),
)

# Who may see a person's individual style facts; no row means the default (their manager).
style_sharing = Table(
    "style_sharing",
    metadata,
    Column("person_id", String(100), primary_key=True),
    Column("sharing", String(20), nullable=False),
    Column("changed_by", String(100), nullable=False),
    Column("changed_at", UtcDateTime, nullable=False),
)

# --- decisions, responses, what the policy learned, and the review queue (B4, loop steps 3, 5, 7, 8) -------
# One decision per moment, about its learner (the subject: the report in a brief); it is settled once the
# outcomes after it are in, and its reward updates the posterior of its (segment, bottleneck, kind).

decisions = Table(
    "decisions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("moment_id", Integer, nullable=False, unique=True),
    Column("person_id", String(100), nullable=False),
    Column("recipient_id", String(100), nullable=False),
    Column("policy", String(200), nullable=False),
    Column("segment", String(100), nullable=False),
    Column("bottleneck", String(30)),
    Column("kind", String(30), nullable=False),
    Column("rule", String(100), nullable=False),
    Column("explored", Boolean, nullable=False),
    Column("challenge", String(10), nullable=False),
    Column("needs_review", Json, nullable=False),
    Column("competency_id", String(100)),
    Column("content_item", String(100)),  # the content library item the message offered, if any
    Column("decided_at", UtcDateTime, nullable=False),
    Column("settled_at", UtcDateTime),
    Column("reward", Float),
    Column("reward_detail", Json),
    Index("ix_decisions_person", "person_id", "decided_at"),
    Index("ix_decisions_unsettled", "settled_at", "decided_at"),
)

responses = Table(
    "responses",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("moment_id", Integer, nullable=False),
    Column("person_id", String(100), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("text", Text),
    Column("rating", Integer),
    Column("channel", String(30), nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
    Index("ix_responses_person", "person_id", "received_at"),
    Index("ix_responses_moment", "moment_id"),
)

policy_arms = Table(
    "policy_arms",
    metadata,
    Column("policy", String(200), primary_key=True),
    Column("segment", String(100), primary_key=True),
    Column("bottleneck", String(30), primary_key=True),
    Column("kind", String(30), primary_key=True),
    Column("alpha", Float, nullable=False),
    Column("beta", Float, nullable=False),
    Column("pulls", Integer, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

review_items = Table(
    "review_items",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("moment_id", Integer, nullable=False, unique=True),
    Column("decision", Json, nullable=False),
    Column("reasons", Json, nullable=False),
    Column("status", String(20), nullable=False),  # waiting | approved | rejected
    Column("created_at", UtcDateTime, nullable=False),
    Column("decided_by", String(100)),
    Column("decided_at", UtcDateTime),
    Column("note", Text),
    Index("ix_review_items_status", "status", "created_at"),
)

# --- calendars (A5): CalDAV collections synced incrementally, email aliases ---------------------------------
# A collection's sync token (RFC 6578) lets the next sync ask only for what changed; each object's ETag tells a
# changed object from an unchanged one, and its UIDs say which meetings a deleted object cancels. The iCalendar
# text is kept so unchanged recurring events can be expanded into a window that has moved on.

calendar_collections = Table(
    "calendar_collections",
    metadata,
    Column("url", String(500), primary_key=True),
    Column("sync_token", String(1000)),
    Column("synced_at", UtcDateTime, nullable=False),
)

calendar_objects = Table(
    "calendar_objects",
    metadata,
    Column("collection_url", String(500), ForeignKey("calendar_collections.url", ondelete="CASCADE"), primary_key=True),
    Column("href", String(500), primary_key=True),
    Column("etag", String(300)),
    Column("uids", Json, nullable=False),
    Column("data", Text, nullable=False),
    Column("last_start", UtcDateTime),  # its last occurrence's start; NULL when it repeats
)

# Other addresses of a person (an old domain, a calendar-only alias): attendees with them resolve to the person.
email_aliases = Table(
    "email_aliases",
    metadata,
    Column("email", String(320), primary_key=True),  # lowercase
    Column("person_id", String(100), nullable=False),
    Column("imported_at", UtcDateTime, nullable=False),
    Index("ix_email_aliases_person_id", "person_id"),
)

# A CalDAV deletion cancels a UID's occurrences, and a change's event id counts the occurrence's earlier events.
Index("ix_meetings_uid", meetings.c.uid)
Index("ix_events_subject", events.c.subject)

# --- learning records (A6): xAPI statements, what each names, and the course catalog ----------------------------
# A statement is kept as received (with the id, stored time, authority and version the LRS sets); its content hash
# tells an idempotent resend from a conflicting one. IRIs and agent identifiers can be longer than any index takes,
# so what a statement names (its actor and other agents, verb, activities, registration) is indexed by SHA-256 in
# xapi_statement_links; `direct` marks what the plain filters match (the actor or object agent, the object activity),
# the rest is found only with related_agents / related_activities.

xapi_statements = Table(
    "xapi_statements",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("id", String(36), nullable=False),  # the statement's UUID, lowercase
    Column("content_hash", String(64), nullable=False),  # of the parts xAPI compares (no id, stored, timestamp…)
    Column("statement", Json, nullable=False),
    Column("person_id", String(100)),  # the actor resolved to a person when stored; NULL when unknown
    Column("voided", Boolean, nullable=False, default=False),
    Column("stored", UtcDateTime, nullable=False),
    UniqueConstraint("id", name="uq_xapi_statements_id"),
    Index("ix_xapi_statements_stored", "stored", "seq"),
)

xapi_statement_links = Table(
    "xapi_statement_links",
    metadata,
    Column("statement_seq", Integer, ForeignKey("xapi_statements.seq", ondelete="CASCADE"), primary_key=True),
    Column("kind", String(12), primary_key=True),  # agent | verb | activity | registration
    Column("key_hash", String(64), primary_key=True),
    Column("direct", Boolean, nullable=False),
    Index("ix_xapi_statement_links_key", "kind", "key_hash", "statement_seq"),
)

# Learning activities tagged with competencies and levels of the framework version they were checked against.
learning_catalog = Table(
    "learning_catalog",
    metadata,
    Column("activity_key", String(64), primary_key=True),  # SHA-256 of the activity IRI
    Column("activity_id", Text, nullable=False),
    Column("title", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("competencies", Json, nullable=False),
    Column("levels", Json, nullable=False),
    Column("minutes", Integer),
    Column("framework_id", String(100), nullable=False),
    Column("framework_version", String(100), nullable=False),
    Column("source_file", String(300), nullable=False),
    Column("imported_at", UtcDateTime, nullable=False),
)

# --- which framework is in use (A4) --------------------------------------------------------------------------
# One row (slot "current") once an admin chooses; until then the most recently imported framework is used.

framework_in_use = Table(
    "framework_in_use",
    metadata,
    Column("slot", String(20), primary_key=True),
    Column("framework_id", String(100), nullable=False),
    Column("chosen_by", String(100), nullable=False),
    Column("chosen_at", UtcDateTime, nullable=False),
)
