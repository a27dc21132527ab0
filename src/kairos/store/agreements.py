"""Agreed focuses, commitments and observations as stored; the service in ``ingest/agreements.py`` writes them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, func, select, update

from kairos.domain.commitment import Commitment, CommitmentKind, CommitmentStatus, Focus, Visibility
from kairos.store.schema import commitments, focuses, observations


def _commitment(r: Any) -> Commitment:
    return Commitment(
        id=r.id, person_id=r.person_id, manager_id=r.manager_id, kind=CommitmentKind(r.kind), text=r.text,
        status=CommitmentStatus(r.status), recorded_at=r.recorded_at, meeting_key=r.meeting_key, due=r.due,
        follow_up=r.follow_up, followed_up_at=r.followed_up_at, visibility=Visibility(r.visibility),
        recorded_by=r.recorded_by,
    )  # fmt: skip


def add_commitment(
    conn: Connection, *, person_id: str, manager_id: str, kind: CommitmentKind, text: str, meeting_key: str | None,
    due: date | None, visibility: Visibility, recorded_by: str, now: datetime,
) -> int:  # fmt: skip
    result = conn.execute(commitments.insert().values(
        person_id=person_id, manager_id=manager_id, kind=kind.value, text=text, meeting_key=meeting_key, due=due,
        status=CommitmentStatus.OPEN.value, visibility=visibility.value, recorded_by=recorded_by, recorded_at=now,
    ))  # fmt: skip
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def get_commitment(conn: Connection, commitment_id: int) -> Commitment | None:
    row = conn.execute(select(commitments).where(commitments.c.id == commitment_id)).first()
    return _commitment(row) if row else None


def follow_up(conn: Connection, commitment_id: int, status: CommitmentStatus, note: str, now: datetime) -> None:
    conn.execute(
        update(commitments)
        .where(commitments.c.id == commitment_id)
        .values(status=status.value, follow_up=note, followed_up_at=now)
    )


def open_between(conn: Connection, person_id: str, manager_id: str) -> list[Commitment]:
    """Open commitments between a person and their manager, oldest first."""
    rows = conn.execute(
        select(commitments)
        .where(
            commitments.c.person_id == person_id,
            commitments.c.manager_id == manager_id,
            commitments.c.status == CommitmentStatus.OPEN.value,
        )
        .order_by(commitments.c.recorded_at, commitments.c.id)
    )
    return [_commitment(r) for r in rows]


def recently_followed_up(conn: Connection, person_id: str, manager_id: str, since: datetime) -> list[Commitment]:
    rows = conn.execute(
        select(commitments)
        .where(
            commitments.c.person_id == person_id,
            commitments.c.manager_id == manager_id,
            commitments.c.followed_up_at >= since,
        )
        .order_by(commitments.c.followed_up_at, commitments.c.id)
    )
    return [_commitment(r) for r in rows]


def all_for(conn: Connection, person_id: str) -> list[Commitment]:
    rows = conn.execute(
        select(commitments).where(commitments.c.person_id == person_id).order_by(commitments.c.recorded_at)
    )
    return [_commitment(r) for r in rows]


def _focus(r: Any) -> Focus:
    return Focus(
        id=r.id, person_id=r.person_id, competency_id=r.competency_id, target_level=r.target_level,
        description=r.description, framework_id=r.framework_id, framework_version=r.framework_version,
        proposed_by=r.proposed_by, person_agreed=r.person_agreed_at is not None,
        manager_agreed=r.manager_agreed_at is not None,
    )  # fmt: skip


def add_focus(conn: Connection, values: dict[str, Any]) -> int:
    result = conn.execute(focuses.insert().values(**values))
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def get_focus(conn: Connection, focus_id: int) -> Focus | None:
    row = conn.execute(select(focuses).where(focuses.c.id == focus_id)).first()
    return _focus(row) if row else None


def agree_focus(conn: Connection, focus_id: int, *, as_person: bool, now: datetime) -> Focus:
    column = "person_agreed_at" if as_person else "manager_agreed_at"
    conn.execute(update(focuses).where(focuses.c.id == focus_id).values({column: now}))
    focus = get_focus(conn, focus_id)
    assert focus is not None
    if focus.agreed:
        # One agreed focus at a time: the new one replaces the previous.
        conn.execute(
            update(focuses)
            .where(focuses.c.person_id == focus.person_id, focuses.c.status == "agreed", focuses.c.id != focus_id)
            .values(status="closed")
        )
        conn.execute(update(focuses).where(focuses.c.id == focus_id).values(status="agreed"))
    return focus


def focus_agreed_on(conn: Connection, focus_id: int) -> date:
    """The day the second party agreed: when the focus became active."""
    row = conn.execute(
        select(focuses.c.person_agreed_at, focuses.c.manager_agreed_at).where(focuses.c.id == focus_id)
    ).one()
    agreed: datetime = max(d for d in (row.person_agreed_at, row.manager_agreed_at) if d is not None)
    return agreed.date()


def active_focus(conn: Connection, person_id: str) -> Focus | None:
    row = conn.execute(
        select(focuses)
        .where(focuses.c.person_id == person_id, focuses.c.status == "agreed")
        .order_by(focuses.c.id.desc())
        .limit(1)
    ).first()
    return _focus(row) if row else None


def add_observation(conn: Connection, values: dict[str, Any]) -> int:
    result = conn.execute(observations.insert().values(**values))
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def observations_about(conn: Connection, person_id: str) -> Sequence[Any]:
    return conn.execute(
        select(observations).where(observations.c.person_id == person_id).order_by(observations.c.recorded_at)
    ).all()


def close_focus(conn: Connection, person_id: str, now: datetime) -> None:
    """The person's agreed focus is done: its target level was reached (``achieved``, unlike a replaced one)."""
    conn.execute(
        update(focuses).where(focuses.c.person_id == person_id, focuses.c.status == "agreed").values(status="achieved")
    )


def open_counts(conn: Connection) -> dict[str, int]:
    """Open commitments per person (with their manager), for the plays' ``subject_has_open_commitments``."""
    rows = conn.execute(
        select(commitments.c.person_id, func.count())
        .where(commitments.c.status == CommitmentStatus.OPEN.value)
        .group_by(commitments.c.person_id)
    )
    return {r[0]: int(r[1]) for r in rows}
