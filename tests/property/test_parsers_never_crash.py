"""Whatever an admin uploads, the importers answer with data or an InputError — never a crash.

The strategies mix real headers, keys and property names with the characters that break parsers
(commas, quotes, newlines, byte-order marks, indentation, YAML anchors), so generated inputs get past
the first line often enough to reach the deeper validation.
"""

from __future__ import annotations

import json
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from kairos.errors import InputError
from kairos.ingest.base import decode_text
from kairos.ingest.framework import import_framework, parse_framework_text
from kairos.ingest.goals import import_goals
from kairos.ingest.ical import parse_calendar
from kairos.ingest.meeting_sync import Directory
from kairos.ingest.people import import_people, parse_people_text
from kairos.store import Database
from kairos.store.schema import events, goals, people
from tests.factories import FRAMEWORK_YAML, HEADER, person

QUICK = settings(max_examples=60, deadline=None)
WITH_DB = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)

BOMS = ["", "\ufeff"]
NOISE = st.sampled_from(
    [
        ",",
        ",,",
        '"',
        '""',
        "'",
        "\r\n",
        "\n",
        "\r",
        " ",
        "\t",
        "\ufeff",
        ";",
        ":",
        "\\",
        "é",
        "—",
        "\u2028",
        "\x00",
        "\udcff",
        "<b>",
        "{{ x }}",
        "x" * 3000,
    ]
)
SOME_TEXT = st.text(max_size=12)
# how many things to break: often none, so that generated inputs also reach the end of the parser
FEW = st.sampled_from([0, 0, 0, 1, 1, 2, 3])


def never_crashes(call, *args, **kwargs):  # type: ignore[no-untyped-def]
    """Run ``call``: returning is fine, InputError is fine; any other exception fails the property."""
    try:
        return call(*args, **kwargs)
    except InputError as exc:
        assert exc.problems
        assert len(str(exc)) < 20_000
        return None


# --- people CSV ---------------------------------------------------------------------------------------

IDS = ["p1", "p2", "p3", "m1", "", "p 1", "p1,p2", "x" * 101]
CELLS = {
    "id": IDS,
    "name": ["Ann", "Bob Smith", '"Lee, Jo"', "", "<script>x</script>", "N" * 301],
    "email": ["a@example.com", "b@example.com", "A@EXAMPLE.COM", "not-an-email", "", "x@y", "e" * 330 + "@x.io"],
    "manager_id": [*IDS, "ghost"],
    "role": ["Engineer", "", "Director, Ops"],
    "level": ["IC2", "IC3", "M1", "", "L" * 60],
    "team": ["Core", ""],
    "location": ["Berlin", ""],
    "time_zone": [
        "Europe/Berlin",
        "UTC",
        "Mars/Olympus",
        "Europe",
        "europe/berlin",
        " UTC",
        "",
        "a" * 300,
        "America/",
        "../etc/passwd",
    ],
    "start_date": ["2022-01-10", "", "2022-13-01", "10/01/2022", "2022-1-1"],
}
HEADERS = [
    HEADER,
    HEADER.upper(),
    HEADER.replace("manager_id", "Manager ID").replace("time_zone", " Time Zone "),
    HEADER.replace(",team", ""),
    HEADER + ",extra",
    "id,name",
    "",
    "id,id,name",
]


@st.composite
def people_text(draw: st.DrawFn) -> str:
    """A people export: a real-ish header, plausible rows, and now and then a broken cell, row or character."""
    rows = []
    for i in range(draw(st.integers(0, 6))):
        manager = draw(st.sampled_from(["", *(f"p{j}" for j in range(i))]))
        cells = dict(
            zip(
                CELLS,
                [
                    f"p{i}",
                    f"Person {i}",
                    f"p{i}@example.com",
                    manager,
                    "Engineer",
                    "IC2",
                    "Core",
                    "Berlin",
                    "Europe/Berlin",
                    "2022-01-10",
                ],
                strict=True,
            )
        )
        for column in draw(st.lists(st.sampled_from(list(CELLS)), max_size=draw(FEW))):
            cells[column] = draw(st.sampled_from(CELLS[column]) | SOME_TEXT)
        values = list(cells.values())
        if draw(st.integers(0, 9)) == 0:
            values = values[: draw(st.integers(0, len(values)))] + draw(st.lists(SOME_TEXT, max_size=2))
        rows.append(",".join(values))
    newline = draw(st.sampled_from(["\r\n", "\n", "\r"]))
    header = draw(st.sampled_from(HEADERS[:3]) if draw(st.integers(0, 3)) else st.sampled_from(HEADERS))
    text = draw(st.sampled_from(BOMS)) + newline.join([header, *rows]) + draw(st.sampled_from(["", newline]))
    if draw(st.integers(0, 3)) == 0:
        pieces = draw(st.lists(NOISE | SOME_TEXT, max_size=4))
        at = draw(st.integers(0, len(text)))
        text = text[:at] + "".join(pieces) + text[at:]
    return text


def encoded(text_strategy: st.SearchStrategy[str]) -> st.SearchStrategy[bytes]:
    return st.tuples(text_strategy, st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1"])).map(
        lambda pair: pair[0].encode(pair[1], errors="replace")
    )


@QUICK
@given(st.binary(max_size=400) | encoded(people_text()))
@example(b"\xff\xfeid\x00")
@example("id,name\nJos\u00e9".encode("cp1252"))
@example(b"\xef\xbb\xbf" + HEADER.encode() + b"\r\np1,A,a@example.com,,E,IC2,C,B,Europe,")
def test_decoding_and_parsing_any_bytes_as_people_never_crashes(raw: bytes) -> None:
    text = never_crashes(decode_text, raw, "people.csv")
    if text is not None:
        never_crashes(parse_people_text, text, "people.csv")


@QUICK
@given(people_text())
@example(HEADER + "\np1,Ann,a@example.com,,Engineer,IC2,Core,Berlin,Europe,")  # ZoneInfo('Europe') is a folder
@example(HEADER + "\np1,Ann,a@example.com,,Engineer,IC2,Core,Berlin," + "a" * 300 + ",")  # name too long for a file
@example(HEADER + '\np1,Ann,a@example.com,,Engineer,IC2,Core,Berlin,Europe/Berlin,2022-01-10\n"unclosed')
def test_parsing_people_like_text_never_crashes(text: str) -> None:
    found = never_crashes(parse_people_text, text, "people.csv")
    if found is not None:
        assert found and len({p.id for p in found}) == len(found)


# --- framework YAML -----------------------------------------------------------------------------------

YAML_LINES = FRAMEWORK_YAML.splitlines() + [
    "framework:",
    "  version: 2026.10",
    "  version: 7",
    "  version: " + "1" * 5000,
    "  version: .inf",
    "on: yes",
    "  - &a {id: x}",
    "  - *a",
    "  <<: *a",
    "  <<: [1, 2]",
    "- !!python/object/apply:os.system [ls]",
    "? [a, b]: 1",
    "2026-01-01: date key",
    "  levels: []",
    "  levels: {}",
    "      - level: true",
    "      - level: 2.0",
    "        anchors: [1, 2]",
    "        anchors: []",
    "competencies: x",
    "competencies: []",
    "  - x",
    "  - [1]",
    "%YAML 1.1",
    "---",
    "...",
    "\t- tab",
    "&r [*r]",
    "a: &b {c: *b}",
    "x: !!binary AAAA",
    "y: !!timestamp 2026-01-01",
    "'unclosed",
    "[[[[[[[[[[",
    "{{{{{{{{",
    "z: " + "[" * 200 + "]" * 200,
]


@st.composite
def framework_text(draw: st.DrawFn) -> str:
    """The example framework with values changed, lines dropped, repeated, swapped for tricky ones, re-indented."""
    lines = list(FRAMEWORK_YAML.splitlines())
    for _ in range(draw(FEW)):
        at = draw(st.integers(0, len(lines)))
        action = draw(st.sampled_from(["value", "value", "drop", "insert", "indent", "noise"]))
        if action == "value" and lines and ": " in lines[min(at, len(lines) - 1)]:
            i = min(at, len(lines) - 1)  # a new value for a key: keeps the document valid more often than not
            lines[i] = lines[i].split(": ", 1)[0] + ": " + json.dumps(draw(SOME_TEXT | st.integers(-2, 9)))
        elif action == "drop" and lines:
            del lines[min(at, len(lines) - 1)]
        elif action == "insert":
            lines.insert(at, draw(st.sampled_from(YAML_LINES)))
        elif action == "indent" and lines:
            i = min(at, len(lines) - 1)
            lines[i] = draw(st.sampled_from(["", "  ", "    ", "\t"])) + lines[i].lstrip()
        else:
            lines.insert(at, draw(NOISE | SOME_TEXT))
    return draw(st.sampled_from(BOMS)) + "\n".join(lines)


@QUICK
@given(framework_text() | st.lists(st.sampled_from(YAML_LINES) | SOME_TEXT, max_size=20).map("\n".join))
@example(FRAMEWORK_YAML.replace('"2026.1"', "1" * 5000))  # int() refuses over 4300 digits
@example("framework: &a\n  id: x\n  <<: *a\n")
@example("a: &b {c: *b}\n")
@example("- !!python/object/apply:os.system [ls]\n")
def test_parsing_framework_like_yaml_never_crashes(text: str) -> None:
    framework = never_crashes(parse_framework_text, text, "framework.yaml")
    if framework is not None:
        assert framework.competencies
        assert all(3 <= len(c.levels) <= 5 for c in framework.competencies)


# --- goals --------------------------------------------------------------------------------------------

GOAL_VALUES = (
    st.sampled_from(
        [
            "p1",
            "ghost",
            "giving-feedback",
            "juggling",
            "1",
            "3",
            "4",
            "0",
            "²",
            "١",
            "2.5",
            "",
            " 2 ",
            "2026-02-10",
            "2026-02-30",
            "20260210",
            "Give feedback.",
            "a" * 2500,
            "x\x00y",
            "\ud800",
        ]
    )
    | SOME_TEXT
)
JSON_LEAF = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | GOAL_VALUES
JSON_VALUE = st.recursive(
    JSON_LEAF, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(SOME_TEXT, inner, max_size=3), max_leaves=8
)
GOAL_KEYS = st.sampled_from(["person_id", "competency_id", "target_level", "goal", "review_date"])


GOOD_GOAL = {
    "person_id": "p1",
    "competency_id": "giving-feedback",
    "target_level": 2,
    "goal": "Give feedback.",
    "review_date": "2026-02-10",
}


@st.composite
def goal_item(draw: st.DrawFn) -> dict[str, object]:
    """A goal that is right apart from a few fields: wrong values or types, missing or unknown keys."""
    item: dict[str, object] = {
        **GOOD_GOAL,
        "goal": draw(st.sampled_from(["Give feedback.", "Ask for the other view."])),
    }
    item["review_date"] = draw(st.sampled_from(["2026-02-10", "2026-02-11", "2026-03-01"]))
    for _ in range(draw(FEW)):
        key = draw(GOAL_KEYS | SOME_TEXT)
        if draw(st.integers(0, 4)) == 0:
            item.pop(key, None)
        else:
            item[key] = draw(GOAL_VALUES | JSON_VALUE)
    return item


@st.composite
def goals_json(draw: st.DrawFn) -> str:
    items = draw(st.lists(goal_item(), max_size=4))
    doc = draw(st.sampled_from(["object", "object", "list", "other"]))
    payload = {"goals": items} if doc == "object" else items if doc == "list" else draw(JSON_VALUE)
    text = json.dumps(payload, ensure_ascii=draw(st.booleans()))
    if draw(st.integers(0, 3)) == 0:
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(NOISE | st.sampled_from(["{", "}", "[", "]", '"', "1" * 5000])) + text[at:]
    return text


@st.composite
def goals_csv(draw: st.DrawFn) -> str:
    headers = [
        "person_id,competency_id,target_level,goal,review_date",
        "Person ID,Competency ID,Target Level,Goal,Review Date",
        "person_id,goal",
        "",
    ]
    header = draw(st.sampled_from(headers[:2]) if draw(st.integers(0, 3)) else st.sampled_from(headers))
    rows = []
    for _ in range(draw(st.integers(0, 4))):
        cells = [str(v) for v in draw(goal_item()).values() if not isinstance(v, dict | list)]
        rows.append(",".join(cells))
    return draw(st.sampled_from(BOMS)) + "\n".join([header, *rows])


def org_in(db: Database, folder: Path) -> None:
    """People p1 (managed by m1) and the example framework, imported once per database."""
    with db.transaction() as conn:
        if conn.execute(select(people.c.id)).first() is not None:
            return
    csv = folder / "people.csv"
    csv.write_text(
        HEADER + "\nm1,Mo,m1@example.com,,Manager,M1,Core,Berlin,Europe/Berlin,\n"
        "p1,Pat,p1@example.com,m1,Engineer,IC2,Core,Berlin,Europe/Berlin,\n",
        encoding="utf-8",
    )
    import_people(db, csv, as_of=date(2026, 3, 1), now=NOW)
    yaml_file = folder / "framework.yaml"
    yaml_file.write_text(FRAMEWORK_YAML, encoding="utf-8")
    import_framework(db, yaml_file, now=NOW)


@WITH_DB
@given(goals_json().map(lambda t: ("goals.json", t)) | goals_csv().map(lambda t: ("goals.csv", t)))
@example(("goals.csv", "person_id,competency_id,target_level,goal,review_date\np1,giving-feedback,²,Go.,2026-02-10"))
@example(("goals.json", '{"goals": [{"target_level": ' + "1" * 5000 + "}]}"))
@example(("goals.json", json.dumps({"goals": [{**GOOD_GOAL, "goal": "a\x00b"}]})))
@example(("goals.json", json.dumps({"goals": [{**GOOD_GOAL, "goal": "\ud800"}]})))
@example(("goals.json", json.dumps({"goals": [GOOD_GOAL, {**GOOD_GOAL, "goal": "Again."}]})))
def test_importing_goal_like_files_never_crashes(db: Database, tmp_path: Path, named: tuple[str, str]) -> None:
    org_in(db, tmp_path)
    name, text = named
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        never_crashes(import_goals, db, path, now=NOW)


# --- iCalendar ----------------------------------------------------------------------------------------

ICS_LINES = [
    "BEGIN:VCALENDAR",
    "END:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//x//EN",
    "BEGIN:VEVENT",
    "END:VEVENT",
    "BEGIN:VTIMEZONE",
    "END:VTIMEZONE",
    "TZID:Europe/Berlin",
    "BEGIN:STANDARD",
    "END:STANDARD",
    "TZOFFSETFROM:+0200",
    "TZOFFSETTO:+0100",
    "UID:a@x",
    "UID:",
    "UID:" + "u" * 400,
    "DTSTAMP:20260101T000000Z",
    "DTSTART:20260316T090000Z",
    "DTSTART:20260316T090000",
    "DTSTART;VALUE=DATE:20260316",
    "DTSTART;TZID=Europe/Berlin:20260316T100000",
    "DTSTART;TZID=Mars/Olympus:20260316T100000",
    "DTSTART;TZID=Europe:20260316T100000",
    "DTSTART:2026",
    "DTSTART:20261316T250000",
    "DTSTART;VALUE=PERIOD:x",
    "DTEND:20260316T093000Z",
    "DTEND:20260316T080000Z",
    "DTEND;VALUE=DATE:20260317",
    "DURATION:PT30M",
    "DURATION:P1W",
    "DURATION:-PT1H",
    "DURATION:nonsense",
    "RRULE:FREQ=WEEKLY;COUNT=3",
    "RRULE:FREQ=DAILY",
    "RRULE:FREQ=MINUTELY",
    "RRULE:FREQ=WEEKLY;UNTIL=20260401T000000Z",
    "RRULE:FREQ=NOPE",
    "RRULE:",
    "RRULE:FREQ=WEEKLY;BYDAY=XX",
    "RRULE:FREQ=MONTHLY;BYMONTHDAY=31",
    "EXDATE:20260323T090000Z",
    "EXDATE:garbage",
    "RECURRENCE-ID:20260323T090000Z",
    "RECURRENCE-ID;VALUE=DATE:20260323",
    "STATUS:CANCELLED",
    "STATUS:CONFIRMED",
    "SUMMARY:1:1 Maria / Rafael",
    "SUMMARY:Platform team weekly",
    "SUMMARY:" + "1:1 " + "t" * 600,
    "SUMMARY:",
    "ORGANIZER:mailto:maria@example.com",
    "ORGANIZER:mailto:" + "o" * 400 + "@x.io",
    "ORGANIZER:",
    "ATTENDEE:mailto:rafael@example.com",
    "ATTENDEE:mailto:maria@example.com",
    'ATTENDEE;CN="A, B":mailto:x@y.z',
    "ATTENDEE:",
    " folded continuation",
    "X-WR-TIMEZONE:Europe/Berlin",
]
PEOPLE = {
    p.email: p
    for p in (
        person("m1", email="maria@example.com"),
        person("r1", email="rafael@example.com", manager_id="m1", time_zone="America/New_York"),
    )
}
DIRECTORY = Directory.of({p.id: p for p in PEOPLE.values()})


@st.composite
def calendar_text(draw: st.DrawFn) -> str:
    """A calendar with events assembled from real property lines, some missing, some broken."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Kairos tests//EN"]
    for _ in range(draw(st.integers(0, 3))):
        lines += ["BEGIN:VEVENT", "UID:e@x", "DTSTAMP:20260101T000000Z", "DTSTART:20260316T090000Z"]
        lines += draw(st.lists(st.sampled_from(ICS_LINES), max_size=draw(FEW) * 3))
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    for _ in range(draw(FEW)):
        at = draw(st.integers(0, len(lines)))
        choice = draw(st.sampled_from(["drop", "insert", "noise"]))
        if choice == "drop" and at < len(lines):
            del lines[at]
        elif choice == "insert":
            lines.insert(at, draw(st.sampled_from(ICS_LINES)))
        else:
            lines.insert(at, draw(NOISE | SOME_TEXT))
    return draw(st.sampled_from(["\r\n", "\n"])).join(lines)  # read_text has removed any byte-order mark


def parse(text: str) -> object:
    window = (datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 15, tzinfo=UTC))
    read = parse_calendar(text, "team.ics", window=window, directory=DIRECTORY)
    return read.meetings, read.skipped


@QUICK
@given(calendar_text() | st.lists(st.sampled_from(ICS_LINES) | SOME_TEXT, max_size=20).map("\r\n".join))
@example(
    "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTART:20260316T090000Z\r\nDTSTART:20260317T090000Z\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n"
)
@example(
    "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTART:20260316T090000Z\r\nDURATION:nonsense\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n"
)
def test_parsing_calendar_like_text_never_crashes(text: str) -> None:
    result = never_crashes(parse, text)
    if result is not None:
        found, skipped = result  # type: ignore[misc]
        assert all(m.start.tzinfo is not None and m.end.tzinfo is not None for m in found)
        assert all(len(m.key) <= 200 and len(m.kind_reason) <= 500 for m in found)
        assert all(isinstance(n, int) and n > 0 for n in skipped.values())


@QUICK
@given(st.binary(max_size=300))
def test_parsing_arbitrary_bytes_as_a_calendar_never_crashes(raw: bytes) -> None:
    text = never_crashes(decode_text, raw, "team.ics")
    if text is not None:
        never_crashes(parse, text)


# --- a rejected people file changes nothing -------------------------------------------------------

ORG = [
    ("m1", "", "M2"),
    ("p1", "m1", "IC2"),
    ("p2", "m1", "IC2"),
    ("p3", "m1", "IC3"),
    ("p4", "p3", "IC1"),
    ("p5", "p3", "IC2"),
    ("p6", "m1", "IC2"),
    ("p7", "m1", "IC2"),
    ("p8", "m1", "IC2"),
    ("p9", "m1", "IC2"),
]


def org_row(pid: str, manager: str, level: str, time_zone: str = "Europe/Berlin", email: str | None = None) -> str:
    return f"{pid},Person {pid},{email or pid + '@example.com'},{manager},Engineer,{level},Core,Berlin,{time_zone},"


# Each breaks the snapshot in a way only the whole file shows, or in one cell.
FLAWS = [
    lambda rows: [*rows, org_row("m1", "", "M2", email="again@example.com")],  # duplicate id
    lambda rows: [*rows, org_row("n1", "ghost", "IC2")],  # unknown manager
    lambda rows: [org_row("m1", "p9", "M2"), *rows[1:]],  # a cycle through the top
    lambda rows: [*rows, org_row("n2", "m1", "IC2", time_zone="Mars/Olympus")],
    lambda rows: [*rows, org_row("n3", "m1", "IC2", time_zone="Europe")],
    lambda rows: [*rows, org_row("n4", "m1", "IC2", email="not-an-email")],
    lambda rows: [*rows, org_row("n5", "m1", "L" * 60)],  # longer than the level column
    lambda rows: [*rows, "n6,Too,few,cells"],
    lambda rows: [*rows, org_row("n7", "m1", "IC2").replace("Person n7", "x" * 2500)],
    lambda rows: rows[:7],  # three of ten people gone: a mass termination
    lambda rows: [*rows, '"n8,unclosed quote'],
]


@st.composite
def bad_snapshot(draw: st.DrawFn) -> tuple[bytes, str]:
    """A changed snapshot (promotions, moves, hires, leavers) with at least one flaw somewhere in it."""
    rows = []
    for pid, manager, level in ORG:
        change = draw(st.sampled_from(["same", "same", "promote", "move", "leave"]))
        if change == "leave" and pid not in {"m1", "p3"}:
            continue
        if change == "promote":
            level = level[:-1] + str(int(level[-1]) + 1)
        if change == "move" and pid not in {"m1", "p3"}:
            manager = draw(st.sampled_from(["m1", "p3"]))
        rows.append(org_row(pid, manager, level))
    rows += [org_row(f"h{i}", "m1", "IC1") for i in range(draw(st.integers(0, 2)))]
    flaws = draw(st.lists(st.sampled_from(range(len(FLAWS))), min_size=1, max_size=3, unique=True))
    for flaw in flaws:
        rows = FLAWS[flaw](rows)
    rows = draw(st.permutations(rows))
    text = "\r\n".join([HEADER, *rows]) + "\r\n"
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig"]))
    label = f"flaws={flaws} encoding={encoding}"
    if draw(st.booleans()):  # sometimes the file is also in the wrong encoding
        encoding = draw(st.sampled_from(["utf-16", "cp1252"]))
        text = text.replace("Person", "Pérson")
    return text.encode(encoding), label


def snapshot(db: Database) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]], list[tuple[object, ...]]]:
    with db.transaction() as conn:
        return (
            [tuple(r) for r in conn.execute(select(people).order_by(people.c.id))],
            [tuple(r) for r in conn.execute(select(events).order_by(events.c.seq))],
            [tuple(r) for r in conn.execute(select(goals).order_by(goals.c.id))],
        )


@WITH_DB
@given(bad_snapshot())
def test_a_rejected_people_file_leaves_people_and_events_exactly_unchanged(
    db: Database, tmp_path: Path, bad: tuple[bytes, str]
) -> None:
    good = tmp_path / "people.csv"
    with db.transaction() as conn:
        empty = conn.execute(select(people.c.id)).first() is None
    if empty:
        good.write_text("\r\n".join([HEADER, *(org_row(*p) for p in ORG)]) + "\r\n", encoding="utf-8")
        import_people(db, good, as_of=date(2026, 3, 1), now=NOW)
    before = snapshot(db)
    raw, label = bad
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "people-next.csv"
        path.write_bytes(raw)

        with pytest.raises(InputError):
            import_people(db, path, as_of=date(2026, 3, 9), now=datetime(2026, 3, 9, 8, tzinfo=UTC))

    assert snapshot(db) == before, label


PEOPLE_KEYS = ["id", "name", "email", "manager_id", "role", "level", "team", "location", "time_zone", "start_date",
               "status", "end_date", "extra"]  # fmt: skip
JSON_SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30)


@QUICK
@given(
    st.lists(
        st.dictionaries(st.sampled_from(PEOPLE_KEYS), JSON_SCALARS | st.lists(JSON_SCALARS, max_size=2), max_size=12)
        | JSON_SCALARS,
        max_size=6,
    ).flatmap(lambda people: st.sampled_from([people, {"people": people}, {"persons": people}]))
)
@example({"people": [{"id": 1, "name": "A", "email": "a@example.com", "role": "E", "level": "IC2",
                      "time_zone": "Europe/Berlin", "manager_id": 1}]})  # fmt: skip
def test_parsing_any_json_people_document_never_crashes(doc: object) -> None:
    found = never_crashes(parse_people_text, json.dumps(doc), "people.json", as_of=date(2026, 3, 2))
    if found is not None:
        assert all(p.id and p.time_zone for p in found)
