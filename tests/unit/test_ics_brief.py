"""The brief as a calendar file, and the brief written into a meeting's own description."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import icalendar
import pytest

from kairos.deliver.channels.calendar import (
    MARK_END,
    MARK_START,
    BriefNotWritable,
    CalendarChannel,
    recurrence_of,
    source_of,
    with_brief,
    write_brief,
)
from kairos.deliver.ics import brief_calendar, brief_uid
from kairos.domain.nudge import Nudge
from kairos.settings import CalDavSettings

STAMP = datetime(2026, 3, 2, 8, 45, tzinfo=UTC)
MEETING = {"uid": "weekly-1on1@northwind.example", "title": "1:1 Bea / Rita", "start": "2026-03-16T09:00:00+00:00",
           "end": "2026-03-16T09:30:00+00:00", "recurrence_id": "2026-03-16T09:00:00+00:00"}  # fmt: skip


def brief(moment_id: int | None = 7, text: str = "Ask about the review.\nThen listen.") -> Nudge:
    return Nudge(recipient_id="boss", recipient_email="boss@example.com", recipient_name="Bea", subject="Your brief",
                 text=text, html="", why={}, moment_id=moment_id, meeting=MEETING)  # fmt: skip


def test_the_brief_is_a_published_transparent_event_at_the_meetings_time_related_to_the_meeting() -> None:
    calendar = icalendar.Calendar.from_ical(brief_calendar(brief(), stamp=STAMP, domain="kairos.example"))

    (event,) = calendar.walk("VEVENT")
    assert (str(calendar["VERSION"]), str(calendar["METHOD"])) == ("2.0", "PUBLISH")
    assert event.decoded("DTSTART") == datetime(2026, 3, 16, 9, tzinfo=UTC)
    assert event.decoded("DTEND") == datetime(2026, 3, 16, 9, 30, tzinfo=UTC)
    assert event.decoded("DTSTAMP") == STAMP
    assert str(event["SUMMARY"]) == "Brief: 1:1 Bea / Rita"
    assert str(event["DESCRIPTION"]) == "Ask about the review.\nThen listen."
    assert str(event["RELATED-TO"]) == "weekly-1on1@northwind.example"
    assert (str(event["TRANSP"]), str(event["CLASS"])) == ("TRANSPARENT", "PRIVATE")


def test_the_uid_comes_from_the_moment_so_a_second_copy_updates_the_first() -> None:
    assert brief_uid(brief(7), "kairos.example") == "kairos-brief-7@kairos.example"
    once = brief_calendar(brief(7), stamp=STAMP, domain="kairos.example")
    again = brief_calendar(brief(7), stamp=STAMP, domain="kairos.example")
    assert once == again
    assert brief_uid(brief(None), "k") == brief_uid(brief(None), "k") != brief_uid(brief(7), "k")


def test_long_lines_and_special_characters_survive_the_round_trip() -> None:
    text = "Ask; then listen, really: " + "é" * 200 + "\n\\ backslash"
    calendar = icalendar.Calendar.from_ical(brief_calendar(brief(text=text), stamp=STAMP, domain="k"))

    assert str(calendar.walk("VEVENT")[0]["DESCRIPTION"]) == text


SERIES = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//test//EN\r
BEGIN:VEVENT\r
UID:weekly-1on1@northwind.example\r
DTSTAMP:20260301T120000Z\r
DTSTART;TZID=Europe/Berlin:20260316T100000\r
DTEND;TZID=Europe/Berlin:20260316T103000\r
RRULE:FREQ=WEEKLY;COUNT=3\r
SUMMARY:Bea / Rita\r
DESCRIPTION:Agenda: the roadmap\r
END:VEVENT\r
END:VCALENDAR\r
"""


def events(ics: bytes) -> list[Any]:
    return list(icalendar.Calendar.from_ical(ics).walk("VEVENT"))


def test_the_brief_goes_between_markers_after_the_organizers_words() -> None:
    assert with_brief("Agenda: the roadmap", "Ask.") == f"Agenda: the roadmap\n\n{MARK_START}\nAsk.\n{MARK_END}"
    assert with_brief("", "Ask.") == f"{MARK_START}\nAsk.\n{MARK_END}"


def test_an_earlier_brief_is_replaced_and_the_organizers_words_around_it_are_kept() -> None:
    first = with_brief("Agenda", "Old brief.")
    edited = first + "\n\nAdded by the organizer later."

    assert with_brief(edited, "New brief.") == (
        f"Agenda\n\nAdded by the organizer later.\n\n{MARK_START}\nNew brief.\n{MARK_END}"
    )


def test_writing_the_same_brief_twice_changes_nothing() -> None:
    once = with_brief("Agenda", "Ask.\nListen.")

    assert with_brief(once, "Ask.\nListen.") == once
    written = write_brief(SERIES, None, "Ask.")
    assert written is not None
    assert write_brief(written.decode(), None, "Ask.") is None


def test_markers_inside_the_brief_cannot_break_the_section() -> None:
    text = with_brief("Agenda", f"Ask.\n{MARK_END}\nsneaky")

    assert text.count(MARK_END) == 1 and with_brief(text, "Other.") == with_brief("Agenda", "Other.")


def test_one_occurrence_of_a_series_gets_its_own_override_and_the_series_is_left_alone() -> None:
    written = write_brief(SERIES, "2026-03-23T09:00:00+00:00", "Ask.")
    assert written is not None

    series, override = events(written)
    assert str(series["DESCRIPTION"]) == "Agenda: the roadmap" and "RRULE" in series
    assert override.decoded("RECURRENCE-ID") == datetime(2026, 3, 23, 9, tzinfo=UTC)
    assert override.decoded("DTSTART") == datetime(2026, 3, 23, 9, tzinfo=UTC)
    assert override.decoded("DTEND") - override.decoded("DTSTART") == series.decoded("DTEND") - series.decoded(
        "DTSTART"
    )
    assert "RRULE" not in override
    assert str(override["DESCRIPTION"]) == f"Agenda: the roadmap\n\n{MARK_START}\nAsk.\n{MARK_END}"
    assert str(override["RECURRENCE-ID"].params["TZID"]) == "Europe/Berlin"


def test_an_existing_override_is_written_in_place() -> None:
    moved = write_brief(SERIES, "2026-03-23T09:00:00+00:00", "First.")
    assert moved is not None

    again = write_brief(moved.decode(), "2026-03-23T09:00:00+00:00", "Second.")
    assert again is not None
    assert len(events(again)) == 2
    assert str(events(again)[1]["DESCRIPTION"]).endswith(f"{MARK_START}\nSecond.\n{MARK_END}")


def test_an_object_without_events_cannot_take_a_brief() -> None:
    empty = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nEND:VCALENDAR\r\n"

    with pytest.raises(BriefNotWritable):
        write_brief(empty, None, "Ask.")


def test_only_a_meeting_the_recipient_organizes_takes_their_brief() -> None:
    organized = SERIES.replace("SUMMARY:", "ORGANIZER:mailto:Boss@Example.com\r\nSUMMARY:")

    assert write_brief(organized, None, "Ask.", "boss@example.com") is not None
    with pytest.raises(BriefNotWritable, match="organized by boss@example.com"):
        write_brief(organized, None, "Ask.", "rep@example.com")
    assert write_brief(SERIES, None, "Ask.", "rep@example.com") is not None  # no organizer: nobody else's event


def test_the_occurrence_comes_from_the_meetings_key_when_no_recurrence_id_is_given() -> None:
    uid = "weekly-1on1@northwind.example"

    assert recurrence_of({"uid": uid, "key": f"{uid}@2026-03-23T09:00:00+00:00"}) == "2026-03-23T09:00:00+00:00"
    assert recurrence_of({"uid": uid, "key": f"{uid}@once"}) is None
    assert recurrence_of({"uid": uid, "recurrence_id": "2026-03-16T09:00:00+00:00"}) == "2026-03-16T09:00:00+00:00"
    assert recurrence_of({"uid": uid}) is None


def test_the_calendar_copy_applies_to_caldav_meetings_by_the_meeting_or_the_event_it_came_from() -> None:
    channel = CalendarChannel(CalDavSettings(url="http://dav.example/", attach_briefs=True))
    caldav = {"event": {"source": "kairos/caldav/http://dav.example/bea/work/"}}
    about = replace(brief(), why=caldav, meeting={"uid": "u", "key": "u@once"})

    assert source_of(about) == "kairos/caldav/http://dav.example/bea/work/" and channel.applies_to(about)
    assert not channel.applies_to(replace(about, why={"event": {"source": "kairos/ical/team.ics"}}))
    assert not channel.applies_to(replace(about, meeting=None))
    assert channel.applies_to(replace(about, meeting={"uid": "u", "organizer": "BOSS@example.com"}))
    assert not channel.applies_to(replace(about, meeting={"uid": "u", "organizer": "rep@example.com"}))


def test_a_cancelled_occurrence_is_not_brought_back_by_its_brief() -> None:
    cancelled = SERIES.replace("RRULE:", "EXDATE;TZID=Europe/Berlin:20260323T100000\r\nRRULE:")

    with pytest.raises(BriefNotWritable, match="cancelled"):
        write_brief(cancelled, "2026-03-23T09:00:00+00:00", "Ask.")
    assert write_brief(cancelled, "2026-03-16T09:00:00+00:00", "Ask.") is not None


def test_an_unreadable_event_or_occurrence_cannot_take_a_brief() -> None:
    with pytest.raises(BriefNotWritable):
        write_brief("not a calendar", None, "Ask.")
    with pytest.raises(BriefNotWritable):
        write_brief(SERIES, "next tuesday", "Ask.")
