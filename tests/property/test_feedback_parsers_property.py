"""Feedback inputs: any text is parsed into records or an InputError, never a crash; reports never show a small group.

The strategies mix the real headers, plausible values and the characters that break parsers, so
generated files often get past the first line and reach the deeper checks.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from kairos.domain.feedback import (
    ALWAYS_SHOWN,
    OTHERS,
    PROTECTED,
    Campaign,
    RaterGroup,
    Rating,
    Scale,
    anonymized_report,
    three_sixty_levels,
)
from kairos.errors import InputError
from kairos.ingest.checkins import parse_checkins_text
from kairos.ingest.idp import parse_plans_text
from kairos.ingest.reviews import parse_reviews_text
from kairos.ingest.three_sixty import import_three_sixty, parse_campaign_text
from kairos.store import Database
from kairos.store.schema import events, feedback_campaigns, feedback_raters, feedback_ratings, people
from tests.factories import framework
from tests.unit.test_feedback_three_sixty import build_org

QUICK = settings(max_examples=150, deadline=None)
WITH_DB = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
FRAMEWORK = framework()  # one competency, giving-feedback, with four levels
STATUSES = {"p1": "active", "p2": "active", "m1": "active", "r1": "active", "r2": "leave", "gone": "terminated",
            **{f"r{n}": "active" for n in range(3, 8)}}  # fmt: skip

NOISE = st.sampled_from([",", '"', '""', "\n", "\r\n", ";", " ", "\ufeff", "\x00", "\udcff", "é", "{", "[", "x" * 3000])
SOME_TEXT = st.text(max_size=10)
PEOPLE = ["p1", "p2", "m1", "r1", "r2", "gone", "ghost", ""]
COMPETENCIES = ["giving-feedback", "juggling", "", "GIVING-FEEDBACK"]
DATES = ["2026-02-10", "2026-02-30", "10/02/2026", "", "2026-2-1", "20260210"]
NUMBERS = ["1", "2", "3", "4", "5", "0", "-1", "", "3.5", "²", "1" * 30, "three"]
CELLS: dict[str, list[str]] = {
    "subject_id": PEOPLE,
    "rater_id": PEOPLE,
    "person_id": PEOPLE,
    "reviewer_id": PEOPLE,
    "rater_group": ["self", "manager", "peer", "direct_report", "Direct Report", "boss", ""],
    "competency_id": COMPETENCIES,
    "rating": NUMBERS,
    "target_level": NUMBERS,
    "comment": ["", "Good.", '"Quoted, with comma"', "Line\nbreak"],
    "goal": ["", "Do better.", "g" * 50],
    "summary": ["", "A year.", "Another year."],
    "review_date": DATES,
    "checkin_date": DATES,
    "due_date": DATES,
    "severity": ["none", "low", "medium", "high", "HIGH", "urgent", ""],
    "note": ["", "Note."],
    "action": ["", "Act.", "Act again."],
}
FORMATS = {
    "360": ("subject_id", "rater_id", "rater_group", "competency_id", "rating", "comment"),
    "reviews": (
        "person_id",
        "reviewer_id",
        "review_date",
        "competency_id",
        "rating",
        "target_level",
        "goal",
        "summary",
    ),
    "checkins": ("person_id", "checkin_date", "competency_id", "severity", "note"),
    "plans": ("person_id", "competency_id", "target_level", "action", "due_date"),
}
CAMPAIGN_LINES = [
    "campaign_id,c1", "campaign_name,Spring", "start_date,2026-02-01", "end_date,2026-02-20", "scale_min,1",
    "scale_max,5",
]  # fmt: skip
BAD_CAMPAIGN_LINES = ["campaign_id,", "end_date,2026-01-01", "scale_max,0", "scale_min,x", "name,Spring", "a,b,c", ""]


def never_crashes(call, *args, **kwargs):  # type: ignore[no-untyped-def]
    """Run ``call``: returning is fine, InputError is fine; any other exception fails the property."""
    try:
        return call(*args, **kwargs)
    except InputError as exc:
        assert exc.problems
        assert len(str(exc)) < 20_000
        return None


def quote(cell: str) -> str:
    return '"' + cell.replace('"', '""') + '"' if any(c in cell for c in ',"\n') else cell


@st.composite
def good_row(draw: st.DrawFn, kind: str, index: int) -> dict[str, str]:
    """A row that would pass on its own, so corrupting a few cells reaches every check."""
    person = draw(st.sampled_from(["p1", "p2", "r2"]))
    if kind == "360":
        rater = draw(st.sampled_from([person, "m1", f"r{index + 1}"]))
        group = "self" if rater == person else draw(st.sampled_from(["manager", "peer", "direct_report"]))
        return {"subject_id": person, "rater_id": rater, "rater_group": group, "competency_id": "giving-feedback",
                "rating": str(draw(st.integers(1, 5))), "comment": draw(st.sampled_from(["", "Good."]))}  # fmt: skip
    if kind == "reviews":
        goal = draw(st.booleans())
        return {"person_id": person, "reviewer_id": "m1", "review_date": "2026-02-10",
                "competency_id": draw(st.sampled_from(["giving-feedback", ""])) if index else "giving-feedback",
                "rating": str(draw(st.integers(1, 4))), "target_level": "3" if goal else "",
                "goal": "Do better." if goal else "", "summary": ""}  # fmt: skip
    if kind == "checkins":
        return {"person_id": person, "checkin_date": f"2026-03-{index + 1:02d}", "competency_id": "giving-feedback",
                "severity": draw(st.sampled_from(["none", "low", "medium", "high"])), "note": ""}  # fmt: skip
    return {"person_id": person, "competency_id": "giving-feedback", "target_level": "3", "action": f"Act {index}.",
            "due_date": "2026-04-01"}  # fmt: skip


@st.composite
def csv_text(draw: st.DrawFn, kind: str) -> str:
    columns = list(FORMATS[kind])
    if draw(st.integers(0, 5)) == 0:
        columns = draw(st.permutations(columns))[: draw(st.integers(1, len(columns)))]
    lines = []
    if kind == "360":
        block = list(CAMPAIGN_LINES)
        for _ in range(draw(st.sampled_from([0, 0, 0, 1, 2]))):
            block[draw(st.integers(0, len(block) - 1))] = draw(st.sampled_from(BAD_CAMPAIGN_LINES))
        lines += [*block, ""] if draw(st.integers(0, 9)) else []
    lines.append(",".join(columns))
    for index in range(draw(st.integers(0, 6))):
        cells = draw(good_row(kind, index))
        for column in draw(st.lists(st.sampled_from(columns), max_size=draw(st.sampled_from([0, 0, 0, 1, 1, 2])))):
            cells[column] = draw(st.sampled_from(CELLS[column]) | SOME_TEXT)
        lines.append(",".join(quote(cells[c]) for c in columns))
    text = "\n".join(lines)
    if draw(st.integers(0, 4)) == 0:
        at = draw(st.integers(0, len(text)))
        text = text[:at] + "".join(draw(st.lists(NOISE | SOME_TEXT, max_size=3))) + text[at:]
    return text


JSON_SCALARS = st.none() | st.booleans() | st.integers(-10, 10) | st.floats(allow_nan=False) | SOME_TEXT


@st.composite
def json_text(draw: st.DrawFn, kind: str) -> str:
    columns = FORMATS[kind]
    items: list[object] = []
    for _ in range(draw(st.integers(0, 5))):
        item = {c: draw(st.sampled_from(CELLS[c]) | JSON_SCALARS) for c in columns if draw(st.integers(0, 7))}
        if draw(st.integers(0, 8)) == 0:
            item["extra"] = 1
        items.append(item if draw(st.integers(0, 9)) else draw(JSON_SCALARS))
    key = {"360": "responses", "reviews": "reviews", "checkins": "checkins", "plans": "plans"}[kind]
    doc: object = {key: items} if draw(st.booleans()) else items
    if kind == "360":
        campaign = {"id": "c1", "name": "Spring", "start_date": "2026-02-01", "end_date": "2026-02-20",
                    "scale_min": 1, "scale_max": 5}  # fmt: skip
        for name in draw(st.lists(st.sampled_from(list(campaign)), max_size=2)):
            campaign[name] = draw(JSON_SCALARS)
        doc = {"campaign": campaign, "responses": items} if draw(st.integers(0, 9)) else doc
    return json.dumps(doc)


PARSERS = {
    "360": lambda text, file: parse_campaign_text(text, file, FRAMEWORK, STATUSES),
    "reviews": lambda text, file: parse_reviews_text(text, file, FRAMEWORK, STATUSES),
    "checkins": lambda text, file: parse_checkins_text(text, file, FRAMEWORK, STATUSES),
    "plans": lambda text, file: parse_plans_text(text, file, FRAMEWORK, STATUSES),
}


def any_input(kind: str) -> st.SearchStrategy[tuple[str, str]]:
    return st.one_of(
        csv_text(kind).map(lambda t: (t, f"{kind}.csv")),
        json_text(kind).map(lambda t: (t, f"{kind}.json")),
        st.text(max_size=200).map(lambda t: (t, f"{kind}.csv")),
        st.text(max_size=200).map(lambda t: (t, f"{kind}.json")),
    )


@QUICK
@given(any_input("360"))
@example(("\n".join([*CAMPAIGN_LINES, "", ",".join(FORMATS["360"][:5]), "p1,r1,peer,giving-feedback,3"]), "360.csv"))
@example(("subject_id;rater_id\n", "360.csv"))
@example(('{"campaign": {"id": "c1"}, "responses": "x"}', "360.json"))
def test_any_360_input_is_parsed_or_rejected_never_a_crash(given_input: tuple[str, str]) -> None:
    parsed = never_crashes(PARSERS["360"], *given_input)
    event("parsed" if parsed is not None else "rejected")
    if parsed is not None:
        for response in parsed.responses:
            assert STATUSES[response.subject_id] != "terminated" and STATUSES[response.rater_id] != "terminated"
            assert (response.subject_id == response.rater_id) == (response.group is RaterGroup.SELF)
            assert all(v in parsed.campaign.scale for _, v in response.ratings)


@QUICK
@given(any_input("reviews"))
@example(("person_id,reviewer_id,review_date,competency_id\np1,m1,2026-02-10,giving-feedback", "r.csv"))
def test_any_review_input_is_parsed_or_rejected_never_a_crash(given_input: tuple[str, str]) -> None:
    found = never_crashes(PARSERS["reviews"], *given_input)
    event("parsed" if found is not None else "rejected")
    for review in found or []:
        assert review.person_id != review.reviewer_id
        assert all(1 <= level <= 4 for _, level in review.ratings)


@QUICK
@given(any_input("checkins"))
def test_any_check_in_input_is_parsed_or_rejected_never_a_crash(given_input: tuple[str, str]) -> None:
    event("parsed" if never_crashes(PARSERS["checkins"], *given_input) is not None else "rejected")


@QUICK
@given(any_input("plans"))
def test_any_plan_input_is_parsed_or_rejected_never_a_crash(given_input: tuple[str, str]) -> None:
    found = never_crashes(PARSERS["plans"], *given_input)
    event("parsed" if found is not None else "rejected")
    for plan in found or []:
        assert all(item.actions for item in plan.items)


# --- the anonymity rule --------------------------------------------------------------------------------

RATINGS = st.lists(
    st.builds(Rating, st.sampled_from(["a", "b", "c"]), st.sampled_from(list(RaterGroup)), st.integers(1, 5)),
    max_size=40,
)
CAMPAIGN = Campaign("c1", "Spring", date(2026, 2, 1), date(2026, 2, 20), Scale(1, 5))


@settings(max_examples=300, deadline=None)
@given(RATINGS, st.integers(2, 8), st.integers(0, 30), st.integers(2, 12))
def test_no_shown_group_is_smaller_than_the_minimum_except_self_and_manager(
    ratings: list[Rating], min_raters: int, respondents: int, min_comment_raters: int
) -> None:
    report = anonymized_report(CAMPAIGN, "p1", ratings, [], respondents, min_raters=min_raters,
                               min_comment_raters=min_comment_raters)  # fmt: skip
    protected = {g.value for g in PROTECTED}
    for competency in report.competencies:
        given_here = [r for r in ratings if r.competency_id == competency.competency_id]
        accounted = 0
        for group in competency.groups:
            if group.group not in {g.value for g in ALWAYS_SHOWN}:
                assert group.raters >= min_raters, (competency.competency_id, group)
            members = set(group.merged) if group.group == OTHERS else {group.group}
            values = [r.value for r in given_here if r.group.value in members]
            assert group.raters == len(values) and group.mean == round(sum(values) / len(values), 2)
            accounted += len(values)
        withheld = [r for r in given_here if r.group.value in competency.withheld]
        assert set(competency.withheld) <= protected
        assert accounted + len(withheld) == len(given_here)  # every rating is shown once, or withheld
        assert not set(competency.withheld) & {g.group for g in competency.groups}
        levels = three_sixty_levels(ratings, competency.competency_id, min_raters)
        assert len(levels) == accounted - sum(g.raters for g in competency.groups if g.group == "self")


# --- nothing from a rejected file is stored -------------------------------------------------------------


@WITH_DB
@given(csv_text("360"))
def test_a_rejected_campaign_file_stores_nothing(db: Database, tmp_path_factory: object, text: str) -> None:
    root = Path(tmp_path_factory.mktemp("feedback"))  # type: ignore[attr-defined]
    with db.transaction() as conn:
        empty = conn.execute(select(people.c.id).limit(1)).first() is None
    if empty:  # the database lives as long as the test, across its examples: build the organization once
        build_org(db, root)
    path = root / "360.csv"
    path.write_text(text.replace("\x00", "").replace("\udcff", ""), encoding="utf-8")

    def snapshot() -> list[list[tuple[object, ...]]]:
        with db.transaction() as conn:
            return [[tuple(r) for r in conn.execute(select(t))]
                    for t in (feedback_campaigns, feedback_raters, feedback_ratings, events)]  # fmt: skip

    before = snapshot()
    try:
        import_three_sixty(db, path, now=NOW)
    except InputError:
        assert snapshot() == before
        event("rejected")
    else:
        event("stored")
