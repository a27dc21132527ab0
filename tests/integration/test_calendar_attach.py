"""The calendar copy of a brief, against a real Radicale: written into the meeting, idempotent, never over an edit."""

from __future__ import annotations

import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import icalendar
import pytest
from caldav.davclient import DAVClient
from sqlalchemy import select

from kairos.deliver import registry
from kairos.deliver.base import ReceiptStatus
from kairos.deliver.channels.calendar import MARK_END, MARK_START, CalendarChannel, from_settings
from kairos.domain.nudge import Nudge
from kairos.ingest.caldav_sync import sync_caldav
from kairos.settings import CalDavSettings, load_settings
from kairos.store import Database
from kairos.store.schema import deliveries, moments
from kairos.worker.tick import tick
from tests.support.loop import runtime, small_org
from tests.support.servers import RadicaleServer, radicale_fixture  # noqa: F401  (the session fixture `radicale`)

EVENT = """\
BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Kairos tests//EN
BEGIN:VEVENT
UID:{uid}
DTSTAMP:20260301T120000Z
DTSTART;TZID=Europe/Berlin:20260302T100000
DTEND;TZID=Europe/Berlin:20260302T103000
{rule}SUMMARY:1:1 Bea / Rita
DESCRIPTION:Agenda: the roadmap, then Rita's topics.
ORGANIZER:mailto:boss@example.com
ATTENDEE;PARTSTAT=ACCEPTED:mailto:boss@example.com
ATTENDEE;PARTSTAT=ACCEPTED:mailto:rep@example.com
END:VEVENT
END:VCALENDAR
"""
BRIEF = "Ask Rita what changed since the review.\n\n--\nWhy: her goal from the review."


@dataclass
class Server:
    url: str  # the server, as KAIROS_CALDAV__URL
    user: str
    work: Any  # the user's calendar collection

    def channel(self) -> CalendarChannel:
        login = {"url": self.url, "username": self.user, "password": "secret", "attach_briefs": True}
        return CalendarChannel(CalDavSettings.model_validate(login))

    def event(self, uid: str) -> Any:
        found = self.work.get_event_by_uid(uid)
        found.load()
        return found

    def description(self, uid: str, on: date | None = None) -> str:
        calendar = icalendar.Calendar.from_ical(str(self.event(uid).data))
        for event in calendar.walk("VEVENT"):
            recurrence = event.get("RECURRENCE-ID")
            if (on is None and recurrence is None) or (recurrence is not None and recurrence.dt.date() == on):
                return str(event.get("DESCRIPTION", ""))
        raise AssertionError(f"no such occurrence of {uid}: {on}")


@pytest.fixture
def server(radicale: RadicaleServer) -> Iterator[Server]:
    user = f"u{uuid.uuid4().hex[:10]}"
    client: Any = DAVClient(url=radicale.url, username=user, password="secret", auth_type="basic")
    work = client.principal().make_calendar(name="Work", cal_id="work")
    work.save_event(EVENT.format(uid="one-off@northwind.example", rule=""))
    work.save_event(EVENT.format(uid="weekly@northwind.example", rule="RRULE:FREQ=WEEKLY;COUNT=3\n"))
    yield Server(radicale.url, user, work)
    client.close()


def brief(uid: str, recurrence_id: str | None = None, text: str = BRIEF, source: str | None = None) -> Nudge:
    meeting = {"uid": uid, "title": "1:1 Bea / Rita", "start": "2026-03-02T09:00:00+00:00",
               "end": "2026-03-02T09:30:00+00:00", "recurrence_id": recurrence_id,
               "source": source or "kairos/caldav/http://elsewhere.example/"}  # fmt: skip
    return Nudge(recipient_id="boss", recipient_email="boss@example.com", recipient_name="Bea Boss",
                 subject="Before your 1:1", text=text, html="", why={}, moment_id=7, meeting=meeting,
                 delivery_note="Also in your calendar because your organization attaches briefs.")  # fmt: skip


def send(server: Server, nudge: Nudge) -> tuple[Any, list[str]]:
    marks: list[str] = []
    receipt = server.channel().send(nudge, None, "moment-7/calendar", lambda: marks.append("in flight"))
    return receipt, marks


def test_the_brief_is_written_into_the_meeting_and_the_organizers_words_are_kept(server: Server) -> None:
    receipt, marks = send(server, brief("one-off@northwind.example"))

    assert receipt.status is ReceiptStatus.DELIVERED, receipt.detail
    assert marks == ["in flight"]
    assert receipt.provider_id and receipt.provider_id.startswith(f"{server.url}{server.user}/work/")
    assert server.description("one-off@northwind.example") == (
        f"Agenda: the roadmap, then Rita's topics.\n\n{MARK_START}\n{BRIEF}\n\n"
        f"Also in your calendar because your organization attaches briefs.\n{MARK_END}"
    )


def test_the_meetings_own_collection_is_looked_in_first(server: Server) -> None:
    source = f"kairos/caldav/{server.url}{server.user}/work/"

    receipt, _ = send(server, brief("one-off@northwind.example", source=source))

    assert receipt.status is ReceiptStatus.DELIVERED, receipt.detail
    assert MARK_START in server.description("one-off@northwind.example")


def test_writing_the_same_brief_again_leaves_the_event_untouched(server: Server) -> None:
    send(server, brief("one-off@northwind.example"))
    etag = server.event("one-off@northwind.example").etag

    again, marks = send(server, brief("one-off@northwind.example"))

    assert (again.status, again.detail) == (ReceiptStatus.DELIVERED, "the brief was already there")
    assert marks == []  # nothing was sent, so nothing was in flight
    assert server.event("one-off@northwind.example").etag == etag


def test_a_later_brief_replaces_the_earlier_one(server: Server) -> None:
    send(server, brief("one-off@northwind.example", text="First version."))
    send(server, brief("one-off@northwind.example", text="Second version."))

    description = server.description("one-off@northwind.example")
    assert description.count(MARK_START) == 1 and "Second version." in description and "First" not in description
    assert description.startswith("Agenda: the roadmap")


def test_only_this_occurrence_of_a_weekly_meeting_gets_the_brief(server: Server) -> None:
    receipt, _ = send(server, brief("weekly@northwind.example", recurrence_id="2026-03-09T09:00:00+00:00"))

    assert receipt.status is ReceiptStatus.DELIVERED, receipt.detail
    assert server.description("weekly@northwind.example") == "Agenda: the roadmap, then Rita's topics."
    assert MARK_START in server.description("weekly@northwind.example", on=date(2026, 3, 9))
    found = server.work.search(start=datetime(2026, 3, 1), end=datetime(2026, 3, 31), event=True, expand=True)
    occurrences = [o for o in found if str(o.icalendar_component["UID"]) == "weekly@northwind.example"]
    with_brief = [o.icalendar_component.decoded("DTSTART").date() for o in occurrences
                  if MARK_START in str(o.icalendar_component.get("DESCRIPTION", ""))]  # fmt: skip
    assert len(occurrences) == 3 and with_brief == [date(2026, 3, 9)]


def concurrent_edit(times: int) -> Callable[..., Any]:
    """A DAVClient.put that lets the organizer save the event first (a plain PUT, no precondition), ``times`` times."""
    original = DAVClient.put
    left = [times]

    def put(self: DAVClient, url: str, body: str, headers: Any = None) -> Any:
        if left[0] > 0:
            left[0] -= 1
            with urllib.request.urlopen(str(url)) as response:
                calendar = icalendar.Calendar.from_ical(response.read())
            event = calendar.walk("VEVENT")[0]
            event["DESCRIPTION"] = str(event["DESCRIPTION"]) + f"\nEdited by the organizer ({left[0]})."
            request = urllib.request.Request(str(url), data=calendar.to_ical(), method="PUT",
                                             headers={"Content-Type": "text/calendar"})  # fmt: skip
            urllib.request.urlopen(request).close()
        return original(self, url, body, headers)

    return put


def test_an_edit_made_meanwhile_is_kept_the_event_is_read_again_and_written_once_more(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(DAVClient, "put", concurrent_edit(1))

    receipt, marks = send(server, brief("one-off@northwind.example"))

    assert receipt.status is ReceiptStatus.DELIVERED, receipt.detail
    assert marks == ["in flight"]
    description = server.description("one-off@northwind.example")
    assert "Edited by the organizer (0)." in description and description.endswith(MARK_END)


def test_two_edits_in_a_row_leave_the_brief_for_a_retry_and_the_organizers_text_alone(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(DAVClient, "put", concurrent_edit(2))

    receipt, _ = send(server, brief("one-off@northwind.example"))

    assert receipt.status is ReceiptStatus.RETRYABLE
    description = server.description("one-off@northwind.example")
    assert MARK_START not in description and description.endswith("Edited by the organizer (0).")


def test_a_meeting_gone_from_the_server_is_a_permanent_failure(server: Server) -> None:
    receipt, marks = send(server, brief("never-there@northwind.example"))

    assert receipt.status is ReceiptStatus.PERMANENT and "not on the CalDAV server" in receipt.detail
    assert marks == []


def test_an_unreachable_server_is_retried_later() -> None:
    channel = CalendarChannel(CalDavSettings(url="http://127.0.0.1:9/", attach_briefs=True, timeout_seconds=2))

    receipt = channel.send(brief("x"), None, "k", lambda: None)

    assert receipt.status is ReceiptStatus.RETRYABLE


def test_the_calendar_copy_is_for_briefs_about_caldav_meetings_only(tmp_path: Path) -> None:
    channel = CalendarChannel(CalDavSettings(url="http://127.0.0.1:9/", attach_briefs=True))
    from_ics = brief("x", source="kairos/ical/team.ics")
    plain = Nudge(recipient_id="boss", recipient_email="b@x", recipient_name="B", subject="s", text="t", html="",
                  why={})  # fmt: skip

    assert (channel.companion, channel.resend_is_safe, channel.name) == (True, True, "calendar")
    assert channel.applies_to(brief("x")) and not channel.applies_to(from_ics) and not channel.applies_to(plain)
    assert from_settings(load_settings(data_dir=tmp_path)) is None
    assert from_settings(load_settings(data_dir=tmp_path, caldav={"url": "http://dav.example/"})) is None
    assert from_settings(load_settings(data_dir=tmp_path, caldav={"url": "http://d/", "attach_briefs": True}))


# --- the loop: a meeting synced from Radicale, its brief written back into it ---------------------------------------

DUE = datetime(2026, 3, 2, 8, 45, tzinfo=UTC)


def test_a_brief_about_a_synced_meeting_ends_up_in_that_meetings_description(
    db: Database, tmp_path: Path, server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(registry.FACTORIES, "calendar", from_settings)  # until the registry lists it
    server.event("one-off@northwind.example").delete()  # one 1:1 at 10:00: the weekly one
    small_org(db, tmp_path, events=[])  # people, framework and goal; the 1:1 comes from Radicale
    window = (datetime(2026, 3, 2, tzinfo=UTC), datetime(2026, 3, 30, tzinfo=UTC))
    sync_caldav(db, f"{server.url}{server.user}/work/", username=server.user, password="secret", window=window, now=DUE)
    caldav = {"url": server.url, "username": server.user, "password": "secret", "attach_briefs": True}
    rt = runtime(db, tmp_path, delivery={"channels": ["inbox"]}, caldav=caldav)

    tick(rt, DUE)

    with db.transaction() as conn:
        rows = conn.execute(select(deliveries.c.status, deliveries.c.detail, moments.c.action)
                            .join(moments, moments.c.id == deliveries.c.moment_id)
                            .where(deliveries.c.channel == "calendar")).all()  # fmt: skip
    assert [r.status for r in rows if r.action == "manager-brief"] == ["delivered"]
    # Rita's tip is about the same meeting, but Bea organizes it: it never goes into her event.
    assert all("organized by boss@example.com" in r.detail for r in rows if r.action != "manager-brief")
    on_the_day = server.description("weekly@northwind.example", on=date(2026, 3, 2))
    assert on_the_day.startswith("Agenda: the roadmap") and "You meet Rita" in on_the_day.split(MARK_START)[1]
    assert server.description("weekly@northwind.example") == "Agenda: the roadmap, then Rita's topics."
