"""Skill gaps and 360 reports are computed when read, from stored reviews and campaigns; nothing derived is stored."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from kairos.ingest.reviews import import_reviews
from kairos.ingest.three_sixty import import_three_sixty
from kairos.store import Database
from kairos.store import feedback as feedback_store
from tests.unit.test_feedback_three_sixty import CAMPAIGN_BLOCK, build_org, campaign_csv

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
REVIEW_HEADER = "person_id,reviewer_id,review_date,competency_id,rating,target_level,goal,summary"
# clear-writing has four levels: a 1–4 campaign rates on the level scale, a 1–5 one does not
LEVEL_SCALE = CAMPAIGN_BLOCK.replace("scale_max,5", "scale_max,4")


@pytest.fixture
def org(db: Database, tmp_path: Path) -> Database:
    return build_org(db, tmp_path)


def review(db: Database, tmp_path: Path, when: str, level: int) -> None:
    path = tmp_path / f"review-{when}.csv"
    path.write_text(f"{REVIEW_HEADER}\np1,m1,{when},clear-writing,{level},,,\n", encoding="utf-8")
    import_reviews(db, path, now=NOW)


def campaign(db: Database, tmp_path: Path, block: str, *rows: str) -> None:
    import_three_sixty(db, campaign_csv(tmp_path, *rows, block=block, name="c.csv"), now=NOW)


def gap(db: Database, expected: int | None) -> int | None:
    with db.transaction() as conn:
        return feedback_store.skill_gap_for(conn, "p1", "clear-writing", expected, min_raters=3)


RATINGS = [
    "p1,p1,self,clear-writing,4,",  # self never counts
    "p1,m1,manager,clear-writing,3,",
    "p1,r1,peer,clear-writing,4,",
    "p1,r2,peer,clear-writing,4,",
    "p1,r3,peer,clear-writing,3,",
    "p1,r4,direct_report,clear-writing,1,",  # a direct-report group of one: withheld, never counts
]


def test_the_gap_comes_from_the_latest_review_rating(org: Database, tmp_path: Path) -> None:
    review(org, tmp_path, "2025-08-01", 1)
    review(org, tmp_path, "2026-01-15", 2)

    assert gap(org, 4) == 2
    assert gap(org, None) is None


def test_a_newer_360_on_the_level_scale_replaces_the_review_with_its_manager_and_shown_groups_mean(
    org: Database, tmp_path: Path
) -> None:
    review(org, tmp_path, "2026-01-15", 1)
    campaign(org, tmp_path, LEVEL_SCALE, *RATINGS)  # ends 2026-02-20; manager 3, peers 4 4 3: mean 3.5 → 3

    assert gap(org, 4) == 1


def test_a_360_older_than_the_review_or_not_on_the_level_scale_is_not_evidence(org: Database, tmp_path: Path) -> None:
    review(org, tmp_path, "2026-01-15", 1)
    campaign(org, tmp_path, CAMPAIGN_BLOCK, *RATINGS)  # a 1–5 scale is not a level
    assert gap(org, 4) == 3

    review(org, tmp_path, "2026-02-25", 2)
    campaign(org, tmp_path, LEVEL_SCALE.replace("spring-2026", "older"), *RATINGS)
    assert gap(org, 4) == 2


def test_no_evidence_means_no_gap(org: Database) -> None:
    assert gap(org, 3) is None


def test_comments_count_only_people_other_than_the_subject(org: Database, tmp_path: Path) -> None:
    rows = ["p1,p1,self,,,My own view."] + [f"p1,r{n},peer,clear-writing,3,Comment {n}" for n in range(1, 10)]
    campaign(org, tmp_path, CAMPAIGN_BLOCK, *rows)

    with org.transaction() as conn:
        nine = feedback_store.report(conn, "spring-2026", "p1", min_raters=3, min_comment_raters=10)
        assert feedback_store.respondents(conn, "spring-2026", "p1") == 9
        ten_needed_nine = feedback_store.report(conn, "spring-2026", "p1", min_raters=3, min_comment_raters=9)
    assert nine is not None and not nine.comments_shown
    assert ten_needed_nine is not None and len(ten_needed_nine.comments) == 10


def test_a_report_names_no_rater(org: Database, tmp_path: Path) -> None:
    campaign(org, tmp_path, CAMPAIGN_BLOCK, *RATINGS)

    with org.transaction() as conn:
        found = feedback_store.report(conn, "spring-2026", "p1", min_raters=3, min_comment_raters=2)
    assert found is not None
    text = str(found.as_dict())
    assert not any(f"'{rid}'" in text for rid in ("m1", "r1", "r2", "r3", "r4"))
    assert found.competencies[0].withheld == ("direct_report",)


def test_there_is_no_report_for_an_unknown_campaign_or_a_person_nobody_rated(org: Database, tmp_path: Path) -> None:
    campaign(org, tmp_path, CAMPAIGN_BLOCK, *RATINGS)

    with org.transaction() as conn:
        assert feedback_store.report(conn, "nope", "p1", min_raters=3, min_comment_raters=10) is None
        assert feedback_store.report(conn, "spring-2026", "r1", min_raters=3, min_comment_raters=10) is None
        assert feedback_store.campaigns_rated_by(conn, "r1") == [("spring-2026", "p1")]
