"""Recording what a person and their manager agree: a focus, commitments from a 1:1, observations.

Each function checks who may do what (only the person or their manager), validates against the
stored organization and framework, and writes the record with its event in one transaction.
Errors name the field and the value, as an import error does.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Connection

from kairos.domain.commitment import Commitment, CommitmentKind, CommitmentStatus, Focus, Visibility
from kairos.domain.event import Event, EventType, content_id
from kairos.domain.person import Person
from kairos.errors import InputError
from kairos.store import Database
from kairos.store import agreements as store
from kairos.store import events as event_log
from kairos.store import frameworks as framework_store
from kairos.store import meetings as meeting_store
from kairos.store import people as people_store

SOURCE = "kairos/agreements"
MAX_TEXT = 2000


def _person(conn: Connection, person_id: str, origin: str, field: str = "person") -> Person:
    person = people_store.get(conn, person_id)
    if person is None:
        raise InputError.at(origin, "the id of an active person", field=field, value=person_id)
    return person


def _text(text: str, origin: str, field: str = "text") -> str:
    text = text.strip()
    if not text or len(text) > MAX_TEXT:
        raise InputError.at(origin, f"a text of 1 to {MAX_TEXT} characters", field=field, value=text)
    return text


def _party(person: Person, by: str, origin: str) -> bool:
    """True when ``by`` is the person, False when it is their manager; anyone else is refused."""
    if by == person.id:
        return True
    if person.manager_id and by == person.manager_id:
        return False
    raise InputError.at(origin, f"{person.id} or their manager {person.manager_id or '(none)'}", field="by", value=by)


def _event(conn: Connection, kind: EventType, subject: str, data: dict[str, object], now: datetime) -> None:
    event_log.append(conn, [Event(id=content_id(kind, subject, data, now), source=SOURCE, type=kind, subject=subject,
                                  time=now, data=data)], now)  # fmt: skip


def propose_focus(
    db: Database, *, person_id: str, competency_id: str, target_level: int, description: str, by: str, now: datetime,
    origin: str = "kairos focus propose",
) -> Focus:  # fmt: skip
    """A focus proposed by the person or their manager; the proposer's agreement is given with it."""
    with db.transaction() as conn:
        person = _person(conn, person_id, origin)
        by_person = _party(person, by, origin)
        framework = framework_store.latest(conn)
        if framework is None:
            raise InputError.at(origin, "a competency framework imported first", field="competency")
        competency = framework.competency(competency_id)
        if competency is None:
            known = ", ".join(c.id for c in framework.competencies)
            raise InputError.at(origin, f"a competency of {framework.id} {framework.version} ({known})",
                                field="competency", value=competency_id)  # fmt: skip
        priorities = sorted({p.competency_id for p in framework.priority_behaviors})
        if priorities and competency_id not in priorities:
            raise InputError.at(origin, f"a competency among the organization's priorities ({', '.join(priorities)})",
                                field="competency", value=competency_id)  # fmt: skip
        if competency.level(target_level) is None:
            raise InputError.at(origin, f"a level from 1 to {len(competency.levels)}", field="level",
                                value=target_level)  # fmt: skip
        focus_id = store.add_focus(conn, {
            "person_id": person.id, "competency_id": competency_id, "target_level": target_level,
            "description": _text(description, origin, "description"), "framework_id": framework.id,
            "framework_version": framework.version, "proposed_by": by, "status": "proposed", "created_at": now,
        })  # fmt: skip
        store.agree_focus(conn, focus_id, as_person=by_person, now=now)
        _event(
            conn,
            EventType.FOCUS_PROPOSED,
            person.id,
            {"focus": focus_id, "competency_id": competency_id, "target_level": target_level, "by": by},
            now,
        )
        focus = store.get_focus(conn, focus_id)
    assert focus is not None
    return focus


def agree_focus(db: Database, focus_id: int, *, by: str, now: datetime, origin: str = "kairos focus agree") -> Focus:
    """The other party agrees: the focus becomes the person's active focus, replacing the previous one."""
    with db.transaction() as conn:
        focus = store.get_focus(conn, focus_id)
        if focus is None:
            raise InputError.at(origin, "the id of a proposed focus", field="focus", value=focus_id)
        person = _person(conn, focus.person_id, origin)
        by_person = _party(person, by, origin)
        focus = store.agree_focus(conn, focus_id, as_person=by_person, now=now)
        if focus.agreed:
            _event(
                conn,
                EventType.FOCUS_AGREED,
                person.id,
                {"focus": focus_id, "competency_id": focus.competency_id, "target_level": focus.target_level},
                now,
            )
    return focus


def record_commitment(
    db: Database, *, person_id: str, kind: CommitmentKind, text: str, by: str, now: datetime,
    meeting_key: str | None = None, due: date | None = None, visibility: Visibility = Visibility.MANAGER,
    origin: str = "kairos commitments add",
) -> Commitment:  # fmt: skip
    """A next step, a manager action or the manager's feedback, agreed in a 1:1 between a person and their manager."""
    with db.transaction() as conn:
        person = _person(conn, person_id, origin)
        _party(person, by, origin)
        if not person.manager_id:
            raise InputError.at(origin, "a person who has a manager", field="person", value=person_id)
        if meeting_key is not None and meeting_store.get(conn, meeting_key) is None:
            raise InputError.at(origin, "the key of an imported meeting", field="meeting", value=meeting_key)
        commitment_id = store.add_commitment(
            conn, person_id=person.id, manager_id=person.manager_id, kind=kind, text=_text(text, origin),
            meeting_key=meeting_key, due=due, visibility=visibility, recorded_by=by, now=now,
        )  # fmt: skip
        _event(
            conn,
            EventType.COMMITMENT_RECORDED,
            person.id,
            {"commitment": commitment_id, "kind": kind.value, "meeting": meeting_key, "by": by},
            now,
        )
        found = store.get_commitment(conn, commitment_id)
    assert found is not None
    return found


def follow_up_commitment(
    db: Database, commitment_id: int, *, status: CommitmentStatus, note: str, by: str, now: datetime,
    origin: str = "kairos commitments done",
) -> Commitment:  # fmt: skip
    """Close a commitment as done or dropped, with what happened."""
    if status is CommitmentStatus.OPEN:
        raise InputError.at(origin, "done or dropped", field="status", value=status.value)
    with db.transaction() as conn:
        commitment = store.get_commitment(conn, commitment_id)
        if commitment is None:
            raise InputError.at(origin, "the id of a recorded commitment", field="commitment", value=commitment_id)
        if commitment.status is not CommitmentStatus.OPEN:
            raise InputError.at(origin, "an open commitment", field="commitment",
                                value=f"{commitment_id} is already {commitment.status.value}")  # fmt: skip
        if by not in (commitment.person_id, commitment.manager_id):
            raise InputError.at(origin, f"{commitment.person_id} or {commitment.manager_id}", field="by", value=by)
        store.follow_up(conn, commitment_id, status, note.strip()[:MAX_TEXT], now)
        _event(
            conn,
            EventType.COMMITMENT_FOLLOWED_UP,
            commitment.person_id,
            {"commitment": commitment_id, "status": status.value, "by": by},
            now,
        )
        found = store.get_commitment(conn, commitment_id)
    assert found is not None
    return found


def record_observation(
    db: Database, *, person_id: str, text: str, by: str, now: datetime, kind: str = "observation",
    competency_id: str | None = None, visibility: Visibility = Visibility.MANAGER, meeting_key: str | None = None,
    origin: str = "kairos observe",
) -> int:  # fmt: skip
    """A manager observation, or a short 1:1 note by either party, kept as evidence under its visibility."""
    if kind not in ("observation", "note"):
        raise InputError.at(origin, "observation or note", field="kind", value=kind)
    with db.transaction() as conn:
        person = _person(conn, person_id, origin)
        is_person = _party(person, by, origin)
        if kind == "observation" and is_person:
            raise InputError.at(origin, "an observation written by the manager (the person may add notes)",
                                field="by", value=by)  # fmt: skip
        framework = framework_store.latest(conn)
        if competency_id is not None and (framework is None or framework.competency(competency_id) is None):
            raise InputError.at(origin, "a competency of the current framework", field="competency",
                                value=competency_id)  # fmt: skip
        observation_id = store.add_observation(conn, {
            "person_id": person.id, "author_id": by, "kind": kind, "competency_id": competency_id,
            "text": _text(text, origin), "visibility": visibility.value, "meeting_key": meeting_key,
            "recorded_at": now,
        })  # fmt: skip
        _event(
            conn,
            EventType.OBSERVATION_RECORDED,
            person.id,
            {"observation": observation_id, "kind": kind, "competency_id": competency_id, "by": by},
            now,
        )
    return observation_id
