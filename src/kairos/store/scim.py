"""SCIM resources as provisioning clients stored them, and group membership (the tables of ``api/scim``).

A row holds a resource's JSON without ``id`` and ``meta`` (they are columns), its version, and for a
User the id of the person it provisions in ``people``. The SCIM id is Kairos's (a random hex string);
the person id is the HR id, so the two resolve to each other through this table.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, delete, func, insert, select, true, update

from kairos.domain.person import PersonStatus
from kairos.store.schema import people, scim_group_members, scim_resources

_EMPLOYED = (PersonStatus.ACTIVE.value, PersonStatus.LEAVE.value)


@dataclass(frozen=True, slots=True)
class ScimRow:
    id: str
    resource_type: str
    person_id: str | None
    data: dict[str, Any]
    version: int
    created: datetime
    last_modified: datetime


def _row(r: Any) -> ScimRow:
    return ScimRow(
        id=r.id,
        resource_type=r.resource_type,
        person_id=r.person_id,
        data=r.data,
        version=r.version,
        created=r.created,
        last_modified=r.last_modified,
    )


def get(conn: Connection, resource_type: str, resource_id: str, *, for_update: bool = False) -> ScimRow | None:
    """One resource; ``for_update`` locks its row until the transaction ends (PostgreSQL; SQLite has one writer)."""
    query = select(scim_resources).where(
        scim_resources.c.id == resource_id, scim_resources.c.resource_type == resource_type
    )
    if for_update:
        query = query.with_for_update()
    r = conn.execute(query).first()
    return _row(r) if r else None


def types_of(conn: Connection, ids: Iterable[str]) -> dict[str, str]:
    """The resource type of each of ``ids`` that exists."""
    wanted = list(set(ids))
    found: dict[str, str] = {}
    for start in range(0, len(wanted), 500):
        rows = conn.execute(
            select(scim_resources.c.id, scim_resources.c.resource_type).where(
                scim_resources.c.id.in_(wanted[start : start + 500])
            )
        )
        found.update({r.id: r.resource_type for r in rows})
    return found


def id_with_user_name(conn: Connection, user_name_key: str) -> str | None:
    return conn.execute(
        select(scim_resources.c.id).where(scim_resources.c.user_name_key == user_name_key)
    ).scalar_one_or_none()


def id_for_person(conn: Connection, person_id: str) -> str | None:
    """The SCIM User that provisions ``person_id``, if any."""
    return conn.execute(select(scim_resources.c.id).where(scim_resources.c.person_id == person_id)).scalar_one_or_none()


def person_for_user(conn: Connection, user_id: str) -> str | None:
    """The person id a SCIM User provisions, if ``user_id`` is one."""
    return conn.execute(
        select(scim_resources.c.person_id).where(
            scim_resources.c.id == user_id, scim_resources.c.resource_type == "User"
        )
    ).scalar_one_or_none()


def employed_with_email(conn: Connection, email: str, other_than: str) -> str | None:
    """The id of an employed person other than ``other_than`` whose email is ``email`` (without case)."""
    return conn.execute(
        select(people.c.id)
        .where(
            func.lower(people.c.email) == email.lower(),
            people.c.status.in_(_EMPLOYED),
            people.c.id != other_than,
        )
        .limit(1)
    ).scalar_one_or_none()


def insert_row(conn: Connection, row: ScimRow, columns: dict[str, Any]) -> None:
    """Store a new resource, numbered after every other one (callers serialize writes; ``seq`` is unique)."""
    seq = conn.execute(select(func.coalesce(func.max(scim_resources.c.seq), 0) + 1)).scalar_one()
    conn.execute(
        insert(scim_resources).values(
            id=row.id,
            seq=seq,
            resource_type=row.resource_type,
            person_id=row.person_id,
            data=row.data,
            version=row.version,
            created=row.created,
            last_modified=row.last_modified,
            **columns,
        )
    )


def update_row(conn: Connection, row: ScimRow, columns: dict[str, Any], expected_version: int) -> bool:
    """Write the new state of a resource if it still has ``expected_version``; False when it changed meanwhile."""
    done = conn.execute(
        update(scim_resources)
        .where(scim_resources.c.id == row.id, scim_resources.c.version == expected_version)
        .values(data=row.data, version=row.version, last_modified=row.last_modified, **columns)
    )
    return done.rowcount == 1


def delete_row(conn: Connection, resource_id: str) -> None:
    conn.execute(delete(scim_group_members).where(scim_group_members.c.group_id == resource_id))
    conn.execute(delete(scim_resources).where(scim_resources.c.id == resource_id))


def set_members(conn: Connection, group_id: str, member_ids: Iterable[str]) -> None:
    conn.execute(delete(scim_group_members).where(scim_group_members.c.group_id == group_id))
    rows = [{"group_id": group_id, "member_id": m} for m in sorted(set(member_ids))]
    if rows:
        conn.execute(insert(scim_group_members), rows)


def groups_containing(conn: Connection, member_id: str) -> list[str]:
    return list(
        conn.execute(select(scim_group_members.c.group_id).where(scim_group_members.c.member_id == member_id)).scalars()
    )


def groups_of(conn: Connection, member_ids: Sequence[str]) -> dict[str, list[tuple[str, str | None]]]:
    """For each member, the groups it is directly in, as (group id, group displayName), sorted by id."""
    found: dict[str, list[tuple[str, str | None]]] = {}
    wanted = list(set(member_ids))
    for start in range(0, len(wanted), 500):
        rows = conn.execute(
            select(scim_group_members.c.member_id, scim_resources.c.id, scim_resources.c.data)
            .join(scim_resources, scim_resources.c.id == scim_group_members.c.group_id)
            .where(scim_group_members.c.member_id.in_(wanted[start : start + 500]))
            .order_by(scim_resources.c.id)
        )
        for r in rows:
            found.setdefault(r.member_id, []).append((r.id, r.data.get("displayName")))
    return found


def _where(resource_types: Sequence[str], condition: ColumnElement[bool] | None) -> ColumnElement[bool]:
    clause = scim_resources.c.resource_type.in_(list(resource_types))
    return clause & condition if condition is not None else clause & true()


def count(conn: Connection, resource_types: Sequence[str], condition: ColumnElement[bool] | None = None) -> int:
    return int(
        conn.execute(
            select(func.count()).select_from(scim_resources).where(_where(resource_types, condition))
        ).scalar_one()
    )


def page(
    conn: Connection,
    resource_types: Sequence[str],
    condition: ColumnElement[bool] | None = None,
    *,
    offset: int = 0,
    limit: int | None = None,
) -> list[ScimRow]:
    """Resources of the given types, oldest first, optionally one page of them."""
    # With a condition, `seq + 0` keeps SQLite from walking the (resource_type, seq) index for its order
    # instead of using the index the condition can use; the few rows it leaves are sorted afterwards.
    order = scim_resources.c.seq if condition is None else scim_resources.c.seq + 0
    query = select(scim_resources).where(_where(resource_types, condition)).order_by(order).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return [_row(r) for r in conn.execute(query)]
