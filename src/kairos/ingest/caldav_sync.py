"""CalDAV calendars synced incrementally (RFC 4791, RFC 6578) with the ``caldav`` library.

Each calendar collection keeps its sync token and each object's ETag (``store/calendars.py``), so a second sync
downloads only the objects that changed; an object the server reports deleted cancels its meetings. Objects are
read like .ics files and recorded by ``meeting_sync``, so moves and cancellations re-plan or cancel moments the
same way whatever the source. Servers without sync tokens get a full listing, compared by ETag.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from caldav.davclient import DAVClient
from caldav.elements import dav
from caldav.lib import error as dav_error

from kairos.errors import InputError, KairosError
from kairos.ingest.ical import outline, parse_calendar
from kairos.ingest.meeting_sync import DELETED, CalendarImport, CalendarRead, load_directory, record, source_name
from kairos.store import Database
from kairos.store import calendars as calendar_store
from kairos.store.calendars import StoredObject

# An unchanged object without repetition is read again while its last start could still be in the window; the
# slack covers floating times, whose zone is only known once the organizer is resolved.
_SLACK = timedelta(days=1)


class CalDavError(KairosError):
    """The CalDAV server could not be reached, refused the login, or answered something unusable."""


@dataclass(frozen=True, slots=True)
class CollectionSync:
    """One calendar collection's sync: what was downloaded, what the server deleted, what was recorded."""

    url: str
    name: str
    full: bool  # a full listing: the first sync, or the server did not accept the stored token
    fetched: int  # objects downloaded because they are new or changed
    deleted: int  # objects the server no longer has
    recorded: CalendarImport
    problems: list[str] = field(default_factory=list)  # objects that could not be read, with the reason


def sync_caldav(
    db: Database,
    url: str,
    *,
    username: str | None,
    password: str | None,
    window: tuple[datetime, datetime],
    now: datetime,
    default_zone: str = "UTC",
    timeout: float = 30.0,
) -> list[CollectionSync]:
    """Sync every calendar at ``url`` (a server, a principal, or one calendar collection)."""
    client = DAVClient(
        url=url,
        username=username,
        password=password,
        auth_type="basic" if username else None,
        timeout=int(timeout),
    )
    try:
        return [
            sync_collection(db, calendar, window=window, now=now, default_zone=default_zone)
            for calendar in _calendars(client, url)
        ]
    except dav_error.AuthorizationError as exc:
        raise CalDavError(f"{without_login(url)}: the CalDAV server refused the login ({_reason(exc)})") from None
    except (dav_error.DAVError, OSError) as exc:
        raise CalDavError(f"{without_login(url)}: the CalDAV server could not be synced ({_reason(exc)})") from None


def _reason(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {str(exc)[:300]}"


def _calendars(client: Any, url: str) -> list[Any]:
    """The calendar at ``url`` if it is one, else every calendar of the principal the login finds there."""
    calendars = list(client.principal().calendars())
    given = without_login(url).rstrip("/")
    wanted = [c for c in calendars if without_login(str(c.url.canonical())).rstrip("/") == given]
    return wanted or calendars


def without_login(url: str) -> str:
    """The URL as shown and stored: a user name or password written into it is left out."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"[{host}]" if ":" in host else host
    if parts.port is not None:
        netloc += f":{parts.port}"
    return urlunsplit(parts._replace(netloc=netloc))


def _href(url: Any) -> str:
    return str(url.canonical().path)


def sync_collection(
    db: Database, calendar: Any, *, window: tuple[datetime, datetime], now: datetime, default_zone: str = "UTC"
) -> CollectionSync:
    """Download what changed in one collection since its last sync, and record it."""
    url = without_login(str(calendar.url.canonical()))
    if len(url) > 500:
        raise CalDavError(f"{url[:80]}…: calendar URLs longer than 500 characters are not supported")
    with db.transaction() as conn:
        token, stored = calendar_store.load(conn, url)
    listing = calendar.get_objects_by_sync_token(sync_token=token, load_objects=False)
    new_token = str(listing.sync_token) if listing.sync_token else None
    # The full-listing fallback gives a "fake-" token; the same fake token back means nothing changed.
    full = token is None or (new_token is not None and new_token.startswith("fake-") and new_token != token)
    deleted = {_href(u) for u in listing.deleted_urls}
    listed: set[str] = set()
    changed: dict[str, tuple[str | None, str]] = {}
    for obj in listing:
        href = _href(obj.url)
        if href in deleted:
            continue
        listed.add(href)
        etag = obj.props.get(dav.GetEtag.tag)
        if href in stored and etag is not None and stored[href].etag == etag:
            continue
        if not obj.data:
            try:
                obj.load()
            except dav_error.NotFoundError:
                deleted.add(href)  # removed between the listing and the download
                continue
        changed[href] = (etag, str(obj.data))
    if full:
        deleted |= set(stored) - listed
    with db.transaction() as conn:
        read, rows, problems = _read(load_directory(conn), url, stored, changed, deleted, window, default_zone)
        recorded = record(conn, read, source=source_name("caldav", url), window=window, now=now)
        calendar_store.save(conn, url, new_token, rows, deleted & set(stored), now)
    name = str(calendar.get_display_name() or "") if hasattr(calendar, "get_display_name") else ""
    return CollectionSync(url, name or url, full, len(changed), len(deleted & set(stored)), recorded, problems)


def _read(
    directory: Any,
    url: str,
    stored: dict[str, StoredObject],
    changed: dict[str, tuple[str | None, str]],
    deleted: set[str],
    window: tuple[datetime, datetime],
    default_zone: str,
) -> tuple[CalendarRead, list[StoredObject], list[str]]:
    """Changed objects, and unchanged ones that may still have occurrences in the window, read as one calendar;
    the UIDs of deleted objects marked removed."""
    read, rows, problems = CalendarRead(), [], []
    texts = {href: text for href, (_, text) in changed.items()}
    for href, obj in stored.items():
        if href in changed or href in deleted:
            continue
        if obj.last_start is None or obj.last_start >= window[0] - _SLACK:
            texts[href] = obj.data
    for href, text in texts.items():
        try:
            read.merge(parse_calendar(text, f"{url.rstrip('/')}/{href.rsplit('/', 1)[-1]}", window=window,
                                      directory=directory, default_zone=default_zone))  # fmt: skip
        except InputError as exc:
            problems.append(str(exc))
    for href, (etag, text) in changed.items():
        uids, last_start = outline(text)
        rows.append(StoredObject(href, etag, uids, text, last_start))
    for href in deleted:
        if href in stored:
            read.removed.update({uid: DELETED for uid in stored[href].uids})
    return read, rows, problems
