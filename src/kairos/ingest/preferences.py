"""A person changes how Kairos reaches them: channel, opt-outs, real time or a daily digest, quiet hours (G1).

Only the person may change their own preferences (as with style sharing). Every change is checked whole before
anything is stored — a channel that is not enabled, opting out of the chosen channel, equal quiet-hour ends — and
recorded as a ``preferences.changed`` event (what changed, never why).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, time

from kairos.domain.event import Event, EventType, content_id
from kairos.domain.preferences import Pacing, Preference
from kairos.errors import InputError
from kairos.store import Database
from kairos.store import channels as channel_store
from kairos.store import events as event_log
from kairos.store import people as people_store

UNSET = "default"  # the word that puts a setting back to the organization's default


@dataclass(frozen=True, slots=True)
class Change:
    """What to change; None leaves a setting as it is."""

    channel: str | None = None  # a channel name, or "default"
    opt_out: tuple[str, ...] = ()
    opt_in: tuple[str, ...] = ()
    pacing: str | None = None
    digest_time: str | None = None  # HH:MM or "default"
    quiet_hours: str | None = None  # HH:MM-HH:MM or "default"


def change_preferences(db: Database, person_id: str, change: Change, *, by: str, enabled: Sequence[str],
                       now: datetime, origin: str = "preferences") -> Preference:  # fmt: skip
    """Apply ``change`` to ``person_id``'s preferences and return them as stored."""
    if by != person_id:
        raise InputError.at(origin, f"the person themselves ({person_id})", field="by", value=by)
    choosable = sorted({*enabled, "inbox"})
    with db.transaction() as conn:
        if people_store.get(conn, person_id) is None:
            raise InputError.at(origin, "an active person's id", field="person", value=person_id)
        current = channel_store.preference(conn, person_id) or Preference(person_id=person_id)
        updated = _apply(current, change, choosable, origin)
        if updated == current:
            return current
        channel_store.set_preference(conn, updated, by, now)
        event_log.append(conn, [Event(id=content_id("preferences", person_id, now.isoformat()),
                                      source="kairos/preferences", type=EventType.PREFERENCES_CHANGED,
                                      subject=person_id, time=now,
                                      data={"changed": _changed(current, updated)})], now)  # fmt: skip
    return updated


def _apply(pref: Preference, change: Change, choosable: Sequence[str], origin: str) -> Preference:
    for name in (*change.opt_out, *change.opt_in):
        if name not in choosable or name == "inbox" and name in change.opt_out:
            allowed = ", ".join(c for c in choosable if c != "inbox")
            raise InputError.at(origin, f"a channel to opt out of or back into ({allowed}); every nudge stays "
                                        f"readable in the inbox", field="opt_out", value=name)  # fmt: skip
    opted_out = (pref.opted_out | set(change.opt_out)) - set(change.opt_in)
    channel = pref.channel
    if change.channel is not None:
        if change.channel == UNSET:
            channel = None
        elif change.channel not in choosable:
            raise InputError.at(origin, f"one of the enabled channels: {', '.join(choosable)}", field="channel",
                                value=change.channel)  # fmt: skip
        else:
            channel = change.channel
    if channel is not None and channel in opted_out:
        raise InputError.at(origin, f"a chosen channel you have not opted out of (you opted out of {channel})",
                            field="channel", value=channel)  # fmt: skip
    pacing = pref.pacing
    if change.pacing is not None:
        try:
            pacing = Pacing(change.pacing)
        except ValueError:
            raise InputError.at(origin, "realtime or digest", field="pacing", value=change.pacing) from None
    digest_time = pref.digest_time
    if change.digest_time is not None:
        digest_time = None if change.digest_time == UNSET else _clock(change.digest_time, "digest_time", origin)
    quiet_start, quiet_end = pref.quiet_start, pref.quiet_end
    if change.quiet_hours is not None:
        if change.quiet_hours == UNSET:
            quiet_start = quiet_end = None
        else:
            start, sep, end = change.quiet_hours.partition("-")
            if not sep:
                raise InputError.at(origin, "quiet hours as HH:MM-HH:MM, e.g. 19:00-08:00", field="quiet_hours",
                                    value=change.quiet_hours)  # fmt: skip
            quiet_start, quiet_end = _clock(start, "quiet_hours", origin), _clock(end, "quiet_hours", origin)
            if quiet_start == quiet_end:
                raise InputError.at(origin, "quiet hours whose start and end differ", field="quiet_hours",
                                    value=change.quiet_hours)  # fmt: skip
    return replace(pref, channel=channel, opted_out=frozenset(opted_out), pacing=pacing, digest_time=digest_time,
                   quiet_start=quiet_start, quiet_end=quiet_end)  # fmt: skip


def _clock(text: str, field: str, origin: str) -> time:
    try:
        parsed = time.fromisoformat(text.strip())
    except ValueError:
        raise InputError.at(origin, "a local time as HH:MM", field=field, value=text) from None
    if parsed.second or parsed.microsecond or parsed.tzinfo is not None:
        raise InputError.at(origin, "a local time as HH:MM", field=field, value=text)
    return parsed


def _changed(before: Preference, after: Preference) -> list[str]:
    names = ("channel", "opted_out", "pacing", "digest_time", "quiet_start", "quiet_end")
    return [n for n in names if getattr(before, n) != getattr(after, n)]
