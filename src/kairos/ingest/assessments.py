"""Assessment results (DISC, CliftonStrengths, …) into the store, all or nothing (``docs/formats/assessments.md``).

The parsers in ``profiles/instruments`` validate the whole file against the people at work
now; only then are the results stored, each with one ``assessment.imported`` event that names
the instrument and date but carries no scores (the event log is read more widely than results).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time
from pathlib import Path

from kairos.domain.event import Event, EventType, content_id
from kairos.domain.style import Instrument, StyleSharing
from kairos.errors import InputError
from kairos.profiles.instruments import read_results
from kairos.store import Database
from kairos.store import assessments as assessment_store
from kairos.store import events as event_log
from kairos.store import people as people_store


@dataclass(frozen=True, slots=True)
class AssessmentImport:
    instrument: Instrument
    results: int  # in the file
    new: int  # not stored before
    events: int


def import_assessments(
    db: Database, path: Path | str, *, instrument: Instrument | None = None, now: datetime
) -> AssessmentImport:
    """Validate every result in ``path`` against the people at work now, then store them with their events."""
    with db.transaction() as conn:
        active = people_store.active(conn)
        people = {pid: pid for pid in active}
        people.update({p.email.lower(): p.id for p in active.values() if p.email})
        results = read_results(path, instrument=instrument, people=people)
        new = assessment_store.save(conn, results, now)
        source = f"kairos/assessments/{Path(path).name}"
        events = [
            Event(
                id=assessment_store.result_id(r),
                source=source,
                type=EventType.ASSESSMENT_IMPORTED,
                subject=r.person_id,
                time=datetime.combine(r.taken_on, time(0), tzinfo=UTC) if r.taken_on else now,
                data={"instrument": r.instrument.value, "taken_on": r.taken_on.isoformat() if r.taken_on else None},
            )
            for r in results
        ]
        added = event_log.append(conn, events, now)
    return AssessmentImport(results[0].instrument, len(results), new, added)


def set_style_sharing(
    db: Database, person_id: str, sharing: StyleSharing, *, by: str, now: datetime,
    origin: str = "kairos style sharing",
) -> None:  # fmt: skip
    """A person's own choice of who may see their style facts; nobody else may make it for them."""
    with db.transaction() as conn:
        person = people_store.get_any(conn, person_id)
        if person is None or person.status == "terminated":
            raise InputError.at(origin, "the id of a current employee", field="person", value=person_id)
        if by != person_id:
            raise InputError.at(origin, f"{person_id} themself: style sharing is the person's own consent",
                                field="by", value=by)  # fmt: skip
        assessment_store.set_sharing(conn, person_id, sharing, by, now)
        event_log.append(conn, [Event(id=content_id(person_id, sharing.value, now), source="kairos/consent",
                                      type=EventType.STYLE_SHARING_CHANGED, subject=person_id, time=now,
                                      data={"sharing": sharing.value})], now)  # fmt: skip
