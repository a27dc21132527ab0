"""Google Calendar and Microsoft Graph event JSON: series, exceptions, cancellations, zones, and errors with paths."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from kairos.domain.meeting import Meeting, MeetingKind
from kairos.errors import InputError
from kairos.ingest.calendar import detect_format, import_calendar_file
from kairos.ingest.email_aliases import import_email_aliases
from kairos.ingest.google_calendar import parse_google_events
from kairos.ingest.graph_calendar import parse_graph_events
from kairos.ingest.meeting_sync import CalendarRead, Directory
from kairos.ingest.people import import_people, parse_people
from kairos.store import Database
from kairos.store.schema import events, meetings
from tests.conftest import DEMO, EXAMPLES
from tests.factories import people_csv

CALENDARS = EXAMPLES / "calendars"
WINDOW = (datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 5, 1, tzinfo=UTC))
NOW = datetime(2026, 2, 27, 12, tzinfo=UTC)
NORTHWIND = Directory.of({p.id: p for p in parse_people(DEMO / "people.csv", as_of=date(2026, 3, 2))})
KAVYA_1ON1 = "4k2s9c0fhv1onfqk6l3m1e8gtu"
HANNAH_1ON1 = "AAMkADk0MGFkODE3LWE4MmYtNDRhOS1hMGUyLTZlMzRmMjBkYjlkZgBGAAAAAAC-series-1on1"


def google(doc: Any) -> CalendarRead:
    return parse_google_events(doc, "google.json", window=WINDOW, directory=NORTHWIND)


def graph(doc: Any) -> CalendarRead:
    return parse_graph_events(doc, "graph.json", window=WINDOW, directory=NORTHWIND)


def example(name: str) -> Any:
    return json.loads((CALENDARS / name).read_text())


def of_uid(read: CalendarRead, uid: str) -> list[Meeting]:
    return sorted((m for m in read.meetings if m.uid == uid), key=lambda m: m.start)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# --- Google Calendar -----------------------------------------------------------------------------------------


def test_a_google_weekly_one_on_one_keeps_its_moved_occurrence_and_drops_the_cancelled_and_excluded_ones() -> None:
    read = google(example("google-events.json"))

    series = of_uid(read, KAVYA_1ON1)
    # Mondays 10:00 New York, 8 occurrences: 9 March moved to Tuesday 15:00, 16 March excluded, 23 March cancelled
    assert [m.start for m in series] == [
        utc(2026, 3, 2, 15), utc(2026, 3, 10, 19), utc(2026, 3, 30, 14), utc(2026, 4, 6, 14), utc(2026, 4, 13, 14),
        utc(2026, 4, 20, 14),
    ]  # fmt: skip
    moved = series[1]
    assert moved.key == f"{KAVYA_1ON1}@2026-03-09T14:00:00+00:00" and moved.title.endswith("(moved: offsite Monday)")
    assert read.cancelled == {f"{KAVYA_1ON1}@2026-03-23T14:00:00+00:00": "marked cancelled"}
    assert {m.kind for m in series} == {MeetingKind.ONE_ON_ONE}


def test_google_items_that_are_not_meetings_are_counted_and_a_deleted_event_is_removed() -> None:
    read = google(example("google-events.json"))

    assert read.skipped == {"cancelled": 1, "all_day": 1, "not_a_meeting": 1}
    assert read.removed == {"0q9w8e7r6t5y4u3i2o1p0a9s8d": "the event was deleted from the calendar"}
    assert KAVYA_1ON1 in read.described


def test_google_declined_attendees_and_rooms_do_not_count_as_attending() -> None:
    read = google(example("google-events.json"))

    weekly = of_uid(read, "7g1q3tk2b0m4s8f5a9c6e2d1h0")[0]
    assert "rafael.souza@northwind.example" not in weekly.attendee_emails  # declined
    assert weekly.kind == MeetingKind.TEAM_MEETING
    one_on_one = of_uid(read, KAVYA_1ON1)[0]
    assert one_on_one.attendee_emails == ("oluwaseun.balogun@northwind.example", "kavya.menon@northwind.example")


def test_a_google_candidate_from_outside_makes_an_interview() -> None:
    (interview,) = of_uid(google(example("google-events.json")), "2v8n5r1c7k3j9h6g4f2d0s8a1q")

    assert interview.kind == MeetingKind.INTERVIEW and interview.occurrence == "once"
    assert "sam.candidate@gmail.example" in interview.kind_reason


def test_an_unknown_calendar_zone_is_named_at_the_top_of_the_document() -> None:
    item = {"id": "a", "start": {"dateTime": "2026-03-16T10:00:00Z"}}
    with pytest.raises(InputError) as caught:
        google({"timeZone": "Atlantis/Lost", "items": [item]})

    assert caught.value.problems[0].field == "timeZone"


@pytest.mark.parametrize(
    ("item", "field", "expected"),
    [
        ({"id": "a", "start": {"dateTime": "next tuesday"}}, "items[0].start.dateTime", "an ISO 8601 date-time"),
        ({"id": "a", "start": {"dateTime": "2026-03-16T10:00:00", "timeZone": "Mars/Olympus"}},
         "items[0].start.timeZone", "an IANA or Windows time zone name"),
        ({"id": "a", "start": {"dateTime": "2026-03-16T10:00:00Z"}, "recurrence": ["FREQ=WEEKLY"]},
         "items[0].recurrence[0]", "an RRULE, RDATE or EXDATE line"),
        ({"id": "a", "start": {"dateTime": "2026-03-16T10:00:00Z"}, "recurrence": ["RRULE:FREQ=SOMETIMES"]},
         "items[0].recurrence[0]", "a recurrence line as RFC 5545 writes it"),
        ({"start": {"dateTime": "2026-03-16T10:00:00Z"}}, "items[0].id", "a text value"),
        ({"id": "a", "start": {"dateTime": "2026-03-16T10:00:00Z"}, "summary": "nul\x00here"}, "items[0].summary",
         "text of at most"),
        ({"id": "a", "start": {"dateTime": "2026-03-16T10:00:00Z"}, "attendees": ["x@y.z"]}, "items[0].attendees[0]",
         "an attendee object"),
    ],
)  # fmt: skip
def test_a_bad_google_item_is_an_input_error_naming_the_json_path(
    item: dict[str, Any], field: str, expected: str
) -> None:
    with pytest.raises(InputError) as caught:
        google({"items": [item]})

    problem = caught.value.problems[0]
    assert (problem.file, problem.field) == ("google.json", field)
    assert problem.expected.startswith(expected)


# --- Microsoft Graph -----------------------------------------------------------------------------------------


def test_a_graph_series_in_a_windows_zone_keeps_10_30_local_across_the_eu_dst_change() -> None:
    series = of_uid(graph(example("graph-events.json")), HANNAH_1ON1)

    # Tuesdays 09:30 "W. Europe Standard Time": 08:30 UTC in March, 07:30 UTC from 29 March
    assert [m.start for m in series] == [
        utc(2026, 3, 3, 8, 30), utc(2026, 3, 10, 8, 30), utc(2026, 3, 18, 13), utc(2026, 3, 24, 8, 30),
        utc(2026, 4, 7, 7, 30), utc(2026, 4, 14, 7, 30), utc(2026, 4, 21, 7, 30),
    ]  # fmt: skip
    assert series[2].key == f"{HANNAH_1ON1}@2026-03-17T08:30:00+00:00"  # the exception, moved to Wednesday 14:00


def test_graph_cancellations_deletions_and_all_day_events() -> None:
    read = graph(example("graph-events.json"))

    assert read.cancelled == {f"{HANNAH_1ON1}@2026-03-31T07:30:00+00:00": "marked cancelled"}
    assert list(read.removed) == ["AAMkADk0MGFkODE3LWE4MmYtNDRhOS1hMGUyLTZlMzRmMjBkYjlkZgBGAAAAAAC-deleted"]
    assert read.skipped == {"cancelled": 1, "all_day": 1}


def test_graph_kinds_come_from_structure_and_title() -> None:
    by_title = {m.title: m for m in graph(example("graph-events.json")).meetings}

    assert by_title["Mid-year review: Phương"].kind == MeetingKind.PERFORMANCE_CONVERSATION
    kickoff = by_title["Project Atlas kickoff"]
    assert kickoff.kind == MeetingKind.PROJECT_KICKOFF and kickoff.start == utc(2026, 3, 24, 8)  # 16:00 Singapore
    assert "kofi.owusu@northwind.example" not in kickoff.attendee_emails  # declined
    assert "room.spree@northwind.example" not in by_title["Hannah / Matthias 1:1"].attendee_emails  # a room


def master(pattern: dict[str, Any], span: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "value": [
            {
                "id": "m",
                "type": "seriesMaster",
                "subject": "Monthly",
                "start": {"dateTime": "2026-03-27T16:00:00.0000000", "timeZone": "Eastern Standard Time"},
                "end": {"dateTime": "2026-03-27T16:30:00.0000000", "timeZone": "Eastern Standard Time"},
                "recurrence": {"pattern": pattern, "range": span},
                **extra,
            }
        ]
    }


def test_a_graph_relative_monthly_pattern_means_the_last_friday_of_each_month() -> None:
    read = graph(master({"type": "relativeMonthly", "interval": 1, "daysOfWeek": ["friday"], "index": "last"},
                        {"type": "noEnd", "startDate": "2026-03-27"}))  # fmt: skip

    assert [m.start for m in read.meetings] == [utc(2026, 3, 27, 20), utc(2026, 4, 24, 20)]


def test_a_graph_end_date_includes_that_day_and_cancelled_occurrences_are_excluded() -> None:
    read = graph(
        master(
            {"type": "weekly", "interval": 1, "daysOfWeek": ["friday"], "firstDayOfWeek": "sunday"},
            {"type": "endDate", "startDate": "2026-03-27", "endDate": "2026-04-17"},
            cancelledOccurrences=["OID.m.2026-04-03"],
        )
    )

    assert [m.start for m in read.meetings] == [utc(2026, 3, 27, 20), utc(2026, 4, 10, 20), utc(2026, 4, 17, 20)]


@pytest.mark.parametrize(
    ("item", "field"),
    [
        ({"id": "a", "start": {"dateTime": "2026-03-16T10:00:00", "timeZone": "Mars Standard Time"}},
         "value[0].start.timeZone"),
        ({"id": "a", "type": "appointment", "start": {"dateTime": "2026-03-16T10:00:00", "timeZone": "UTC"}},
         "value[0].type"),
        ({"id": "a", "type": "exception", "start": {"dateTime": "2026-03-16T10:00:00", "timeZone": "UTC"}},
         "value[0].seriesMasterId"),
        ({"id": "a", "type": "seriesMaster", "start": {"dateTime": "2026-03-16T10:00:00", "timeZone": "UTC"},
          "recurrence": {"pattern": {"type": "fortnightly"}}}, "value[0].recurrence.pattern.type"),
    ],
)  # fmt: skip
def test_a_bad_graph_item_is_an_input_error_naming_the_json_path(item: dict[str, Any], field: str) -> None:
    with pytest.raises(InputError) as caught:
        graph({"value": [item]})

    assert caught.value.problems[0].field == field


# --- telling formats apart, importing, aliases -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [("edge-cases.ics", "ical"), ("google-events.json", "google-calendar"), ("graph-events.json", "graph-calendar")],
)
def test_a_calendar_file_is_told_apart_by_its_content(name: str, expected: str) -> None:
    assert detect_format((CALENDARS / name).read_text(), name) == expected


@pytest.mark.parametrize("text", ['{"people": []}', "[1, 2]", "id,name\n1,x\n", '{"items": '])
def test_a_file_that_is_no_calendar_is_refused_saying_what_was_expected(text: str) -> None:
    with pytest.raises(InputError) as caught:
        detect_format(text, "upload.json")

    assert caught.value.problems[0].file == "upload.json"


def test_importing_google_json_records_each_occurrence_once_under_its_own_source(db: Database) -> None:
    import_people(db, DEMO / "people.csv", as_of=date(2026, 2, 27), now=NOW)

    kind, first = import_calendar_file(db, CALENDARS / "google-events.json", window=WINDOW, now=NOW)
    _, again = import_calendar_file(db, CALENDARS / "google-events.json", window=WINDOW, now=NOW)

    assert kind == "google-calendar"
    assert (first.new, first.events, again.events) == (16, 16, 0)  # 6 one-on-ones, 9 team weeklies, 1 interview
    with db.transaction() as conn:
        sources = {r.source for r in conn.execute(select(events.c.source).where(events.c.type == "meeting.scheduled"))}
    assert sources == {"kairos/google-calendar/google-events.json"}


def test_an_attendee_writing_from_an_alias_is_resolved_to_the_person(db: Database, tmp_path: Path) -> None:
    people_csv(
        tmp_path / "people.csv",
        [
            "boss,Bea Boss,bea@example.com,,Manager,M1,Core,Berlin,Europe/Berlin,2020-01-01",
            "rep,Rita Report,rita@example.com,boss,Engineer,IC2,Core,Berlin,Europe/Berlin,2022-01-01",
        ],
    )
    import_people(db, tmp_path / "people.csv", as_of=date(2026, 2, 27), now=NOW)
    (tmp_path / "aliases.csv").write_text("email,person_id\nRita.Report@Old-Domain.example,rep\n")
    assert import_email_aliases(db, tmp_path / "aliases.csv", now=NOW) == 1
    doc = {"items": [{"id": "e1", "summary": "Catch-up", "organizer": {"email": "bea@example.com"},
                      "start": {"dateTime": "2026-03-17T10:00:00+01:00"},
                      "attendees": [{"email": "rita.report@old-domain.example"}]}]}  # fmt: skip
    (tmp_path / "events.json").write_text(json.dumps(doc))

    import_calendar_file(db, tmp_path / "events.json", window=WINDOW, now=NOW)

    with db.transaction() as conn:
        (stored,) = conn.execute(select(meetings)).all()
    assert stored.attendee_ids == ["boss", "rep"] and stored.kind == "one_on_one"


@pytest.mark.parametrize(
    ("rows", "field"),
    [
        ("not-an-address,rep", "email"),
        ("bea@example.com,rep", "email"),  # Bea's own address
        ("r@old.example,nobody", "person_id"),
    ],
)
def test_a_bad_alias_file_stores_nothing_and_names_the_row(db: Database, tmp_path: Path, rows: str, field: str) -> None:
    people_csv(
        tmp_path / "people.csv",
        [
            "boss,Bea Boss,bea@example.com,,Manager,M1,Core,Berlin,Europe/Berlin,2020-01-01",
            "rep,Rita Report,rita@example.com,boss,Engineer,IC2,Core,Berlin,Europe/Berlin,2022-01-01",
        ],
    )
    import_people(db, tmp_path / "people.csv", as_of=date(2026, 2, 27), now=NOW)
    (tmp_path / "aliases.csv").write_text(f"email,person_id\nok@old.example,rep\n{rows}\n")

    with pytest.raises(InputError) as caught:
        import_email_aliases(db, tmp_path / "aliases.csv", now=NOW)

    assert (caught.value.problems[0].row, caught.value.problems[0].field) == (3, field)
