"""Whatever calendar arrives — .ics text, Google or Graph JSON, or bytes that are none of these — the readers
answer with meetings or an InputError, never another exception.

The strategies draw from real property lines, real JSON keys and the values that break readers (Windows and
bogus zone names, folded lines, dates where times belong, lists where objects belong, NUL and lone surrogates).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from kairos.errors import InputError
from kairos.ingest.base import decode_text
from kairos.ingest.calendar import parse_calendar_file
from kairos.ingest.google_calendar import parse_google_events
from kairos.ingest.graph_calendar import parse_graph_events
from kairos.ingest.meeting_sync import CalendarRead, Directory
from tests.factories import person

QUICK = settings(max_examples=80, deadline=None)
WINDOW = (datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 15, tzinfo=UTC))
DIRECTORY = Directory.of(
    {
        "m1": person("m1", email="maria@example.com"),
        "r1": person("r1", email="rafael@example.com", manager_id="m1", time_zone="America/New_York"),
        "r2": person("r2", email="rita@example.com", manager_id="m1"),
    },
    {"maria.alias@example.com": "m1"},
)


def never_crashes(call: Any, *args: Any, **kwargs: Any) -> CalendarRead | None:
    """Run ``call``: meetings are fine, an InputError is fine; any other exception fails the property."""
    try:
        read = call(*args, **kwargs)
    except InputError as exc:
        assert exc.problems and len(str(exc)) < 20_000
        return None
    if isinstance(read, tuple):
        read = read[1]
    assert isinstance(read, CalendarRead)
    for meeting in read.meetings:
        assert meeting.start.tzinfo is not None and meeting.end >= meeting.start
        assert len(meeting.key) <= 200 and len(meeting.title) <= 500 and len(meeting.kind_reason) <= 500
        assert set(meeting.attendee_ids) <= {"m1", "r1", "r2"}
    assert all(n > 0 for n in read.skipped.values())
    return read


def parse_any(text: str) -> Any:
    return parse_calendar_file(text, "calendar", window=WINDOW, directory=DIRECTORY)


# --- iCalendar ---------------------------------------------------------------------------------------------

ICS_LINES = [
    "DTSTART;TZID=W. Europe Standard Time:20260316T100000",
    "DTSTART;TZID=Customized Time Zone:20260316T100000",
    "DTSTART;TZID=Mars/Olympus:20260316T100000",
    "DTSTART;TZID=Europe:20260316T100000",
    "DTSTART;VALUE=DATE:20260317",
    "DTSTART:20260316T100000",
    "DTSTART:garbage",
    "DTEND:20260316T090000Z",
    "DTEND;VALUE=DATE:20260318",
    "DURATION:PT30M",
    "DURATION:-PT1H",
    "RRULE:FREQ=WEEKLY;COUNT=4",
    "RRULE:FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR",
    "RRULE:FREQ=MONTHLY;BYDAY=1MO;BYSETPOS=-1",
    "RRULE:FREQ=NOPE",
    "RDATE;TZID=Europe/Berlin:20260401T140000",
    "RDATE;VALUE=PERIOD:20260401T140000Z/PT1H",
    "EXDATE;TZID=Europe/Berlin:20260323T100000",
    "EXDATE:garbage",
    "RECURRENCE-ID;TZID=Europe/Berlin:20260323T100000",
    "RECURRENCE-ID:20270323T090000Z",
    "RECURRENCE-ID;RANGE=THISANDFUTURE:20260323T090000Z",
    "STATUS:CANCELLED",
    "SUMMARY:Performance review",
    "SUMMARY:Interview: candidate",
    "SUMMARY:Project kickoff",
    "ORGANIZER:mailto:maria.alias@example.com",
    "ORGANIZER:",
    "ATTENDEE;PARTSTAT=DECLINED:mailto:rafael@example.com",
    "ATTENDEE;CUTYPE=ROOM:mailto:room@example.com",
    "ATTENDEE:mailto:rita@example.com",
    "ATTENDEE:mailto:candidate@elsewhere.example",
    "UID:e@x",
    "UID:",
    "X-WR-TIMEZONE:America/New_York",
    " folded continuation",
]
VTIMEZONE = [
    "BEGIN:VTIMEZONE",
    "TZID:Customized Time Zone",
    "BEGIN:STANDARD",
    "DTSTART:16010101T030000",
    "TZOFFSETFROM:+0200",
    "TZOFFSETTO:+0100",
    "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10",
    "END:STANDARD",
    "END:VTIMEZONE",
]


@st.composite
def calendar_text(draw: st.DrawFn) -> str:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Kairos tests//EN"]
    if draw(st.booleans()):
        lines += VTIMEZONE
    for _ in range(draw(st.integers(0, 4))):
        lines += ["BEGIN:VEVENT", f"UID:{draw(st.sampled_from(['a@x', 'b@x', 'x' * 300]))}", "DTSTART:20260316T090000Z"]
        lines += draw(st.lists(st.sampled_from(ICS_LINES), max_size=6))
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    if draw(st.booleans()):
        lines.insert(draw(st.integers(0, len(lines))), draw(st.sampled_from(ICS_LINES) | st.text(max_size=10)))
    return "\r\n".join(lines)


@QUICK
@given(calendar_text())
@example(
    "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTART;TZID=Europe:20260316T100000\r\nEND:VEVENT\r\nEND:VCALENDAR"
)
def test_calendar_like_text_gives_meetings_or_an_input_error(text: str) -> None:
    never_crashes(parse_any, text)


@QUICK
@given(st.binary(max_size=400))
def test_arbitrary_bytes_give_meetings_or_an_input_error(raw: bytes) -> None:
    try:
        text = decode_text(raw, "calendar")
    except InputError:
        return
    never_crashes(parse_any, text)


# --- Google and Graph JSON -----------------------------------------------------------------------------------

JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-3, 40)
    | st.sampled_from(
        [
            "2026-03-16T10:00:00+01:00",
            "2026-03-16T10:00:00.0000000",
            "2026-03-16",
            "2026-02-30T10:00:00Z",
            "W. Europe Standard Time",
            "Europe/Berlin",
            "UTC",
            "tzone://Microsoft/Custom",
            "Europe",
            "",
            "maria@example.com",
            "rafael@example.com",
            "cancelled",
            "confirmed",
            "declined",
            "accepted",
            "seriesMaster",
            "occurrence",
            "exception",
            "singleInstance",
            "weekly",
            "relativeMonthly",
            "monday",
            "numbered",
            "endDate",
            "RRULE:FREQ=WEEKLY;COUNT=3",
            "RRULE:FREQ=NOPE",
            "EXDATE:20260323T090000Z",
            "RRULE:FREQ=DAILY\r\nEND:VEVENT",
            "OID.x.2026-03-23",
            "x\x00y",
            "\udcff",
            "s1",
        ]
    )
    | st.text(max_size=8)
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)


def when(zone_key: str) -> st.SearchStrategy[Any]:
    return st.fixed_dictionaries({"dateTime": JSON_SCALARS}, optional={zone_key: JSON_SCALARS, "date": JSON_SCALARS})


GOOGLE_ITEM = st.fixed_dictionaries(
    {
        "id": st.sampled_from(["s1", "s2", "s1_20260323T090000Z"]) | JSON_SCALARS,
        "start": when("timeZone") | JSON_VALUES,
    },
    optional={
        "status": st.sampled_from(["confirmed", "cancelled", "tentative"]) | JSON_SCALARS,
        "end": when("timeZone"),
        "summary": JSON_SCALARS,
        "recurringEventId": st.just("s1") | JSON_SCALARS,
        "originalStartTime": when("timeZone") | JSON_VALUES,
        "recurrence": st.lists(JSON_SCALARS, max_size=3) | JSON_VALUES,
        "organizer": st.fixed_dictionaries({"email": JSON_SCALARS}) | JSON_VALUES,
        "attendees": st.lists(
            st.fixed_dictionaries(
                {"email": JSON_SCALARS}, optional={"responseStatus": JSON_SCALARS, "resource": JSON_SCALARS}
            )
            | JSON_VALUES,
            max_size=3,
        ),
        "eventType": st.sampled_from(["default", "outOfOffice"]),
    },
)
GRAPH_ITEM = st.fixed_dictionaries(
    {"id": st.sampled_from(["s1", "s2", "o1"]) | JSON_SCALARS, "start": when("timeZone") | JSON_VALUES},
    optional={
        "type": st.sampled_from(["singleInstance", "seriesMaster", "occurrence", "exception"]) | JSON_SCALARS,
        "end": when("timeZone"),
        "subject": JSON_SCALARS,
        "isAllDay": JSON_SCALARS,
        "isCancelled": JSON_SCALARS,
        "seriesMasterId": st.just("s1") | JSON_SCALARS,
        "originalStart": JSON_SCALARS,
        "@removed": JSON_VALUES,
        "cancelledOccurrences": st.lists(JSON_SCALARS, max_size=2) | JSON_VALUES,
        "recurrence": st.fixed_dictionaries(
            {
                "pattern": st.fixed_dictionaries(
                    {"type": JSON_SCALARS},
                    optional={
                        "interval": JSON_SCALARS,
                        "daysOfWeek": st.lists(JSON_SCALARS, max_size=2),
                        "index": JSON_SCALARS,
                        "dayOfMonth": JSON_SCALARS,
                        "month": JSON_SCALARS,
                        "firstDayOfWeek": JSON_SCALARS,
                    },
                )
                | JSON_VALUES
            },
            optional={
                "range": st.fixed_dictionaries(
                    {"type": JSON_SCALARS}, optional={"numberOfOccurrences": JSON_SCALARS, "endDate": JSON_SCALARS}
                )
                | JSON_VALUES
            },
        )
        | JSON_VALUES,
        "organizer": st.fixed_dictionaries({"emailAddress": st.fixed_dictionaries({"address": JSON_SCALARS})}),
        "attendees": st.lists(
            st.fixed_dictionaries(
                {"emailAddress": st.fixed_dictionaries({"address": JSON_SCALARS}) | JSON_VALUES},
                optional={"type": JSON_SCALARS, "status": st.fixed_dictionaries({"response": JSON_SCALARS})},
            )
            | JSON_VALUES,
            max_size=3,
        ),
    },
)


# Mostly well-formed items, so that generated documents also reach expansion and classification.
TIMES = st.sampled_from(["2026-03-16T10:00:00+01:00", "2026-03-23T10:00:00Z", "2026-03-18T23:30:00-04:00"])
EMAILS = st.sampled_from(["maria@example.com", "rafael@example.com", "RITA@example.com", "x@elsewhere.example"])
WELL_FORMED_GOOGLE = st.fixed_dictionaries(
    {
        "id": st.sampled_from(["s1", "s2"]),
        "start": st.fixed_dictionaries({"dateTime": TIMES, "timeZone": st.sampled_from(["Europe/Berlin", "UTC"])}),
        "end": st.fixed_dictionaries({"dateTime": TIMES}),
        "summary": st.sampled_from(["1:1", "Team sync", "Interview", "Kickoff", "Mid-year review"]),
        "organizer": st.fixed_dictionaries({"email": EMAILS}),
        "attendees": st.lists(
            st.fixed_dictionaries({"email": EMAILS, "responseStatus": st.sampled_from(["accepted", "declined"])}),
            max_size=4,
        ),
    },
    optional={
        "recurrence": st.lists(
            st.sampled_from(["RRULE:FREQ=WEEKLY;COUNT=4", "EXDATE:20260323T090000Z", "RDATE:20260401T120000Z"]),
            max_size=3,
        ),
        "recurringEventId": st.just("s1"),
        "originalStartTime": st.fixed_dictionaries({"dateTime": TIMES}),
        "status": st.sampled_from(["confirmed", "cancelled"]),
    },
)
WELL_FORMED_GRAPH = st.fixed_dictionaries(
    {
        "id": st.sampled_from(["s1", "s2", "o1"]),
        "type": st.sampled_from(["singleInstance", "seriesMaster", "occurrence", "exception"]),
        "start": st.fixed_dictionaries(
            {
                "dateTime": st.just("2026-03-16T10:00:00.0000000"),
                "timeZone": st.sampled_from(["W. Europe Standard Time", "UTC", "Eastern Standard Time"]),
            }
        ),
        "seriesMasterId": st.just("s1"),
        "originalStart": st.just("2026-03-23T09:00:00Z"),
        "isCancelled": st.booleans(),
        "recurrence": st.fixed_dictionaries(
            {
                "pattern": st.fixed_dictionaries(
                    {
                        "type": st.sampled_from(["daily", "weekly", "relativeMonthly"]),
                        "daysOfWeek": st.just(["monday"]),
                        "index": st.just("last"),
                    }
                ),
                "range": st.fixed_dictionaries(
                    {
                        "type": st.sampled_from(["numbered", "endDate", "noEnd"]),
                        "numberOfOccurrences": st.just(5),
                        "endDate": st.just("2026-04-30"),
                    }
                ),
            }
        ),
        "organizer": st.fixed_dictionaries({"emailAddress": st.fixed_dictionaries({"address": EMAILS})}),
        "attendees": st.lists(
            st.fixed_dictionaries({"emailAddress": st.fixed_dictionaries({"address": EMAILS})}), max_size=4
        ),
    }
)


@QUICK
@given(st.lists(WELL_FORMED_GOOGLE | GOOGLE_ITEM | JSON_VALUES, max_size=5), JSON_SCALARS)
def test_any_google_events_list_gives_meetings_or_an_input_error(items: list[Any], zone: Any) -> None:
    never_crashes(
        parse_google_events, {"items": items, "timeZone": zone}, "google.json", window=WINDOW, directory=DIRECTORY
    )


@QUICK
@given(st.lists(WELL_FORMED_GRAPH | GRAPH_ITEM | JSON_VALUES, max_size=5))
def test_any_graph_events_response_gives_meetings_or_an_input_error(items: list[Any]) -> None:
    never_crashes(parse_graph_events, {"value": items}, "graph.json", window=WINDOW, directory=DIRECTORY)


@QUICK
@given(JSON_VALUES | st.dictionaries(st.sampled_from(["items", "value", "kind", "@odata.context"]), JSON_VALUES))
def test_any_json_document_is_read_as_a_calendar_or_refused_with_an_input_error(doc: Any) -> None:
    try:
        text = json.dumps(doc)
    except (ValueError, TypeError):
        return
    never_crashes(parse_any, text)
