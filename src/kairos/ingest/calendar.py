"""Any calendar file: iCalendar, a Google Calendar ``events.list`` response or a Microsoft Graph events response,
told apart by content (not by name), then read by its own module and recorded by ``meeting_sync``."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from kairos.errors import InputError
from kairos.ingest.base import read_text
from kairos.ingest.calendar_json import load_json
from kairos.ingest.google_calendar import looks_like_google, parse_google_events
from kairos.ingest.graph_calendar import looks_like_graph, parse_graph_events
from kairos.ingest.ical import parse_calendar
from kairos.ingest.meeting_sync import CalendarImport, CalendarRead, Directory, load_directory, record, source_name
from kairos.store import Database

FORMATS = ("ical", "google-calendar", "graph-calendar")


def detect_format(text: str, file: str) -> str:
    """``ical``, ``google-calendar`` or ``graph-calendar``, from the file's content."""
    start = text.lstrip()[:200].upper()
    if start.startswith("BEGIN:VCALENDAR"):
        return "ical"
    if not start.startswith("{"):
        raise InputError.at(file, "an iCalendar file (BEGIN:VCALENDAR) or a Google or Graph events JSON object")
    doc = load_json(text, file)
    if looks_like_google(doc):
        return "google-calendar"
    if looks_like_graph(doc):
        return "graph-calendar"
    keys = sorted(doc)[:8] if isinstance(doc, dict) else type(doc).__name__
    raise InputError.at(file, 'a Google events list ("items") or a Microsoft Graph response ("value")', value=keys)


def parse_calendar_file(
    text: str, file: str, *, window: tuple[datetime, datetime], directory: Directory, default_zone: str = "UTC"
) -> tuple[str, CalendarRead]:
    """The format and what the file says about ``window``."""
    kind = detect_format(text, file)
    if kind == "ical":
        return kind, parse_calendar(text, file, window=window, directory=directory, default_zone=default_zone)
    parse = parse_google_events if kind == "google-calendar" else parse_graph_events
    return kind, parse(load_json(text, file), file, window=window, directory=directory, default_zone=default_zone)


def import_calendar_file(
    db: Database, path: Path | str, *, window: tuple[datetime, datetime], now: datetime, default_zone: str = "UTC"
) -> tuple[str, CalendarImport]:
    """Read any calendar file and record what changed since the last import; returns its format too."""
    file = str(path)
    text = read_text(path)
    with db.transaction() as conn:
        kind, read = parse_calendar_file(
            text, file, window=window, directory=load_directory(conn), default_zone=default_zone
        )
        return kind, record(conn, read, source=source_name(kind, Path(file).name), window=window, now=now)
