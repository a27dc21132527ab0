"""iCalendar import: recurrences expanded to the right UTC instants, and meetings told apart by who attends."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kairos.domain.meeting import Meeting, MeetingKind
from kairos.domain.person import Person
from kairos.errors import InputError
from kairos.ingest.ical import import_calendar, parse_calendar
from kairos.ingest.meeting_sync import Directory
from kairos.ingest.people import import_people, parse_people
from kairos.store import Database
from kairos.store.schema import events, meetings
from tests.conftest import DEMO
from tests.factories import person

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
WINDOW = (datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 5, 1, tzinfo=UTC))

MANAGER = person("m1", email="maria@example.com", time_zone="Europe/Berlin")
REPORT = person("r1", email="rafael@example.com", manager_id="m1", time_zone="America/New_York")
PEER = person("x1", email="xenia@example.com", manager_id="boss", time_zone="Asia/Singapore")
TEAM = [person(f"t{i}", email=f"t{i}@example.com", manager_id="m1") for i in range(1, 4)]
PEOPLE = {p.email: p for p in (MANAGER, REPORT, PEER, *TEAM)}
DIRECTORY = Directory.of({p.id: p for p in PEOPLE.values()})

BERLIN_TZ = """\
BEGIN:VTIMEZONE
TZID:Europe/Berlin
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
TZNAME:CEST
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
TZNAME:CET
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE
"""


def vevent(
    uid: str,
    start: str,
    end: str,
    *,
    summary: str = "Catch-up",
    organizer: str | None = "maria@example.com",
    attendees: Iterable[str] = ("maria@example.com", "rafael@example.com"),
    extra: Iterable[str] = (),
) -> str:
    lines = [
        "BEGIN:VEVENT",
        f"UID:{uid}",
        "DTSTAMP:20260220T120000Z",
        f"DTSTART{start}",
        f"DTEND{end}",
        f"SUMMARY:{summary}",
    ]
    if organizer:
        lines.append(f"ORGANIZER:mailto:{organizer}")
    lines += [f"ATTENDEE;PARTSTAT=ACCEPTED:mailto:{a}" for a in attendees]
    lines += [*extra, "END:VEVENT"]
    return "\r\n".join(lines) + "\r\n"


def calendar(*parts: str) -> str:
    return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Kairos tests//EN\r\n" + "".join(parts) + "END:VCALENDAR\r\n"


def parse(text: str, window: tuple[datetime, datetime] = WINDOW) -> tuple[list[Meeting], dict[str, int]]:
    read = parse_calendar(text, "team.ics", window=window, directory=DIRECTORY)
    return read.meetings, dict(read.skipped)


def starts(found: list[Meeting]) -> list[datetime]:
    return sorted(m.start for m in found)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# --- time --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("with_vtimezone", [False, True], ids=["tzid-only", "with-vtimezone"])
def test_a_weekly_berlin_meeting_keeps_its_local_time_across_the_eu_dst_change(with_vtimezone: bool) -> None:
    event = vevent(
        "w@x",
        ";TZID=Europe/Berlin:20260316T100000",
        ";TZID=Europe/Berlin:20260316T103000",
        extra=["RRULE:FREQ=WEEKLY;COUNT=4"],
    )

    found, _ = parse(calendar(BERLIN_TZ if with_vtimezone else "", event))

    # 10:00 CET is 09:00 UTC until Sunday 29 March 2026, then 10:00 CEST is 08:00 UTC
    assert starts(found) == [utc(2026, 3, 16, 9), utc(2026, 3, 23, 9), utc(2026, 3, 30, 8), utc(2026, 4, 6, 8)]
    assert all((m.end - m.start).total_seconds() == 1800 for m in found)
    assert all(m.start.tzinfo is not None and m.start.utcoffset() == UTC.utcoffset(None) for m in found)


def test_a_weekly_new_york_meeting_keeps_its_local_time_across_the_us_dst_change() -> None:
    event = vevent(
        "ny@x",
        ";TZID=America/New_York:20260302T090000",
        ";TZID=America/New_York:20260302T093000",
        extra=["RRULE:FREQ=WEEKLY;COUNT=3"],
    )

    found, _ = parse(calendar(event))

    # 09:00 EST is 14:00 UTC; after Sunday 8 March 2026, 09:00 EDT is 13:00 UTC
    assert starts(found) == [utc(2026, 3, 2, 14), utc(2026, 3, 9, 13), utc(2026, 3, 16, 13)]


def test_only_occurrences_inside_the_window_are_expanded() -> None:
    event = vevent(
        "w@x", ";TZID=Europe/Berlin:20260105T100000", ";TZID=Europe/Berlin:20260105T103000", extra=["RRULE:FREQ=WEEKLY"]
    )

    found, _ = parse(calendar(event), window=(utc(2026, 3, 2), utc(2026, 3, 16)))

    assert starts(found) == [utc(2026, 3, 2, 9), utc(2026, 3, 9, 9)]


def test_an_exdate_removes_one_occurrence() -> None:
    event = vevent(
        "w@x",
        ";TZID=Europe/Berlin:20260316T100000",
        ";TZID=Europe/Berlin:20260316T103000",
        extra=["RRULE:FREQ=WEEKLY;COUNT=4", "EXDATE;TZID=Europe/Berlin:20260323T100000"],
    )

    found, _ = parse(calendar(event))

    assert starts(found) == [utc(2026, 3, 16, 9), utc(2026, 3, 30, 8), utc(2026, 4, 6, 8)]


def test_a_recurrence_id_override_moves_one_occurrence_and_keeps_its_original_key() -> None:
    series = vevent(
        "w@x",
        ";TZID=Europe/Berlin:20260316T100000",
        ";TZID=Europe/Berlin:20260316T103000",
        extra=["RRULE:FREQ=WEEKLY;COUNT=3"],
    )
    moved = vevent(
        "w@x",
        ";TZID=Europe/Berlin:20260324T150000",
        ";TZID=Europe/Berlin:20260324T160000",
        summary="Catch-up (moved)",
        extra=["RECURRENCE-ID;TZID=Europe/Berlin:20260323T100000"],
    )

    found, _ = parse(calendar(series, moved))

    assert starts(found) == [utc(2026, 3, 16, 9), utc(2026, 3, 24, 14), utc(2026, 3, 30, 8)]
    override = next(m for m in found if m.start == utc(2026, 3, 24, 14))
    assert override.title == "Catch-up (moved)"
    assert override.end == utc(2026, 3, 24, 15)
    assert override.key == "w@x@2026-03-23T09:00:00+00:00"
    assert len({m.key for m in found}) == 3


def test_a_floating_time_is_read_in_the_organizers_time_zone() -> None:
    event = vevent("f@x", ":20260316T090000", ":20260316T093000", organizer="rafael@example.com")

    (meeting,) = parse(calendar(event))[0]

    assert meeting.start == utc(2026, 3, 16, 13)  # 09:00 in New York (EDT), the organizer's zone


def test_a_floating_time_without_a_known_organizer_is_read_in_the_default_zone() -> None:
    event = vevent("f@x", ":20260316T090000", ":20260316T093000", organizer="stranger@elsewhere.example")

    (meeting,) = parse_calendar(
        calendar(event), "team.ics", window=WINDOW, directory=DIRECTORY, default_zone="Asia/Singapore"
    ).meetings

    assert meeting.start == utc(2026, 3, 16, 1)


def test_a_utc_time_is_taken_as_it_is() -> None:
    (meeting,) = parse(calendar(vevent("u@x", ":20260316T090000Z", ":20260316T093000Z")))[0]

    assert (meeting.start, meeting.end) == (utc(2026, 3, 16, 9), utc(2026, 3, 16, 9, 30))


def test_a_duration_instead_of_an_end_gives_the_end() -> None:
    event = vevent("d@x", ":20260316T090000Z", ":20260316T093000Z").replace("DTEND:20260316T093000Z", "DURATION:PT45M")

    (meeting,) = parse(calendar(event))[0]

    assert meeting.end == utc(2026, 3, 16, 9, 45)


def test_a_weekly_one_on_one_with_one_occurrence_moved_and_two_cancelled() -> None:
    # The real shape of a manager's 1:1 series a month in: one week moved, one excluded, one cancelled.
    series = vevent(
        "w@x",
        ";TZID=Europe/Berlin:20260302T100000",
        ";TZID=Europe/Berlin:20260302T103000",
        extra=["RRULE:FREQ=WEEKLY;COUNT=5", "EXDATE;TZID=Europe/Berlin:20260316T100000"],
    )
    moved = vevent(
        "w@x",
        ";TZID=Europe/Berlin:20260310T140000",
        ";TZID=Europe/Berlin:20260310T143000",
        extra=["RECURRENCE-ID;TZID=Europe/Berlin:20260309T100000"],
    )
    cancelled = vevent(
        "w@x",
        ";TZID=Europe/Berlin:20260323T100000",
        ";TZID=Europe/Berlin:20260323T103000",
        extra=["RECURRENCE-ID;TZID=Europe/Berlin:20260323T100000", "STATUS:CANCELLED"],
    )

    read = parse_calendar(calendar(series, moved, cancelled), "team.ics", window=WINDOW, directory=DIRECTORY)

    assert starts(read.meetings) == [utc(2026, 3, 2, 9), utc(2026, 3, 10, 13), utc(2026, 3, 30, 8)]
    assert read.cancelled == {"w@x@2026-03-23T09:00:00+00:00": "marked cancelled"}
    assert dict(read.skipped) == {"cancelled": 1}
    assert read.described == {"w@x"}  # so a stored 16 March occurrence (now excluded) is cancelled on import
    assert {m.kind for m in read.meetings} == {MeetingKind.ONE_ON_ONE}


@pytest.mark.parametrize(
    ("tzid", "vtimezone"),
    [
        ("Customized Time Zone", BERLIN_TZ.replace("TZID:Europe/Berlin", "TZID:Customized Time Zone")),
        ("W. Europe Standard Time", ""),
        ("W. Europe Standard Time", BERLIN_TZ.replace("TZID:Europe/Berlin", "TZID:W. Europe Standard Time")),
    ],
    ids=["custom-tzid-with-vtimezone", "windows-name", "windows-name-with-vtimezone"],
)
def test_a_series_in_an_outlook_zone_stays_at_10_00_local_across_the_dst_change(tzid: str, vtimezone: str) -> None:
    event = vevent("o@x", f";TZID={tzid}:20260323T100000", f";TZID={tzid}:20260323T103000",
                   extra=["RRULE:FREQ=WEEKLY;COUNT=3"])  # fmt: skip

    found, _ = parse(calendar(vtimezone, event))

    assert starts(found) == [utc(2026, 3, 23, 9), utc(2026, 3, 30, 8), utc(2026, 4, 6, 8)]


def test_an_all_day_series_is_counted_for_each_occurrence_and_never_stored() -> None:
    event = vevent("a@x", ";VALUE=DATE:20260316", ";VALUE=DATE:20260317", summary="On call",
                   extra=["RRULE:FREQ=WEEKLY;COUNT=3"])  # fmt: skip

    found, skipped = parse(calendar(event))

    assert found == [] and skipped == {"all_day": 3}


def test_a_meeting_across_midnight_keeps_its_end_on_the_next_day() -> None:
    event = vevent("n@x", ";TZID=Europe/Berlin:20260318T233000", ";TZID=Europe/Berlin:20260319T003000")

    (meeting,) = parse(calendar(event))[0]

    assert (meeting.start, meeting.end) == (utc(2026, 3, 18, 22, 30), utc(2026, 3, 18, 23, 30))
    assert meeting.key == "n@x@once"


def test_declined_attendees_and_rooms_do_not_count_as_attending() -> None:
    event = vevent(
        "r@x",
        ":20260316T090000Z",
        ":20260316T093000Z",
        summary="Catch-up",
        attendees=["rafael@example.com"],
        extra=[
            "ATTENDEE;CUTYPE=ROOM;PARTSTAT=ACCEPTED:mailto:room.412@example.com",
            "ATTENDEE;PARTSTAT=DECLINED:mailto:t1@example.com",
        ],
    )

    (meeting,) = parse(calendar(event))[0]

    assert meeting.attendee_emails == ("maria@example.com", "rafael@example.com")
    assert meeting.kind == MeetingKind.ONE_ON_ONE


def test_a_one_off_event_is_keyed_by_its_uid_alone_so_moving_it_keeps_its_key() -> None:
    before = parse(calendar(vevent("c@x", ":20260317T100000Z", ":20260317T103000Z")))[0][0]
    after = parse(calendar(vevent("c@x", ":20260319T090000Z", ":20260319T093000Z")))[0][0]

    assert before.key == after.key == "c@x@once"


def test_an_occurrence_moved_out_of_the_window_is_still_read_under_its_original_key() -> None:
    series = vevent("w@x", ";TZID=Europe/Berlin:20260316T100000", ";TZID=Europe/Berlin:20260316T103000",
                    extra=["RRULE:FREQ=WEEKLY;COUNT=2"])  # fmt: skip
    moved = vevent("w@x", ";TZID=Europe/Berlin:20260520T100000", ";TZID=Europe/Berlin:20260520T103000",
                   extra=["RECURRENCE-ID;TZID=Europe/Berlin:20260323T100000"])  # fmt: skip

    found, _ = parse(calendar(series, moved))

    assert {m.key: m.start for m in found} == {
        "w@x@2026-03-16T09:00:00+00:00": utc(2026, 3, 16, 9),
        "w@x@2026-03-23T09:00:00+00:00": utc(2026, 5, 20, 8),
    }


def test_an_rdate_adds_an_occurrence_to_a_series() -> None:
    event = vevent("w@x", ";TZID=Europe/Berlin:20260316T100000", ";TZID=Europe/Berlin:20260316T103000",
                   extra=["RRULE:FREQ=WEEKLY;COUNT=2", "RDATE;TZID=Europe/Berlin:20260401T140000"])  # fmt: skip

    found, _ = parse(calendar(event))

    assert starts(found) == [utc(2026, 3, 16, 9), utc(2026, 3, 23, 9), utc(2026, 4, 1, 12)]


def test_the_edge_cases_example_reads_as_documented() -> None:
    northwind = Directory.of({p.id: p for p in parse_people(DEMO / "people.csv", as_of=date(2026, 3, 2))})
    text = (DEMO.parent / "calendars" / "edge-cases.ics").read_text()

    read = parse_calendar(text, "edge-cases.ics", window=WINDOW, directory=northwind)

    by_title = {m.title: m for m in read.meetings}
    assert len(read.meetings) == 17 and dict(read.skipped) == {"cancelled": 1, "all_day": 1}
    assert by_title["Ayşe / Elif 1:1 (moved to Tuesday)"].start == utc(2026, 3, 24, 14)
    assert by_title["Coffee with Magnus"].start == utc(2026, 3, 20, 15)  # floating: the organizer's Berlin
    assert by_title["Data & Insights stand-up"].attendee_ids == ("nw-007", "nw-029", "nw-030")  # Joost declined


# --- what kind of meeting ----------------------------------------------------------------------------


def test_a_manager_and_report_alone_are_a_one_on_one_whatever_the_title_says() -> None:
    (meeting,) = parse(calendar(vevent("c@x", ":20260316T090000Z", ":20260316T093000Z", summary="Coffee chat")))[0]

    assert meeting.kind == MeetingKind.ONE_ON_ONE
    assert "m1 is the manager of r1" in meeting.kind_reason
    assert meeting.attendee_ids == ("m1", "r1")


def test_a_1_1_title_makes_two_people_without_a_reporting_line_a_one_on_one() -> None:
    event = vevent(
        "p@x",
        ":20260316T090000Z",
        ":20260316T093000Z",
        summary="Rafael / Xenia 1:1",
        organizer="rafael@example.com",
        attendees=["rafael@example.com", "xenia@example.com"],
    )

    (meeting,) = parse(calendar(event))[0]

    assert meeting.kind == MeetingKind.ONE_ON_ONE
    assert "title" in meeting.kind_reason and "1:1" in meeting.kind_reason


def test_two_people_without_a_reporting_line_or_a_1_1_title_are_other() -> None:
    event = vevent(
        "p@x",
        ":20260316T090000Z",
        ":20260316T093000Z",
        summary="Coffee chat",
        organizer="rafael@example.com",
        attendees=["rafael@example.com", "xenia@example.com"],
    )

    (meeting,) = parse(calendar(event))[0]

    assert meeting.kind == MeetingKind.OTHER


def test_a_five_person_team_weekly_is_a_team_meeting() -> None:
    five = ["maria@example.com", "rafael@example.com", "t1@example.com", "t2@example.com", "t3@example.com"]
    event = vevent("t@x", ":20260316T090000Z", ":20260316T100000Z", summary="Platform team weekly", attendees=five)

    (meeting,) = parse(calendar(event))[0]

    assert meeting.kind == MeetingKind.TEAM_MEETING
    assert meeting.kind_reason.startswith("m1 attends with 4 of their direct reports")
    assert meeting.attendee_ids == ("m1", "r1", "t1", "t2", "t3")


def test_attendees_who_are_not_people_are_kept_as_emails_but_not_resolved() -> None:
    event = vevent(
        "v@x", ":20260316T090000Z", ":20260316T093000Z", attendees=["maria@example.com", "vendor@supplier.example"]
    )

    (meeting,) = parse(calendar(event))[0]

    assert meeting.attendee_emails == ("maria@example.com", "vendor@supplier.example")
    assert meeting.attendee_ids == ("m1",)


# --- left out ----------------------------------------------------------------------------------------


def test_all_day_and_cancelled_events_are_left_out_and_counted() -> None:
    all_day = vevent("a@x", ";VALUE=DATE:20260317", ";VALUE=DATE:20260318", summary="Offsite")
    cancelled = vevent("c@x", ":20260318T090000Z", ":20260318T093000Z", extra=["STATUS:CANCELLED"])
    kept = vevent("k@x", ":20260319T090000Z", ":20260319T093000Z")

    found, skipped = parse(calendar(all_day, cancelled, kept))

    assert [m.uid for m in found] == ["k@x"]
    assert skipped == {"all_day": 1, "cancelled": 1}


@pytest.mark.parametrize(
    "text",
    [
        "this is not a calendar",
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:no end\r\n",
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\nSUMMARY:no start\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n",
        "",
    ],
)
def test_garbage_is_an_input_error_naming_the_file(text: str) -> None:
    with pytest.raises(InputError) as caught:
        parse(text)

    assert caught.value.problems[0].file == "team.ics"
    assert "team.ics" in str(caught.value)


def test_an_event_without_a_uid_is_an_input_error() -> None:
    event = vevent("gone@x", ":20260316T090000Z", ":20260316T093000Z").replace("UID:gone@x\r\n", "")

    with pytest.raises(InputError) as caught:
        parse(calendar(event))

    assert caught.value.problems[0].field == "UID"


# --- importing ---------------------------------------------------------------------------------------


def write_people(tmp_path: Path, people: Iterable[Person]) -> Path:
    lines = ["id,name,email,manager_id,role,level,team,location,time_zone,start_date"] + [
        f"{p.id},{p.name},{p.email},{p.manager_id or ''},{p.role},{p.level},{p.team},{p.location},{p.time_zone},"
        for p in people
    ]
    path = tmp_path / "people.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_importing_stores_each_occurrence_once_with_an_event(db: Database, tmp_path: Path) -> None:
    boss = person("boss", email="boss@example.com")
    import_people(db, write_people(tmp_path, [boss, MANAGER, REPORT, PEER, *TEAM]), as_of=date(2026, 3, 1), now=NOW)
    path = tmp_path / "team.ics"
    path.write_text(
        calendar(
            vevent(
                "w@x",
                ";TZID=Europe/Berlin:20260316T100000",
                ";TZID=Europe/Berlin:20260316T103000",
                extra=["RRULE:FREQ=WEEKLY;COUNT=4"],
            )
        ),
        encoding="utf-8",
    )

    first = import_calendar(db, path, window=WINDOW, now=NOW)
    again = import_calendar(db, path, window=WINDOW, now=NOW)

    assert (first.meetings, again.meetings) == (4, 4)
    assert (first.events, again.events) == (4, 0)
    with db.transaction() as conn:
        stored = conn.execute(select(meetings).order_by(meetings.c.start)).all()
        scheduled = conn.execute(
            select(func.count()).select_from(events).where(events.c.type == "meeting.scheduled")
        ).scalar_one()
    assert [m.kind for m in stored] == ["one_on_one"] * 4
    assert stored[2].start == utc(2026, 3, 30, 8)
    assert scheduled == 4


def test_the_demo_calendar_imports_into_134_occurrences_over_two_weeks(db: Database) -> None:
    import_people(db, DEMO / "people.csv", as_of=date(2026, 3, 1), now=NOW)

    result = import_calendar(db, DEMO / "calendar.ics", window=(utc(2026, 3, 2), utc(2026, 3, 16)), now=NOW)

    assert result.meetings == 134
    assert result.events == 134
    assert result.skipped == {}
    with db.transaction() as conn:
        assert conn.execute(select(func.count()).select_from(meetings)).scalar_one() == 134
        kinds = dict(conn.execute(select(meetings.c.kind, func.count()).group_by(meetings.c.kind)).all())
    assert kinds["one_on_one"] > kinds["team_meeting"] > 0


def test_overlong_uids_titles_and_organizers_are_stored_without_overflowing_columns(
    db: Database, tmp_path: Path
) -> None:
    import_people(
        db,
        write_people(tmp_path, [person("boss", email="boss@example.com"), MANAGER, REPORT, PEER]),
        as_of=date(2026, 3, 1),
        now=NOW,
    )
    long_uid = "040000008200E00074C5B7101A82E008" * 8  # 256 characters, as some servers write them
    one = vevent(
        long_uid,
        ":20260316T090000Z",
        ":20260316T093000Z",
        summary="1:1 " + "t" * 600,
        organizer="rafael@example.com",
        attendees=["rafael@example.com", "xenia@example.com"],
    )
    other = vevent(long_uid + "-2", ":20260317T090000Z", ":20260317T093000Z", organizer="o" * 400 + "@example.com")
    path = tmp_path / "team.ics"
    path.write_text(calendar(one, other), encoding="utf-8")

    result = import_calendar(db, path, window=WINDOW, now=NOW)

    assert result.meetings == 2
    with db.transaction() as conn:
        stored = conn.execute(select(meetings).order_by(meetings.c.start)).all()
    assert len({m.key for m in stored}) == 2
    assert all(len(m.key) <= 200 for m in stored)
    assert stored[0].kind == "one_on_one" and len(stored[0].kind_reason) <= 500
    assert stored[0].uid.startswith(long_uid[:100])


def test_two_calendars_with_the_same_custom_tzid_each_keep_their_own_zone() -> None:
    berlin_rules = BERLIN_TZ.replace("TZID:Europe/Berlin", "TZID:Customized Time Zone")
    event = vevent("c@x", ";TZID=Customized Time Zone:20260323T100000", ";TZID=Customized Time Zone:20260323T103000")
    berlin, _ = parse(calendar(berlin_rules, event))
    assert starts(berlin) == [utc(2026, 3, 23, 9)]
    new_york = (
        "BEGIN:VTIMEZONE\r\nTZID:Customized Time Zone\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\n"
        "TZOFFSETFROM:-0500\r\nTZOFFSETTO:-0500\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
    )
    other, _ = parse(calendar(new_york, event))
    assert starts(other) == [utc(2026, 3, 23, 15)]  # the second file's own definition, not the first one's
