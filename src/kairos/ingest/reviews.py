"""Performance reviews, as CSV or JSON (``docs/formats/reviews.md``).

One row per competency the review speaks about: its rating (evidence of the current level), a
goal agreed on it, or both. The rows sharing a person and review date are one review. Goals are
stored as development goals through the goals store, citing the latest framework version, with
the same ``goal.set`` events goal files record; every review records one ``review.completed``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from kairos.domain.event import Event, EventType, content_id
from kairos.domain.feedback import Review, ReviewGoal
from kairos.domain.framework import Framework
from kairos.domain.goal import DevelopmentGoal
from kairos.ingest.base import Problems, read_text
from kairos.ingest.feedback import (
    ImportResult,
    Record,
    check_competency,
    check_date,
    check_level,
    check_person,
    day_start,
    goal_set_event,
    read_records,
    require_framework,
)
from kairos.store import Database
from kairos.store import events as event_log
from kairos.store import feedback as feedback_store
from kairos.store import frameworks as framework_store
from kairos.store import goals as goal_store

COLUMNS = ("person_id", "reviewer_id", "review_date", "competency_id")
OPTIONAL_COLUMNS = ("rating", "target_level", "goal", "summary")


@dataclass
class _Draft:
    row: int
    reviewer: str
    summary: str = ""
    summary_row: int = 0
    ratings: list[tuple[str, int]] = field(default_factory=list)
    goals: list[ReviewGoal] = field(default_factory=list)


def read_review_text(text: str, file: str, *, max_chars: int = 2000) -> tuple[list[Record], Problems]:
    problems = Problems(file)
    records = read_records(text, file, problems, what="review line", key="reviews", required=COLUMNS,
                           optional=OPTIONAL_COLUMNS, max_chars=max_chars)  # fmt: skip
    return records, problems


def validate_reviews(
    records: list[Record], problems: Problems, framework: Framework | None, statuses: dict[str, str]
) -> list[Review]:
    """Every row checked; rows of the same person and review date are gathered into one review."""
    fw = require_framework(framework, problems.file)
    first_row: dict[tuple[str, date, str], int] = {}
    reviews: dict[tuple[str, date], _Draft] = {}
    for row, v in records:
        before = len(problems.items)
        person = check_person(v["person_id"], statuses, problems, row=row, field="person_id")
        reviewer = check_person(v["reviewer_id"], statuses, problems, row=row, field="reviewer_id")
        if person and reviewer and person == reviewer:
            problems.add("a reviewer other than the person reviewed", row=row, field="reviewer_id", value=reviewer)
        when = check_date(v["review_date"], problems, row=row, field="review_date")
        competency_id = v["competency_id"]
        rating_text, level_text, goal = v.get("rating", ""), v.get("target_level", ""), v.get("goal", "")
        competency = None
        if competency_id:
            competency = check_competency(competency_id, fw, problems, row=row)
            if not (rating_text or level_text or goal):
                problems.add("a rating, a goal with its target level, or both", row=row, field="rating", value="")
        elif rating_text or level_text or goal:
            problems.add("the competency the rating or goal is about", row=row, field="competency_id", value="")
        rating = check_level(rating_text, competency, problems, row=row, field="rating") if rating_text else None
        target = check_level(level_text, competency, problems, row=row, field="target_level") if level_text else None
        if goal and not level_text:
            problems.add("the goal's target level", row=row, field="target_level", value="")
        if level_text and not goal:
            problems.add("the goal's text", row=row, field="goal", value="")
        if len(problems.items) > before or person is None or reviewer is None or when is None:
            continue
        review = reviews.setdefault((person, when), _Draft(row, reviewer))
        if review.reviewer != reviewer:
            problems.add(f"the same reviewer on every row of a review ({review.reviewer} on row {review.row})",
                         row=row, field="reviewer_id", value=reviewer)  # fmt: skip
            continue
        summary = v.get("summary", "")
        if summary and review.summary and summary != review.summary:
            problems.add(f"one summary per review (a different one is on row {review.summary_row})", row=row,
                         field="summary", value=summary)  # fmt: skip
            continue
        if summary and not review.summary:
            review.summary, review.summary_row = summary, row
        if competency_id:
            key = (person, when, competency_id)
            if key in first_row:
                problems.add(f"one row per competency in a review (also on row {first_row[key]})", row=row,
                             field="competency_id", value=competency_id)  # fmt: skip
                continue
            first_row[key] = row
        if rating is not None:
            review.ratings.append((competency_id, rating))
        if target is not None:
            review.goals.append(ReviewGoal(competency_id, target, goal))
    if not records:
        problems.add("at least one review row")
    problems.raise_if_any()
    return [
        Review(
            person_id=person,
            reviewer_id=r.reviewer,
            review_date=when,
            summary=r.summary,
            ratings=tuple(r.ratings),
            goals=tuple(r.goals),
            framework_id=fw.id,
            framework_version=fw.version,
        )
        for (person, when), r in reviews.items()
    ]


def parse_reviews_text(
    text: str, file: str, framework: Framework | None, statuses: dict[str, str], *, max_chars: int = 2000
) -> list[Review]:
    records, problems = read_review_text(text, file, max_chars=max_chars)
    return validate_reviews(records, problems, framework, statuses)


def review_goals(review: Review) -> list[DevelopmentGoal]:
    """The review's goals as development goals, citing the framework version the review was checked against."""
    return [
        DevelopmentGoal(
            person_id=review.person_id,
            competency_id=g.competency_id,
            target_level=g.target_level,
            text=g.text,
            review_date=review.review_date,
            framework_id=review.framework_id,
            framework_version=review.framework_version,
        )
        for g in review.goals
    ]


def review_event(review: Review, source: str) -> Event:
    ratings = sorted(review.ratings)
    goals = sorted((g.competency_id, g.target_level, g.text) for g in review.goals)
    return Event(
        id=content_id(review.person_id, review.review_date, review.reviewer_id, ratings, goals, review.summary),
        source=source,
        type=EventType.REVIEW_COMPLETED,
        subject=review.person_id,
        time=day_start(review.review_date),
        data={
            "reviewer_id": review.reviewer_id,
            "review_date": review.review_date.isoformat(),
            "ratings": dict(ratings),
            "goals": [c for c, _, _ in goals],
            "framework": f"{review.framework_id}@{review.framework_version}",
        },
    )


def import_reviews(db: Database, path: Path | str, *, now: datetime, max_chars: int = 2000) -> ImportResult:
    """Validate every review, then store reviews, their goals and the events, in one transaction."""
    file = str(path)
    records, problems = read_review_text(read_text(path), file, max_chars=max_chars)
    ids = {v[k] for _, v in records for k in ("person_id", "reviewer_id") if v[k]}
    source = f"kairos/reviews/{Path(file).name}"
    with db.transaction() as conn:
        found = validate_reviews(
            records, problems, framework_store.latest(conn), feedback_store.person_statuses(conn, ids)
        )
        feedback_store.save_reviews(conn, found, now)
        goals = [g for review in found for g in review_goals(review)]
        goal_store.save(conn, goals, now)
        new = [review_event(review, source) for review in found] + [goal_set_event(g, source) for g in goals]
        return ImportResult(records=len(found), events=event_log.append(conn, new, now))
