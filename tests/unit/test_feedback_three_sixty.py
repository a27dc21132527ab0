"""360 campaigns: a whole file checked against people and the framework, stored with rater identity kept apart."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from kairos.errors import InputError, Problem
from kairos.ingest.framework import import_framework
from kairos.ingest.people import import_people
from kairos.ingest.three_sixty import import_three_sixty
from kairos.store import Database
from kairos.store import feedback as feedback_store
from kairos.store.schema import events, feedback_campaigns, feedback_comments, feedback_raters, feedback_ratings
from tests.factories import FRAMEWORK_YAML, HEADER, people_csv

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
# a second competency with four levels
FOUR_LEVELS = """\
  - id: clear-writing
    name: Clear writing
    definition: Writes so the reader can act without a meeting.
    levels:
""" + "".join(f'      - level: {n}\n        name: L{n}\n        anchors: ["Writes {n}."]\n' for n in (1, 2, 3, 4))
PEOPLE = ["m1", "p1", *(f"r{n}" for n in range(1, 13))]
CAMPAIGN_BLOCK = """\
campaign_id,spring-2026
campaign_name,Spring 2026 360
start_date,2026-02-01
end_date,2026-02-20
scale_min,1
scale_max,5

subject_id,rater_id,rater_group,competency_id,rating,comment
"""
TABLE_OFFSET = 8  # the responses table's header is row 8 of such a file


def build_org(db: Database, tmp_path: Path) -> Database:
    rows = [
        f"{pid},Person {pid},{pid}@example.com,{'' if pid == 'm1' else 'm1'},Engineer,IC2,Core,Berlin,"
        f"Europe/Berlin,2022-01-10,active"
        for pid in PEOPLE
    ]
    gone = "gone,Gone Person,gone@example.com,m1,Engineer,IC2,Core,Berlin,Europe/Berlin,2022-01-10"
    header = HEADER + ",status"
    import_people(db, people_csv(tmp_path / "p0.csv", [*rows, gone + ",active"], header=header),
                  as_of=date(2026, 2, 1), now=NOW)  # fmt: skip
    import_people(db, people_csv(tmp_path / "p1.csv", [*rows, gone + ",terminated"], header=header),
                  as_of=date(2026, 3, 1), now=NOW)  # fmt: skip
    framework = tmp_path / "framework.yaml"
    framework.write_text(FRAMEWORK_YAML + FOUR_LEVELS, encoding="utf-8")
    import_framework(db, framework, now=NOW)
    return db


@pytest.fixture
def org(db: Database, tmp_path: Path) -> Database:
    return build_org(db, tmp_path)


def campaign_csv(tmp_path: Path, *rows: str, block: str = CAMPAIGN_BLOCK, name: str = "360.csv") -> Path:
    path = tmp_path / name
    path.write_text(block + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def full_rows(subject: str = "p1", peers: int = 3, reports: int = 0, competency: str = "giving-feedback") -> list[str]:
    """Self, manager, ``peers`` peers and ``reports`` direct reports rating one competency."""
    rows = [f"{subject},{subject},self,{competency},3,", f"{subject},m1,manager,{competency},4,"]
    rows += [f"{subject},r{n},peer,{competency},{1 + n % 5},Peer comment {n}" for n in range(1, peers + 1)]
    rows += [f"{subject},r{n},direct_report,{competency},2," for n in range(peers + 1, peers + reports + 1)]
    return rows


def rejected(db: Database, path: Path) -> list[Problem]:
    with pytest.raises(InputError) as caught:
        import_three_sixty(db, path, now=NOW)
    assert all(p.file == str(path) for p in caught.value.problems)
    return caught.value.problems


def stored(db: Database) -> list[list[tuple[object, ...]]]:
    with db.transaction() as conn:
        return [
            [tuple(r) for r in conn.execute(select(t))]
            for t in (feedback_campaigns, feedback_raters, feedback_ratings, feedback_comments, events)
        ]


def test_a_campaign_csv_is_stored_with_one_results_event_per_subject(org: Database, tmp_path: Path) -> None:
    result = import_three_sixty(org, campaign_csv(tmp_path, *full_rows("p1"), *full_rows("r12", peers=3)), now=NOW)

    assert (result.records, result.events) == (10, 2)
    with org.transaction() as conn:
        stored_campaign = feedback_store.get_campaign(conn, "spring-2026")
        results = conn.execute(select(events).where(events.c.type == "feedback.results_imported")).all()
    assert stored_campaign is not None
    assert (stored_campaign.campaign.name, str(stored_campaign.campaign.scale)) == ("Spring 2026 360", "1–5")
    assert sorted(e.subject for e in results) == ["p1", "r12"]
    assert results[0].data["competencies"] == ["giving-feedback"]
    assert results[0].time == datetime(2026, 2, 20, tzinfo=UTC)


def test_rater_ids_are_kept_only_in_the_raters_table_and_never_in_ratings_comments_or_events(
    org: Database, tmp_path: Path
) -> None:
    import_three_sixty(org, campaign_csv(tmp_path, *full_rows("p1", peers=3)), now=NOW)

    with org.transaction() as conn:
        raters = conn.execute(select(feedback_raters.c.rater_id, feedback_raters.c.rater_group)).all()
        assert "rater_id" not in feedback_ratings.c and "rater_id" not in feedback_comments.c
        feedback_events = conn.execute(select(events).where(events.c.type == "feedback.results_imported")).all()
    assert sorted(raters) == [("m1", "manager"), ("p1", "self"), ("r1", "peer"), ("r2", "peer"), ("r3", "peer")]
    event_text = json.dumps([e.data for e in feedback_events])
    assert [e.subject for e in feedback_events] == ["p1"]
    assert not any(f'"{rid}"' in event_text for rid in ("m1", "r1", "r2", "r3"))


def test_ratings_and_comments_are_written_sorted_by_content_so_their_order_names_no_rater(
    org: Database, tmp_path: Path
) -> None:
    rows = [
        "p1,r3,peer,giving-feedback,1,Zebra",
        "p1,r1,peer,giving-feedback,5,Apple",
        "p1,r2,peer,giving-feedback,3,Mango",
    ]
    import_three_sixty(org, campaign_csv(tmp_path, *rows), now=NOW)

    with org.transaction() as conn:
        values = [r.value for r in conn.execute(select(feedback_ratings).order_by(feedback_ratings.c.id))]
        texts = [r.text for r in conn.execute(select(feedback_comments).order_by(feedback_comments.c.id))]
    assert values == [1, 3, 5] and texts == ["Apple", "Mango", "Zebra"]


def test_a_campaign_json_is_stored_like_its_csv(org: Database, tmp_path: Path) -> None:
    path = tmp_path / "360.json"
    responses = [
        {"subject_id": "p1", "rater_id": rid, "rater_group": group, "competency_id": "clear-writing", "rating": 4}
        for rid, group in (("p1", "self"), ("m1", "manager"), ("r1", "peer"), ("r2", "peer"), ("r3", "peer"))
    ]
    campaign = {"id": "q1", "name": "Q1", "start_date": "2026-01-05", "end_date": "2026-01-30", "scale_min": 1,
                "scale_max": 4}  # fmt: skip
    path.write_text(json.dumps({"campaign": campaign, "responses": responses}), encoding="utf-8")

    import_three_sixty(org, path, now=NOW)

    with org.transaction() as conn:
        report = feedback_store.report(conn, "q1", "p1", min_raters=3, min_comment_raters=10)
    assert report is not None
    assert [(g.group, g.raters, g.mean) for g in report.competencies[0].groups] == [
        ("self", 1, 4.0), ("manager", 1, 4.0), ("peer", 3, 4.0)
    ]  # fmt: skip


def test_importing_the_same_campaign_twice_adds_nothing(org: Database, tmp_path: Path) -> None:
    path = campaign_csv(tmp_path, *full_rows("p1"))
    import_three_sixty(org, path, now=NOW)
    before = stored(org)

    result = import_three_sixty(org, path, now=NOW)

    assert result.events == 0
    assert stored(org)[1:] == before[1:]


def test_a_corrected_file_replaces_the_subjects_responses_and_records_a_new_event(
    org: Database, tmp_path: Path
) -> None:
    import_three_sixty(org, campaign_csv(tmp_path, *full_rows("p1", peers=4)), now=NOW)

    result = import_three_sixty(org, campaign_csv(tmp_path, *full_rows("p1", peers=3), name="fixed.csv"), now=NOW)

    with org.transaction() as conn:
        report = feedback_store.report(conn, "spring-2026", "p1", min_raters=3, min_comment_raters=10)
    assert result.events == 1
    assert report is not None and [g.raters for g in report.competencies[0].groups] == [1, 1, 3]


def test_a_campaign_keeps_its_scale(org: Database, tmp_path: Path) -> None:
    import_three_sixty(org, campaign_csv(tmp_path, *full_rows("p1")), now=NOW)
    before = stored(org)

    (problem,) = rejected(org, campaign_csv(tmp_path, *full_rows("p1"), block=CAMPAIGN_BLOCK.replace("max,5", "max,7")))

    assert "scale 1–5" in problem.expected
    assert stored(org) == before


@pytest.mark.parametrize(
    ("row", "field", "expected"),
    [
        ("ghost,r1,peer,giving-feedback,3,", "subject_id", "known person"),
        ("p1,ghost,peer,giving-feedback,3,", "rater_id", "known person"),
        ("gone,r1,peer,giving-feedback,3,", "subject_id", "terminated"),
        ("p1,gone,peer,giving-feedback,3,", "rater_id", "terminated"),
        ("p1,r1,peer,juggling,3,", "competency_id", "competency of framework acme 2026.1"),
        ("p1,r1,peer,giving-feedback,6,", "rating", "scale 1–5"),
        ("p1,r1,peer,giving-feedback,0,", "rating", "scale 1–5"),
        ("p1,r1,peer,giving-feedback,3.5,", "rating", "scale 1–5"),
        ("p1,p1,peer,giving-feedback,3,", "rater_group", "self"),
        ("p1,r1,self,giving-feedback,3,", "rater_id", "self group"),
        ("p1,r1,colleague,giving-feedback,3,", "rater_group", "self, manager, peer, direct_report"),
        ("p1,r1,peer,giving-feedback,,", "rating", "a rating, a comment or both"),
        ("p1,r1,peer,,3,", "competency_id", "the competency"),
    ],
)
def test_a_bad_row_names_the_file_row_and_field_and_nothing_is_stored(
    org: Database, tmp_path: Path, row: str, field: str, expected: str
) -> None:
    before = stored(org)

    problems = rejected(org, campaign_csv(tmp_path, "p1,m1,manager,giving-feedback,4,", row))

    assert [(p.row, p.field) for p in problems] == [(TABLE_OFFSET + 2, field)]
    assert expected in problems[0].expected
    assert stored(org) == before


def test_the_same_rater_subject_and_competency_twice_is_rejected_naming_the_first_row(
    org: Database, tmp_path: Path
) -> None:
    (problem,) = rejected(
        org, campaign_csv(tmp_path, "p1,r1,peer,giving-feedback,3,", "p1,r1,peer,giving-feedback,4,Second thoughts")
    )

    assert (problem.row, problem.field) == (TABLE_OFFSET + 2, "competency_id")
    assert f"row {TABLE_OFFSET + 1}" in problem.expected


def test_a_rater_keeps_one_group_per_subject(org: Database, tmp_path: Path) -> None:
    (problem,) = rejected(
        org, campaign_csv(tmp_path, "p1,r1,peer,giving-feedback,3,", "p1,r1,direct_report,clear-writing,3,")
    )

    assert (problem.row, problem.field) == (TABLE_OFFSET + 2, "rater_group")


def test_every_bad_row_is_reported_at_once(org: Database, tmp_path: Path) -> None:
    problems = rejected(
        org,
        campaign_csv(
            tmp_path, "ghost,r1,peer,giving-feedback,3,", "p1,r1,peer,juggling,3,", "p1,r2,peer,giving-feedback,9,"
        ),
    )

    assert [(p.row, p.field) for p in problems] == [
        (TABLE_OFFSET + 1, "subject_id"), (TABLE_OFFSET + 2, "competency_id"), (TABLE_OFFSET + 3, "rating")
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("campaign_id,spring-2026", "campaign_id,spring 2026!", "campaign_id"),
        ("end_date,2026-02-20", "end_date,2026-01-20", "end_date"),
        ("start_date,2026-02-01", "start_date,01/02/2026", "start_date"),
        ("scale_max,5", "scale_max,1", "scale_max"),
        ("scale_min,1", "scale_min,low", "scale_min"),
        ("campaign_name,Spring 2026 360\n", "", "campaign_name"),
        ("campaign_name,Spring 2026 360", "campaign_title,Spring", "campaign_title"),
    ],
)
def test_a_bad_campaign_header_names_its_field(org: Database, tmp_path: Path, old: str, new: str, field: str) -> None:
    problems = rejected(org, campaign_csv(tmp_path, *full_rows("p1"), block=CAMPAIGN_BLOCK.replace(old, new)))

    assert field in {p.field for p in problems}


def test_a_file_without_a_responses_table_is_a_clear_error(org: Database, tmp_path: Path) -> None:
    path = tmp_path / "360.csv"
    path.write_text("campaign_id,x\n", encoding="utf-8")

    (problem,) = rejected(org, path)

    assert "responses table" in problem.expected


def test_a_semicolon_file_from_a_european_excel_is_read(org: Database, tmp_path: Path) -> None:
    block = CAMPAIGN_BLOCK.replace(",", ";")
    path = campaign_csv(tmp_path, *(r.replace(",", ";") for r in full_rows("p1")), block=block)

    assert import_three_sixty(org, path, now=NOW).records == 5


def test_a_json_campaign_with_a_bad_response_names_its_position_and_field(org: Database, tmp_path: Path) -> None:
    path = tmp_path / "360.json"
    doc = {
        "campaign": {
            "id": "q1",
            "name": "Q1",
            "start_date": "2026-01-05",
            "end_date": "2026-01-30",
            "scale_min": 1,
            "scale_max": 5,
        },  # fmt: skip
        "responses": [
            {
                "subject_id": "p1",
                "rater_id": "r1",
                "rater_group": "peer",
                "competency_id": "giving-feedback",
                "rating": 3,
            },
            {
                "subject_id": "p1",
                "rater_id": "r2",
                "rater_group": "peer",
                "competency_id": "giving-feedback",
                "rating": True,
            },
        ],
    }
    path.write_text(json.dumps(doc), encoding="utf-8")

    problems = rejected(org, path)

    assert (problems[0].row, problems[0].field) == (2, "rating")


def test_a_360_needs_a_framework_imported_first(db: Database, tmp_path: Path) -> None:
    (problem,) = rejected(db, campaign_csv(tmp_path, "p1,r1,peer,giving-feedback,3,"))

    assert "framework imported first" in problem.expected
