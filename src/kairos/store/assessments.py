"""Assessment results as imported, and each person's style-sharing consent."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from kairos.domain.event import content_id
from kairos.domain.style import DEFAULT_STYLE_SHARING, AssessmentResult, Instrument, StyleSharing
from kairos.store.rows import insert_ignoring_duplicates, rows_where_in, upsert
from kairos.store.schema import assessments, style_sharing


def result_id(result: AssessmentResult) -> str:
    """The same result imported twice (even from a renamed file) has the same id."""
    return content_id(result.person_id, result.instrument.value, result.taken_on, dict(result.scores),
                      list(result.ranking), result.type_code)  # fmt: skip


def save(conn: Connection, results: Sequence[AssessmentResult], now: datetime) -> int:
    """Store results; returns how many were new."""
    rows = [
        {
            "id": result_id(r),
            "person_id": r.person_id,
            "instrument": r.instrument.value,
            "taken_on": r.taken_on,
            "source_file": r.source_file[:300],
            "source_row": r.source_row,
            "scores": dict(r.scores),
            "ranking": list(r.ranking),
            "type_code": r.type_code,
            "imported_at": now,
        }
        for r in results
    ]
    return insert_ignoring_duplicates(conn, assessments, rows, ("id",))


def _result(r: Any) -> AssessmentResult:
    return AssessmentResult(
        person_id=r.person_id, instrument=Instrument(r.instrument), taken_on=r.taken_on, source_file=r.source_file,
        source_row=r.source_row, scores=dict(r.scores), ranking=tuple(r.ranking), type_code=r.type_code,
    )  # fmt: skip


def for_people(conn: Connection, person_ids: Iterable[str]) -> dict[str, list[AssessmentResult]]:
    """Every stored result of each person, oldest first (people without any are left out)."""
    found: dict[str, list[AssessmentResult]] = {}
    for row in rows_where_in(conn, assessments, assessments.c.person_id, list(dict.fromkeys(person_ids))):
        found.setdefault(row.person_id, []).append(_result(row))
    for results in found.values():
        results.sort(key=lambda r: (r.taken_on is None, r.taken_on, r.instrument.value))
    return found


def count_by_instrument(conn: Connection) -> dict[str, int]:
    rows = conn.execute(select(assessments.c.instrument, assessments.c.person_id))
    people: dict[str, set[str]] = {}
    for r in rows:
        people.setdefault(r.instrument, set()).add(r.person_id)
    return {k: len(v) for k, v in sorted(people.items())}


def sharing_of(conn: Connection, person_ids: Iterable[str]) -> dict[str, StyleSharing]:
    """Each person's style-sharing setting; the default for anyone who never chose."""
    ids = list(dict.fromkeys(person_ids))
    chosen: dict[str, StyleSharing] = {}
    for r in rows_where_in(conn, style_sharing, style_sharing.c.person_id, ids):
        chosen[r.person_id] = StyleSharing(r.sharing)
    return {pid: chosen.get(pid, DEFAULT_STYLE_SHARING) for pid in ids}


def set_sharing(conn: Connection, person_id: str, sharing: StyleSharing, changed_by: str, now: datetime) -> None:
    upsert(conn, style_sharing,
           [{"person_id": person_id, "sharing": sharing.value, "changed_by": changed_by, "changed_at": now}],
           ("person_id",), ("sharing", "changed_by", "changed_at"))  # fmt: skip
