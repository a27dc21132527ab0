"""Feedback and reviews: 360 responses, reviews, check-ins and development plans; skill gaps computed on read.

Rater identity is kept apart: ``feedback_raters`` records who responded about whom (to count raters
and answer data-rights requests); ratings and comments carry no rater id and are written sorted by
content, so a row's position does not link it to a rater either. Nothing derived (means, gaps) is
stored: reports and skill gaps are computed when read.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite

from kairos.domain.feedback import (
    Campaign,
    CheckIn,
    Comment,
    DevelopmentPlan,
    FeedbackReport,
    LevelEvidence,
    PlanAction,
    PlanItem,
    RaterGroup,
    Rating,
    Response,
    Review,
    ReviewGoal,
    Scale,
    Severity,
    anonymized_report,
    current_evidence,
    skill_gap,
    three_sixty_levels,
)
from kairos.domain.framework import Framework
from kairos.store import frameworks as framework_store
from kairos.store.schema import (
    checkins,
    feedback_campaigns,
    feedback_comments,
    feedback_raters,
    feedback_ratings,
    people,
    plan_actions,
    review_ratings,
    reviews,
)

_CHUNK = 500


def _dialect(conn: Connection):  # type: ignore[no-untyped-def]
    return postgresql if conn.dialect.name == "postgresql" else sqlite


def person_statuses(conn: Connection, ids: Iterable[str]) -> dict[str, str]:
    """The stored status (active, leave, terminated) of each of ``ids`` that is a known person."""
    wanted = sorted(set(ids))
    found: dict[str, str] = {}
    for start in range(0, len(wanted), _CHUNK):
        rows = conn.execute(select(people.c.id, people.c.status).where(people.c.id.in_(wanted[start : start + _CHUNK])))
        found.update({r.id: r.status for r in rows})
    return found


# --- 360 campaigns ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StoredCampaign:
    campaign: Campaign
    framework_id: str
    framework_version: str


def get_campaign(conn: Connection, campaign_id: str) -> StoredCampaign | None:
    r = conn.execute(select(feedback_campaigns).where(feedback_campaigns.c.id == campaign_id)).first()
    if r is None:
        return None
    campaign = Campaign(r.id, r.name, r.start_date, r.end_date, Scale(r.scale_min, r.scale_max))
    return StoredCampaign(campaign, r.framework_id, r.framework_version)


def save_responses(
    conn: Connection,
    campaign: Campaign,
    framework_id: str,
    framework_version: str,
    responses: Sequence[Response],
    at: datetime,
) -> list[str]:
    """Store a campaign and its responses: each subject in ``responses`` whose stored responses differ has them
    replaced (so re-importing the same file rewrites nothing). Returns those subjects."""
    values = {
        "name": campaign.name,
        "start_date": campaign.start_date,
        "end_date": campaign.end_date,
        "scale_min": campaign.scale.low,
        "scale_max": campaign.scale.high,
        "framework_id": framework_id,
        "framework_version": framework_version,
        "imported_at": at,
    }
    stmt = _dialect(conn).insert(feedback_campaigns).values(id=campaign.id, **values)
    conn.execute(stmt.on_conflict_do_update(index_elements=["id"], set_=values))
    incoming = _contents(responses)
    changed = sorted(s for s, content in _stored_contents(conn, campaign.id, sorted(incoming)).items()
                     if content != incoming[s])  # fmt: skip
    for table in (feedback_raters, feedback_ratings, feedback_comments):
        for start in range(0, len(changed), _CHUNK):
            conn.execute(
                delete(table).where(
                    table.c.campaign_id == campaign.id, table.c.subject_id.in_(changed[start : start + _CHUNK])
                )
            )
    raters = [(s, *rater) for s in changed for rater in incoming[s][0]]
    ratings = [(s, *rating) for s in changed for rating in incoming[s][1]]
    comments = [(s, *comment) for s in changed for comment in incoming[s][2]]
    if raters:
        conn.execute(
            feedback_raters.insert(),
            [{"campaign_id": campaign.id, "subject_id": s, "rater_id": rid, "rater_group": g} for s, rid, g in raters],
        )
    if ratings:
        conn.execute(
            feedback_ratings.insert(),
            [
                {"campaign_id": campaign.id, "subject_id": s, "competency_id": c, "rater_group": g, "value": v}
                for s, c, g, v in ratings
            ],
        )
    if comments:
        conn.execute(
            feedback_comments.insert(),
            [
                {"campaign_id": campaign.id, "subject_id": s, "competency_id": c or None, "text": t}
                for s, c, t in comments
            ],
        )
    return changed


# a subject's responses as sorted content: raters (id, group), ratings (competency, group, value), comments
_Content = tuple[list[tuple[str, str]], list[tuple[str, str, int]], list[tuple[str, str]]]


def _contents(responses: Sequence[Response]) -> dict[str, _Content]:
    found: dict[str, _Content] = {}
    for r in responses:
        raters, ratings, comments = found.setdefault(r.subject_id, ([], [], []))
        raters.append((r.rater_id, r.group.value))
        ratings.extend((c, r.group.value, v) for c, v in r.ratings)
        comments.extend((c.competency_id or "", c.text) for c in r.comments)
    return {s: (sorted(a), sorted(b), sorted(c)) for s, (a, b, c) in found.items()}


def _stored_contents(conn: Connection, campaign_id: str, subjects: list[str]) -> dict[str, _Content]:
    """What is stored for each of ``subjects`` (empty content for a subject with nothing stored)."""
    found: dict[str, _Content] = {s: ([], [], []) for s in subjects}
    for start in range(0, len(subjects), _CHUNK):
        chunk = subjects[start : start + _CHUNK]
        for r in conn.execute(
            select(feedback_raters).where(
                feedback_raters.c.campaign_id == campaign_id, feedback_raters.c.subject_id.in_(chunk)
            )  # fmt: skip
        ):
            found[r.subject_id][0].append((r.rater_id, r.rater_group))
        for r in conn.execute(
            select(feedback_ratings).where(
                feedback_ratings.c.campaign_id == campaign_id, feedback_ratings.c.subject_id.in_(chunk)
            )  # fmt: skip
        ):
            found[r.subject_id][1].append((r.competency_id, r.rater_group, r.value))
        for r in conn.execute(
            select(feedback_comments).where(
                feedback_comments.c.campaign_id == campaign_id, feedback_comments.c.subject_id.in_(chunk)
            )  # fmt: skip
        ):
            found[r.subject_id][2].append((r.competency_id or "", r.text))
    return {s: (sorted(a), sorted(b), sorted(c)) for s, (a, b, c) in found.items()}


def subject_ratings(conn: Connection, campaign_id: str, subject_id: str) -> list[Rating]:
    rows = conn.execute(
        select(feedback_ratings.c.competency_id, feedback_ratings.c.rater_group, feedback_ratings.c.value).where(
            feedback_ratings.c.campaign_id == campaign_id, feedback_ratings.c.subject_id == subject_id
        )
    )
    return [Rating(r.competency_id, RaterGroup(r.rater_group), r.value) for r in rows]


def respondents(conn: Connection, campaign_id: str, subject_id: str) -> int:
    """How many people other than the subject responded about them in the campaign."""
    query = select(func.count()).where(
        feedback_raters.c.campaign_id == campaign_id,
        feedback_raters.c.subject_id == subject_id,
        feedback_raters.c.rater_group != RaterGroup.SELF.value,
    )
    return int(conn.execute(query).scalar_one())


def report(
    conn: Connection, campaign_id: str, subject_id: str, *, min_raters: int, min_comment_raters: int
) -> FeedbackReport | None:
    """The anonymized 360 report; None when the campaign is unknown or nobody responded about the subject."""
    stored = get_campaign(conn, campaign_id)
    if stored is None:
        return None
    answered = conn.execute(
        select(func.count()).where(
            feedback_raters.c.campaign_id == campaign_id, feedback_raters.c.subject_id == subject_id
        )
    ).scalar_one()
    if not answered:
        return None
    comments = [
        Comment(r.competency_id, r.text)
        for r in conn.execute(
            select(feedback_comments.c.competency_id, feedback_comments.c.text).where(
                feedback_comments.c.campaign_id == campaign_id, feedback_comments.c.subject_id == subject_id
            )
        )
    ]
    return anonymized_report(
        stored.campaign,
        subject_id,
        subject_ratings(conn, campaign_id, subject_id),
        comments,
        respondents(conn, campaign_id, subject_id),
        min_raters=min_raters,
        min_comment_raters=min_comment_raters,
    )


def campaigns_rated_by(conn: Connection, rater_id: str) -> list[tuple[str, str]]:
    """(campaign, subject) pairs a person responded about: for data-rights requests, never for reports."""
    rows = conn.execute(
        select(feedback_raters.c.campaign_id, feedback_raters.c.subject_id)
        .where(feedback_raters.c.rater_id == rater_id)
        .order_by(feedback_raters.c.campaign_id, feedback_raters.c.subject_id)
    )
    return [(r.campaign_id, r.subject_id) for r in rows]


# --- performance reviews -------------------------------------------------------------------------------


def save_reviews(conn: Connection, batch: Sequence[Review], at: datetime) -> None:
    """Insert or replace reviews (identified by person and review date) with their ratings."""
    for review in batch:
        values = {
            "reviewer_id": review.reviewer_id,
            "summary": review.summary,
            "framework_id": review.framework_id,
            "framework_version": review.framework_version,
            "imported_at": at,
        }
        stmt = (
            _dialect(conn).insert(reviews).values(person_id=review.person_id, review_date=review.review_date, **values)
        )
        conn.execute(stmt.on_conflict_do_update(index_elements=["person_id", "review_date"], set_=values))
        review_id = conn.execute(
            select(reviews.c.id).where(
                reviews.c.person_id == review.person_id, reviews.c.review_date == review.review_date
            )
        ).scalar_one()
        conn.execute(delete(review_ratings).where(review_ratings.c.review_id == review_id))
        if review.ratings:
            conn.execute(
                review_ratings.insert(),
                [{"review_id": review_id, "competency_id": c, "level": lv} for c, lv in review.ratings],
            )


def reviews_for(conn: Connection, person_id: str) -> list[Review]:
    """The person's reviews, the latest first (goals are in the goals store, so they come back empty here)."""
    rows = conn.execute(
        select(reviews).where(reviews.c.person_id == person_id).order_by(reviews.c.review_date.desc())
    ).all()
    found = []
    for r in rows:
        levels = conn.execute(
            select(review_ratings.c.competency_id, review_ratings.c.level)
            .where(review_ratings.c.review_id == r.id)
            .order_by(review_ratings.c.competency_id)
        )
        found.append(
            Review(
                person_id=r.person_id,
                reviewer_id=r.reviewer_id,
                review_date=r.review_date,
                summary=r.summary,
                ratings=tuple((lv.competency_id, lv.level) for lv in levels),
                goals=tuple[ReviewGoal, ...](),
                framework_id=r.framework_id,
                framework_version=r.framework_version,
            )
        )
    return found


# --- check-ins -------------------------------------------------------------------------------------------


def save_checkins(conn: Connection, batch: Sequence[CheckIn], at: datetime) -> None:
    if not batch:
        return
    rows = [
        {
            "person_id": c.person_id,
            "checkin_date": c.checkin_date,
            "competency_id": c.competency_id,
            "severity": c.severity.value,
            "note": c.note,
            "framework_id": c.framework_id,
            "framework_version": c.framework_version,
            "imported_at": at,
        }
        for c in batch
    ]
    stmt = _dialect(conn).insert(checkins)
    stmt = stmt.on_conflict_do_update(
        index_elements=["person_id", "checkin_date", "competency_id"],
        set_={k: stmt.excluded[k] for k in ("severity", "note", "framework_id", "framework_version", "imported_at")},
    )
    conn.execute(stmt, rows)


def checkins_for(conn: Connection, person_id: str) -> list[CheckIn]:
    """The person's check-ins, the latest first."""
    rows = conn.execute(
        select(checkins)
        .where(checkins.c.person_id == person_id)
        .order_by(checkins.c.checkin_date.desc(), checkins.c.competency_id)
    )
    return [
        CheckIn(
            r.person_id,
            r.checkin_date,
            r.competency_id,
            Severity(r.severity),
            r.note,
            r.framework_id,
            r.framework_version,
        )  # fmt: skip
        for r in rows
    ]


# --- individual development plans --------------------------------------------------------------------------


def replace_plans(conn: Connection, plans: Sequence[DevelopmentPlan], at: datetime) -> None:
    """Store each person's plan, replacing whatever plan they had."""
    persons = sorted({p.person_id for p in plans})
    for start in range(0, len(persons), _CHUNK):
        conn.execute(delete(plan_actions).where(plan_actions.c.person_id.in_(persons[start : start + _CHUNK])))
    rows = []
    for plan in plans:
        position = 0
        for item in plan.items:
            for action in item.actions:
                position += 1
                rows.append(
                    {
                        "person_id": plan.person_id,
                        "competency_id": item.competency_id,
                        "target_level": item.target_level,
                        "position": position,
                        "action": action.text,
                        "due_date": action.due_date,
                        "framework_id": plan.framework_id,
                        "framework_version": plan.framework_version,
                        "updated_at": at,
                    }
                )
    if rows:
        conn.execute(plan_actions.insert(), rows)


def plan_for(conn: Connection, person_id: str) -> DevelopmentPlan | None:
    rows = conn.execute(
        select(plan_actions).where(plan_actions.c.person_id == person_id).order_by(plan_actions.c.position)
    ).all()
    if not rows:
        return None
    items: dict[str, tuple[int, list[PlanAction]]] = {}
    for r in rows:
        items.setdefault(r.competency_id, (r.target_level, []))[1].append(PlanAction(r.action, r.due_date))
    return DevelopmentPlan(
        person_id=person_id,
        items=tuple(PlanItem(c, level, tuple(actions)) for c, (level, actions) in items.items()),
        framework_id=rows[0].framework_id,
        framework_version=rows[0].framework_version,
    )


# --- skill gap: computed on read ------------------------------------------------------------------------


def latest_review_evidence(conn: Connection, person_id: str, competency_id: str) -> LevelEvidence | None:
    """The level the person's latest review that rated the competency gave."""
    r = conn.execute(
        select(reviews.c.review_date, review_ratings.c.level)
        .join(review_ratings, review_ratings.c.review_id == reviews.c.id)
        .where(reviews.c.person_id == person_id, review_ratings.c.competency_id == competency_id)
        .order_by(reviews.c.review_date.desc())
        .limit(1)
    ).first()
    return LevelEvidence("review", r.review_date, (r.level,)) if r else None


def latest_three_sixty_evidence(
    conn: Connection, person_id: str, competency_id: str, *, levels: int, min_raters: int
) -> LevelEvidence | None:
    """The manager's and the shown non-self groups' ratings from the latest campaign (by end date) rating the
    competency on a scale from 1 to the competency's ``levels``: only then is a rating a level."""
    campaigns = conn.execute(
        select(feedback_campaigns.c.id, feedback_campaigns.c.end_date)
        .where(
            feedback_campaigns.c.scale_min == 1,
            feedback_campaigns.c.scale_max == levels,
            feedback_campaigns.c.id.in_(
                select(feedback_ratings.c.campaign_id).where(
                    feedback_ratings.c.subject_id == person_id, feedback_ratings.c.competency_id == competency_id
                )
            ),
        )
        .order_by(feedback_campaigns.c.end_date.desc(), feedback_campaigns.c.id)
    ).all()
    for campaign in campaigns:
        found = three_sixty_levels(subject_ratings(conn, campaign.id, person_id), competency_id, min_raters)
        if found:
            return LevelEvidence("360", campaign.end_date, found)
    return None


def skill_gap_for(
    conn: Connection, person_id: str, competency_id: str, expected_level: int | None, *, min_raters: int
) -> int | None:
    """The person's gap to ``expected_level`` (the role benchmark) on the competency, from the current evidence.

    Evidence: the latest review rating of the competency, unless a 360 campaign on the level scale
    ended strictly later; then the mean of its manager and shown peer, direct-report and others ratings.
    """
    framework = framework_store.latest(conn)
    competency = framework.competency(competency_id) if framework else None
    review = latest_review_evidence(conn, person_id, competency_id)
    three_sixty = (
        latest_three_sixty_evidence(
            conn, person_id, competency_id, levels=len(competency.levels), min_raters=min_raters
        )  # fmt: skip
        if competency is not None
        else None
    )
    return skill_gap(expected_level, current_evidence(review, three_sixty))


def level_history(
    conn: Connection, framework: Framework, competency_ids: Iterable[str], person_ids: Sequence[str], *, min_raters: int
) -> dict[tuple[str, str], list[tuple[date, int, str]]]:
    """Every dated level observation per (person, competency): each review rating, and each 360 campaign on the
    competency's level scale (the shown non-self ratings' mean, rounded as ``skill_gap`` rounds)."""
    wanted = [c for c in dict.fromkeys(competency_ids) if framework.competency(c) is not None]
    found: dict[tuple[str, str], list[tuple[date, int, str]]] = {}
    people = set(person_ids)
    if not wanted or not people:
        return found
    for r in conn.execute(
        select(reviews.c.person_id, reviews.c.review_date, review_ratings.c.competency_id, review_ratings.c.level)
        .join(review_ratings, review_ratings.c.review_id == reviews.c.id)
        .where(review_ratings.c.competency_id.in_(wanted), review_ratings.c.level.is_not(None))
    ):
        if r.person_id in people:
            found.setdefault((r.person_id, r.competency_id), []).append((r.review_date, r.level, "review"))
    for cid in wanted:
        levels = len(framework.competency(cid).levels)  # type: ignore[union-attr]
        campaigns = conn.execute(
            select(feedback_campaigns.c.id, feedback_campaigns.c.end_date).where(
                feedback_campaigns.c.scale_min == 1, feedback_campaigns.c.scale_max == levels
            )
        ).all()
        for campaign in campaigns:
            subjects = conn.execute(
                select(feedback_ratings.c.subject_id)
                .distinct()
                .where(feedback_ratings.c.campaign_id == campaign.id, feedback_ratings.c.competency_id == cid)
            ).scalars()
            for subject in subjects:
                if subject not in people:
                    continue
                shown = three_sixty_levels(subject_ratings(conn, campaign.id, subject), cid, min_raters)
                if shown:
                    mean = (2 * sum(shown) + len(shown) - 1) // (2 * len(shown))
                    found.setdefault((subject, cid), []).append((campaign.end_date, mean, "360"))
    return found


def latest_campaign_about(conn: Connection, person_id: str, competency_id: str) -> str | None:
    """The id of the latest campaign (by end date) with ratings of the person on the competency."""
    row = conn.execute(
        select(feedback_campaigns.c.id)
        .join(feedback_ratings, feedback_ratings.c.campaign_id == feedback_campaigns.c.id)
        .where(feedback_ratings.c.subject_id == person_id, feedback_ratings.c.competency_id == competency_id)
        .order_by(feedback_campaigns.c.end_date.desc(), feedback_campaigns.c.id)
        .limit(1)
    ).first()
    return row.id if row else None
