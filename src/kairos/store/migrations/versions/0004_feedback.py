"""Feedback and reviews: 360 campaigns (raters kept apart from ratings and comments), reviews, check-ins, plans.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feedback_campaigns",
        sa.Column("id", sa.String(100), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("scale_min", sa.Integer(), nullable=False),
        sa.Column("scale_max", sa.Integer(), nullable=False),
        sa.Column("framework_id", sa.String(100), nullable=False),
        sa.Column("framework_version", sa.String(100), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_feedback_campaigns"),
    )
    op.create_table(
        "feedback_raters",
        sa.Column("campaign_id", sa.String(100), nullable=False),
        sa.Column("subject_id", sa.String(100), nullable=False),
        sa.Column("rater_id", sa.String(100), nullable=False),
        sa.Column("rater_group", sa.String(20), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["feedback_campaigns.id"],
            name="fk_feedback_raters_campaign_id_feedback_campaigns",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("campaign_id", "subject_id", "rater_id", name="pk_feedback_raters"),
    )
    op.create_index("ix_feedback_raters_rater_id", "feedback_raters", ["rater_id"])
    op.create_table(
        "feedback_ratings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("campaign_id", sa.String(100), nullable=False),
        sa.Column("subject_id", sa.String(100), nullable=False),
        sa.Column("rater_group", sa.String(20), nullable=False),
        sa.Column("competency_id", sa.String(100), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["feedback_campaigns.id"],
            name="fk_feedback_ratings_campaign_id_feedback_campaigns",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_feedback_ratings"),
    )
    op.create_index("ix_feedback_ratings_campaign_subject", "feedback_ratings", ["campaign_id", "subject_id"])
    op.create_index("ix_feedback_ratings_subject_competency", "feedback_ratings", ["subject_id", "competency_id"])
    op.create_table(
        "feedback_comments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("campaign_id", sa.String(100), nullable=False),
        sa.Column("subject_id", sa.String(100), nullable=False),
        sa.Column("competency_id", sa.String(100), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["feedback_campaigns.id"],
            name="fk_feedback_comments_campaign_id_feedback_campaigns",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_feedback_comments"),
    )
    op.create_index("ix_feedback_comments_campaign_subject", "feedback_comments", ["campaign_id", "subject_id"])
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("person_id", sa.String(100), nullable=False),
        sa.Column("reviewer_id", sa.String(100), nullable=False),
        sa.Column("review_date", sa.Date(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("framework_id", sa.String(100), nullable=False),
        sa.Column("framework_version", sa.String(100), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_reviews"),
        sa.UniqueConstraint("person_id", "review_date", name="uq_reviews_person_date"),
    )
    op.create_table(
        "review_ratings",
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("competency_id", sa.String(100), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["review_id"], ["reviews.id"], name="fk_review_ratings_review_id_reviews", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("review_id", "competency_id", name="pk_review_ratings"),
    )
    op.create_table(
        "checkins",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("person_id", sa.String(100), nullable=False),
        sa.Column("checkin_date", sa.Date(), nullable=False),
        sa.Column("competency_id", sa.String(100), nullable=False),
        sa.Column("severity", sa.String(10), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("framework_id", sa.String(100), nullable=False),
        sa.Column("framework_version", sa.String(100), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_checkins"),
        sa.UniqueConstraint("person_id", "checkin_date", "competency_id", name="uq_checkins_person_date_competency"),
    )
    op.create_table(
        "plan_actions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("person_id", sa.String(100), nullable=False),
        sa.Column("competency_id", sa.String(100), nullable=False),
        sa.Column("target_level", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("framework_id", sa.String(100), nullable=False),
        sa.Column("framework_version", sa.String(100), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_plan_actions"),
        sa.UniqueConstraint("person_id", "position", name="uq_plan_actions_person_position"),
    )


def downgrade() -> None:
    op.drop_table("plan_actions")
    op.drop_table("checkins")
    op.drop_table("review_ratings")
    op.drop_table("reviews")
    op.drop_index("ix_feedback_comments_campaign_subject", table_name="feedback_comments")
    op.drop_table("feedback_comments")
    op.drop_index("ix_feedback_ratings_subject_competency", table_name="feedback_ratings")
    op.drop_index("ix_feedback_ratings_campaign_subject", table_name="feedback_ratings")
    op.drop_table("feedback_ratings")
    op.drop_index("ix_feedback_raters_rater_id", table_name="feedback_raters")
    op.drop_table("feedback_raters")
    op.drop_table("feedback_campaigns")
