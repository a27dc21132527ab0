"""Performance reviews: ratings as evidence of level, a summary, and goals that become development goals."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from kairos.errors import InputError, Problem
from kairos.ingest.goals import import_goals
from kairos.ingest.reviews import import_reviews
from kairos.store import Database
from kairos.store import feedback as feedback_store
from kairos.store import goals as goal_store
from kairos.store.schema import events, goals, review_ratings, reviews
from tests.unit.test_feedback_three_sixty import build_org

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
HEADER = "person_id,reviewer_id,review_date,competency_id,rating,target_level,goal,summary"
SUMMARY = "p1,m1,2026-02-10,,,,,A good year; next: more written decisions."
RATED = "p1,m1,2026-02-10,giving-feedback,2,3,Give specific feedback within a day.,"
WRITING = "p1,m1,2026-02-10,clear-writing,3,,,"


@pytest.fixture
def org(db: Database, tmp_path: Path) -> Database:
    return build_org(db, tmp_path)


def csv_file(tmp_path: Path, *rows: str, name: str = "reviews.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def rejected(db: Database, path: Path) -> list[Problem]:
    with pytest.raises(InputError) as caught:
        import_reviews(db, path, now=NOW)
    return caught.value.problems


def stored(db: Database) -> list[list[tuple[object, ...]]]:
    with db.transaction() as conn:
        return [[tuple(r) for r in conn.execute(select(t))] for t in (reviews, review_ratings, goals, events)]


def test_a_review_is_stored_with_its_ratings_summary_and_a_review_completed_event(
    org: Database, tmp_path: Path
) -> None:
    result = import_reviews(org, csv_file(tmp_path, SUMMARY, RATED, WRITING), now=NOW)

    with org.transaction() as conn:
        (review,) = feedback_store.reviews_for(conn, "p1")
        (event,) = conn.execute(select(events).where(events.c.type == "review.completed")).all()
    assert result.records == 1
    assert (review.reviewer_id, review.review_date, review.summary) == (
        "m1", date(2026, 2, 10), "A good year; next: more written decisions."
    )  # fmt: skip
    assert review.ratings == (("clear-writing", 3), ("giving-feedback", 2))
    assert (event.subject, event.time) == ("p1", datetime(2026, 2, 10, tzinfo=UTC))
    assert event.data == {
        "reviewer_id": "m1",
        "review_date": "2026-02-10",
        "ratings": {"clear-writing": 3, "giving-feedback": 2},
        "goals": ["giving-feedback"],
        "framework": "acme@2026.1",
    }
    assert "summary" not in event.data


def test_review_goals_become_development_goals_with_the_goal_set_event_a_goals_file_records(
    org: Database, tmp_path: Path
) -> None:
    import_reviews(org, csv_file(tmp_path, RATED), now=NOW)
    goals_csv = tmp_path / "goals.csv"
    goals_csv.write_text(
        "person_id,competency_id,target_level,goal,review_date\n"
        "p1,giving-feedback,3,Give specific feedback within a day.,2026-02-10\n",
        encoding="utf-8",
    )
    import_goals(org, goals_csv, now=NOW)

    with org.transaction() as conn:
        (goal,) = goal_store.active_for(conn, "p1")
        goal_set = conn.execute(select(events).where(events.c.type == "goal.set").order_by(events.c.seq)).all()
    assert (goal.competency_id, goal.target_level, goal.framework_id, goal.framework_version) == (
        "giving-feedback", 3, "acme", "2026.1"
    )  # fmt: skip
    from_review, from_goals_file = goal_set
    assert (from_review.id, from_review.subject, from_review.time, from_review.data) == (
        from_goals_file.id, from_goals_file.subject, from_goals_file.time, from_goals_file.data
    )  # fmt: skip
    assert from_review.source == "kairos/reviews/reviews.csv"


def test_reviews_from_json_are_stored_like_csv(org: Database, tmp_path: Path) -> None:
    path = tmp_path / "reviews.json"
    path.write_text(json.dumps({"reviews": [
        {"person_id": "p1", "reviewer_id": "m1", "review_date": "2026-02-10", "competency_id": "giving-feedback",
         "rating": 2, "target_level": 3, "goal": "Give specific feedback.", "summary": "Fine."},
    ]}), encoding="utf-8")  # fmt: skip

    import_reviews(org, path, now=NOW)

    with org.transaction() as conn:
        assert feedback_store.reviews_for(conn, "p1")[0].ratings == (("giving-feedback", 2),)
        assert goal_store.active_for(conn, "p1")[0].text == "Give specific feedback."


def test_importing_the_same_reviews_twice_adds_nothing(org: Database, tmp_path: Path) -> None:
    path = csv_file(tmp_path, SUMMARY, RATED)
    import_reviews(org, path, now=NOW)
    before = stored(org)

    assert import_reviews(org, path, now=NOW).events == 0

    after = stored(org)
    assert after[1:] == before[1:]
    assert [r[:5] for r in after[0]] == [r[:5] for r in before[0]]


def test_a_corrected_review_replaces_its_ratings(org: Database, tmp_path: Path) -> None:
    import_reviews(org, csv_file(tmp_path, RATED, WRITING), now=NOW)

    import_reviews(org, csv_file(tmp_path, RATED.replace(",2,3,", ",3,3,"), name="fixed.csv"), now=NOW)

    with org.transaction() as conn:
        assert feedback_store.reviews_for(conn, "p1")[0].ratings == (("giving-feedback", 3),)


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ("ghost,m1,2026-02-10,giving-feedback,2,,,", "person_id"),
        ("gone,m1,2026-02-10,giving-feedback,2,,,", "person_id"),
        ("p1,ghost,2026-02-10,giving-feedback,2,,,", "reviewer_id"),
        ("p1,p1,2026-02-10,giving-feedback,2,,,", "reviewer_id"),
        ("p1,m1,10/02/2026,giving-feedback,2,,,", "review_date"),
        ("p1,m1,2026-02-10,juggling,2,,,", "competency_id"),
        ("p1,m1,2026-02-10,giving-feedback,4,,,", "rating"),
        ("p1,m1,2026-02-10,giving-feedback,,9,Aim high.,", "target_level"),
        ("p1,m1,2026-02-10,giving-feedback,,3,,", "goal"),
        ("p1,m1,2026-02-10,giving-feedback,,,A goal without a level.,", "target_level"),
        ("p1,m1,2026-02-10,giving-feedback,,,,", "rating"),
        ("p1,m1,2026-02-10,,2,,,", "competency_id"),
    ],
)
def test_a_bad_row_names_the_row_and_field_and_nothing_is_stored(
    org: Database, tmp_path: Path, row: str, field: str
) -> None:
    before = stored(org)

    problems = rejected(org, csv_file(tmp_path, WRITING, row))

    assert [(p.row, p.field) for p in problems] == [(3, field)]
    assert stored(org) == before


def test_a_review_has_one_reviewer_one_summary_and_one_row_per_competency(org: Database, tmp_path: Path) -> None:
    problems = rejected(
        org,
        csv_file(
            tmp_path,
            SUMMARY,
            RATED,
            "p1,r1,2026-02-10,clear-writing,3,,,",
            "p1,m1,2026-02-10,,,,,Another summary.",
            RATED.replace("within a day", "soon"),
        ),
    )

    assert [(p.row, p.field) for p in problems] == [(4, "reviewer_id"), (5, "summary"), (6, "competency_id")]
    assert "row 3" in problems[2].expected


def test_reviews_need_a_framework_imported_first(db: Database, tmp_path: Path) -> None:
    (problem,) = rejected(db, csv_file(tmp_path, RATED))

    assert "framework imported first" in problem.expected
