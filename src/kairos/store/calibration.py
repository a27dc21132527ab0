"""Calibration exercises, their examples and managers' placements; the report is computed on read.

A placement row names its manager, because each manager may see their own results; every other
reader gets the report from ``kairos.domain.calibration``, which shows other managers only as
counts over groups of at least the minimum size. Nothing derived (distributions, agreement) is stored.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import Connection, delete, func, select

from kairos.domain.calibration import CalibrationExample, CalibrationReport, Exercise, Placement, calibration_report
from kairos.store import frameworks as framework_store
from kairos.store.rows import insert_ignoring_duplicates
from kairos.store.schema import calibration_examples, calibration_exercises, calibration_placements

_CHUNK = 500


def get_exercise(conn: Connection, exercise_id: str) -> Exercise | None:
    head = conn.execute(select(calibration_exercises).where(calibration_exercises.c.id == exercise_id)).first()
    if head is None:
        return None
    rows = conn.execute(
        select(calibration_examples)
        .where(calibration_examples.c.exercise_id == exercise_id)
        .order_by(calibration_examples.c.position)
    )
    examples = tuple(CalibrationExample(r.example_id, r.competency_id, r.key_level, r.behavior, r.rationale)
                     for r in rows)  # fmt: skip
    return Exercise(head.id, head.name, head.framework_id, head.framework_version, examples)


def get_exercises(conn: Connection, exercise_ids: Iterable[str]) -> dict[str, Exercise]:
    found: dict[str, Exercise] = {}
    for exercise_id in sorted(set(exercise_ids)):
        exercise = get_exercise(conn, exercise_id)
        if exercise is not None:
            found[exercise_id] = exercise
    return found


def has_placements(conn: Connection, exercise_id: str) -> bool:
    query = select(func.count()).where(calibration_placements.c.exercise_id == exercise_id)
    return bool(conn.execute(query).scalar_one())


def save_exercise(conn: Connection, exercise: Exercise, at: datetime) -> None:
    """Store an exercise, replacing a stored one of the same id (the caller allows that only without placements)."""
    conn.execute(delete(calibration_examples).where(calibration_examples.c.exercise_id == exercise.id))
    conn.execute(delete(calibration_exercises).where(calibration_exercises.c.id == exercise.id))
    conn.execute(
        calibration_exercises.insert().values(
            id=exercise.id,
            name=exercise.name,
            framework_id=exercise.framework_id,
            framework_version=exercise.framework_version,
            imported_at=at,
        )
    )
    conn.execute(
        calibration_examples.insert(),
        [
            {
                "exercise_id": exercise.id,
                "example_id": e.id,
                "position": n,
                "competency_id": e.competency_id,
                "key_level": e.key_level,
                "behavior": e.behavior,
                "rationale": e.rationale,
            }
            for n, e in enumerate(exercise.examples, start=1)
        ],
    )


def placements(conn: Connection, exercise_id: str) -> list[Placement]:
    """Every placement in the exercise, sorted: for the report's pure function, never shown one by one."""
    rows = conn.execute(
        select(calibration_placements.c.manager_id, calibration_placements.c.example_id, calibration_placements.c.level)
        .where(calibration_placements.c.exercise_id == exercise_id)
        .order_by(calibration_placements.c.manager_id, calibration_placements.c.example_id)
    )
    return [Placement(r.manager_id, r.example_id, r.level) for r in rows]


def stored_levels(conn: Connection, exercise_id: str, manager_ids: Iterable[str]) -> dict[tuple[str, str], int]:
    """``(manager, example) → level`` already stored for these managers in the exercise."""
    wanted = sorted(set(manager_ids))
    found: dict[tuple[str, str], int] = {}
    for start in range(0, len(wanted), _CHUNK):
        rows = conn.execute(
            select(calibration_placements).where(
                calibration_placements.c.exercise_id == exercise_id,
                calibration_placements.c.manager_id.in_(wanted[start : start + _CHUNK]),
            )
        )
        found.update({(r.manager_id, r.example_id): r.level for r in rows})
    return found


def save_placements(conn: Connection, exercise_id: str, batch: Sequence[Placement], at: datetime) -> int:
    """Store new placements; one already stored is kept as it is. Returns how many were new."""
    rows = [
        {
            "exercise_id": exercise_id,
            "manager_id": p.manager_id,
            "example_id": p.example_id,
            "level": p.level,
            "imported_at": at,
        }
        for p in batch
    ]
    return insert_ignoring_duplicates(conn, calibration_placements, rows, ("exercise_id", "manager_id", "example_id"))


def report(
    conn: Connection, exercise_id: str, *, min_group_size: int, manager_id: str | None = None
) -> CalibrationReport | None:
    """The report on an exercise (a manager's own view with ``manager_id``); None for an unknown exercise."""
    exercise = get_exercise(conn, exercise_id)
    if exercise is None:
        return None
    framework = framework_store.get(conn, exercise.framework_id, exercise.framework_version)
    if framework is None:  # frameworks are never deleted; a missing one means a broken database
        raise LookupError(f"framework {exercise.framework_id} {exercise.framework_version} of exercise "
                          f"{exercise_id} is not stored")  # fmt: skip
    return calibration_report(
        exercise, framework, placements(conn, exercise_id), min_group_size=min_group_size, manager_id=manager_id
    )
