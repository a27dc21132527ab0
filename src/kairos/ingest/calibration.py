"""Calibration exercises (YAML) and managers' placements (CSV or JSON); see ``docs/formats/calibration.md``.

``create_exercise`` checks an exercise file against the stored framework version it names and
stores it; while nobody has placed its examples, the same id may be stored again with changes.
``import_placements`` checks a whole placements file against the stored exercises and people —
each manager must be a known person who manages someone — and stores it in one transaction, with
one ``calibration.completed`` event per manager who has now placed every example of an exercise.
A placement is final once stored: re-importing it unchanged adds nothing, a changed level is refused.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from kairos.domain.calibration import CalibrationExample, Exercise, Placement, completed_managers
from kairos.domain.event import Event, EventType, content_id
from kairos.domain.framework import Competency, Framework, label_key
from kairos.errors import InputError
from kairos.ingest.base import LineDict, Problems, load_yaml, read_text
from kairos.ingest.feedback import ID_PATTERN, ImportResult, Record, check_person, parse_int, read_records
from kairos.store import Database
from kairos.store import calibration as calibration_store
from kairos.store import events as event_log
from kairos.store import feedback as feedback_store
from kairos.store import frameworks as framework_store
from kairos.store import people as people_store

ID_EXPECTED = "an id of letters, digits and . - _ @ : (at most 100)"
MAX_EXAMPLES = 200  # a calibration session covers a dozen or two; hundreds is the wrong file
_TOP_KEYS = ("exercise", "examples")
_HEAD_KEYS = ("id", "name", "framework", "version")
_EXAMPLE_KEYS = ("id", "competency", "behavior", "key", "rationale")
COLUMNS = ("exercise_id", "manager_id", "example_id", "level")
EVENT_SOURCE = "kairos/calibration"

FrameworkLookup = Callable[[str, str], Framework | None]


# --- the exercise (YAML) -----------------------------------------------------------------------------


def _known_keys(problems: Problems, node: LineDict, allowed: tuple[str, ...], where: str) -> None:
    for key in node:
        if key not in allowed:
            problems.add(f"one of the keys {', '.join(allowed)}", row=node.line_of(key), field=f"{where}{key}",
                         value=key)  # fmt: skip


def _text(problems: Problems, node: LineDict, key: str, where: str, max_chars: int, *, required: bool = True) -> str:
    value = node.get(key)
    if value is None and not required:
        return ""
    if isinstance(value, float) and key == "version":
        problems.add('a quoted version string such as "2026.1" (unquoted, YAML reads it as a number)',
                     row=node.line_of(key), field=f"{where}{key}", value=value)  # fmt: skip
        return ""
    if isinstance(value, int) and not isinstance(value, bool) and key in ("version", "id"):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        problems.add("a non-empty text", row=node.line_of(key), field=f"{where}{key}", value=value)
        return ""
    if len(value) > max_chars:
        problems.add(f"at most {max_chars} characters", row=node.line_of(key), field=f"{where}{key}", value=value)
        return ""
    return value.strip()


def _id(problems: Problems, node: LineDict, where: str) -> str:
    value = _text(problems, node, "id", where, 100)
    if value and not ID_PATTERN.match(value):
        problems.add(ID_EXPECTED, row=node.line_of("id"), field=f"{where}id", value=value)
        return ""
    return value


def _key(problems: Problems, node: LineDict, competency: Competency | None, where: str) -> int | None:
    value = node.get("key")
    if competency is None:  # the competency's problem is reported already; check only the form
        if not isinstance(value, int) or isinstance(value, bool):
            problems.add("a level number", row=node.line_of("key"), field=f"{where}key", value=value)
        return None
    if isinstance(value, int) and not isinstance(value, bool) and competency.level(value) is not None:
        return value
    levels = ", ".join(f"{lv.level} {lv.name}" for lv in competency.levels)
    problems.add(f"the level the example shows, a level of {competency.id}: {levels}", row=node.line_of("key"),
                 field=f"{where}key", value=value)  # fmt: skip
    return None


def parse_exercise_text(text: str, file: str, frameworks: FrameworkLookup, *, max_chars: int = 2000) -> Exercise:
    """The exercise in a YAML text, checked against the framework version it names; or an InputError."""
    doc = load_yaml(text, file)
    if not isinstance(doc, LineDict) or not isinstance(doc.get("exercise"), LineDict):
        raise InputError.at(file, "a mapping with 'exercise' (id, name, framework, version) and 'examples'", row=1)
    problems = Problems(file)
    _known_keys(problems, doc, _TOP_KEYS, "")
    head: LineDict = doc["exercise"]
    _known_keys(problems, head, _HEAD_KEYS, "exercise.")
    exercise_id = _id(problems, head, "exercise.")
    name = _text(problems, head, "name", "exercise.", 300)
    framework_id = _text(problems, head, "framework", "exercise.", 100)
    version = _text(problems, head, "version", "exercise.", 100)
    framework = frameworks(framework_id, version) if framework_id and version else None
    if framework_id and version and framework is None:
        problems.add("a framework version stored in Kairos (see `kairos framework list`; import it first)",
                     row=head.line_of("framework"), field="exercise.framework",
                     value=f"{framework_id} {version}")  # fmt: skip
    items = doc.get("examples")
    if not isinstance(items, list) or not items or len(items) > MAX_EXAMPLES:
        problems.add(f"a list of 1 to {MAX_EXAMPLES} examples", row=doc.line_of("examples"), field="examples",
                     value=len(items) if isinstance(items, list) else items)  # fmt: skip
        problems.raise_if_any()
        raise AssertionError  # unreachable: raise_if_any raised
    examples: list[CalibrationExample] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(items):
        where = f"examples[{index}]."
        if not isinstance(item, LineDict):
            problems.add("an example mapping with id, competency, behavior and key", row=doc.line_of("examples"),
                         field=where[:-1], value=item)  # fmt: skip
            continue
        before = len(problems.items)
        _known_keys(problems, item, _EXAMPLE_KEYS, where)
        example_id = _id(problems, item, where)
        if example_id in seen:
            problems.add(f"a unique example id (also on line {seen[example_id]})", row=item.line_of("id"),
                         field=f"{where}id", value=example_id)  # fmt: skip
        elif example_id:
            seen[example_id] = item.line_of("id")
        competency_id = _text(problems, item, "competency", where, 100)
        competency = framework.competency(competency_id) if framework and competency_id else None
        if framework and competency_id and competency is None:
            problems.add(f"a competency of {framework.id} {framework.version} "
                         f"({', '.join(c.id for c in framework.competencies)})", row=item.line_of("competency"),
                         field=f"{where}competency", value=competency_id)  # fmt: skip
        behavior = _text(problems, item, "behavior", where, max_chars)
        rationale = _text(problems, item, "rationale", where, max_chars, required=False) or None
        key = _key(problems, item, competency, where)
        if len(problems.items) == before and key is not None:
            examples.append(CalibrationExample(example_id, competency_id, key, behavior, rationale))
    problems.raise_if_any()
    return Exercise(exercise_id, name, framework_id, version, tuple(examples))


def parse_exercise(path: Path | str, frameworks: FrameworkLookup, *, max_chars: int = 2000) -> Exercise:
    return parse_exercise_text(read_text(path), str(path), frameworks, max_chars=max_chars)


def create_exercise(db: Database, path: Path | str, *, now: datetime, max_chars: int = 2000) -> tuple[Exercise, str]:
    """Check and store an exercise file. Returns the exercise and ``stored``, ``replaced`` or ``unchanged``."""
    file = str(path)
    text = read_text(path)
    with db.transaction() as conn:
        exercise = parse_exercise_text(text, file, lambda fid, v: framework_store.get(conn, fid, v),
                                       max_chars=max_chars)  # fmt: skip
        stored = calibration_store.get_exercise(conn, exercise.id)
        if stored == exercise:
            return exercise, "unchanged"
        if stored is not None and calibration_store.has_placements(conn, exercise.id):
            raise InputError.at(
                file,
                f"a new exercise id: managers have placed examples of {exercise.id} already, so it can no longer "
                "change (store the changed exercise under another id)",
                field="exercise.id",
                value=exercise.id,
            )
        calibration_store.save_exercise(conn, exercise, now)
        return exercise, "stored" if stored is None else "replaced"


# --- placements (CSV or JSON) ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlacementFile:
    """A placements file read but not yet checked against exercises and people."""

    file: str
    records: list[Record]
    problems: Problems

    @property
    def exercise_ids(self) -> set[str]:
        return {v["exercise_id"] for _, v in self.records if v["exercise_id"]}

    @property
    def manager_ids(self) -> set[str]:
        return {v["manager_id"] for _, v in self.records if v["manager_id"]}


def read_placements_text(text: str, file: str, *, max_chars: int = 2000) -> PlacementFile:
    problems = Problems(file)
    records = read_records(text, file, problems, what="placement", key="placements", required=COLUMNS,
                           max_chars=max_chars)  # fmt: skip
    return PlacementFile(file, records, problems)


def _level(value: str, competency: Competency, problems: Problems, *, row: int) -> int | None:
    """A level of the competency, by number or by name (``3`` or ``Skilled``)."""
    number = parse_int(value)
    if number is None:
        number = next((lv.level for lv in competency.levels if label_key(lv.name) == label_key(value)), None)
    if number is None or competency.level(number) is None:
        levels = ", ".join(f"{lv.level} {lv.name}" for lv in competency.levels)
        problems.add(f"a level of {competency.id}, by number or name: {levels}", row=row, field="level", value=value)
        return None
    return number


@dataclass(frozen=True, slots=True)
class Context:
    """What a placements file is checked against: stored exercises (with their frameworks), people, managers."""

    exercises: Mapping[str, tuple[Exercise, Framework]]
    statuses: dict[str, str]  # person id → status, for the people the file names
    managers: frozenset[str]  # of those, the ones with at least one employed direct report
    stored: Mapping[tuple[str, str, str], int]  # (exercise, manager, example) → level already stored


def validate_placements(read: PlacementFile, context: Context) -> dict[str, tuple[Placement, ...]]:
    """The file's placements by exercise, or an InputError listing every problem."""
    problems = read.problems
    first_row: dict[tuple[str, str, str], int] = {}
    found: dict[str, list[Placement]] = {}
    for row, v in read.records:
        before = len(problems.items)
        known = context.exercises.get(v["exercise_id"])
        if known is None:
            problems.add("the id of a calibration exercise stored in Kairos (kairos calibration create FILE)",
                         row=row, field="exercise_id", value=v["exercise_id"])  # fmt: skip
        manager = check_person(v["manager_id"], context.statuses, problems, row=row, field="manager_id")
        if manager is not None and manager not in context.managers:
            problems.add("a manager: a person with at least one direct report (this person manages nobody)",
                         row=row, field="manager_id", value=manager)  # fmt: skip
            manager = None
        example = level = None
        if known is not None:
            exercise, framework = known
            example = exercise.example(v["example_id"])
            if example is None:
                ids = [e.id for e in exercise.examples]
                shown = ", ".join(ids[:10]) + (f", … ({len(ids)} in all)" if len(ids) > 10 else "")
                problems.add(f"an example of exercise {exercise.id} ({shown})", row=row, field="example_id",
                             value=v["example_id"])  # fmt: skip
            else:
                competency = framework.competency(example.competency_id)
                assert competency is not None  # the exercise was checked against its framework when stored
                level = _level(v["level"], competency, problems, row=row)
        if len(problems.items) > before or known is None or manager is None or example is None or level is None:
            continue
        key = (known[0].id, manager, example.id)
        if key in first_row:
            problems.add(f"one placement per manager and example (also on row {first_row[key]})", row=row,
                         field="example_id", value=example.id)  # fmt: skip
            continue
        first_row[key] = row
        earlier = context.stored.get(key)
        if earlier is not None and earlier != level:
            problems.add(f"the level stored for this placement in an earlier import ({earlier}): a placement is final "
                         "once stored", row=row, field="level", value=v["level"])  # fmt: skip
            continue
        found.setdefault(known[0].id, []).append(Placement(manager, example.id, level))
    if not read.records:
        problems.add("at least one placement")
    problems.raise_if_any()
    return {exercise_id: tuple(batch) for exercise_id, batch in found.items()}


def parse_placements_text(
    text: str, file: str, context: Context, *, max_chars: int = 2000
) -> dict[str, tuple[Placement, ...]]:
    return validate_placements(read_placements_text(text, file, max_chars=max_chars), context)


def completed_event(exercise: Exercise, manager_id: str, at: datetime) -> Event:
    """``calibration.completed`` for a manager: once per manager and exercise; no placements, no results."""
    return Event(
        id=content_id(EventType.CALIBRATION_COMPLETED.value, exercise.id, manager_id),
        source=EVENT_SOURCE,
        type=EventType.CALIBRATION_COMPLETED,
        subject=manager_id,
        time=at,
        data={
            "exercise_id": exercise.id,
            "exercise_name": exercise.name,
            "examples": len(exercise.examples),
            "framework": f"{exercise.framework_id}@{exercise.framework_version}",
        },
    )


def import_placements(db: Database, path: Path | str, *, now: datetime, max_chars: int = 2000) -> ImportResult:
    """Validate a whole placements file, then store it and the completion events, in one transaction.

    ``records`` in the result counts the placements newly stored (a re-import stores none).
    """
    file = str(path)
    read = read_placements_text(read_text(path), file, max_chars=max_chars)
    with db.transaction() as conn:
        exercises: dict[str, tuple[Exercise, Framework]] = {}
        for exercise_id, exercise in calibration_store.get_exercises(conn, read.exercise_ids).items():
            framework = framework_store.get(conn, exercise.framework_id, exercise.framework_version)
            if framework is not None:
                exercises[exercise_id] = (exercise, framework)
        statuses = feedback_store.person_statuses(conn, read.manager_ids)
        reports = people_store.reports_of(conn, statuses.keys())
        managers = frozenset(p.manager_id for p in reports.values() if p.manager_id)
        stored: dict[tuple[str, str, str], int] = {}
        for exercise_id in exercises:
            levels = calibration_store.stored_levels(conn, exercise_id, read.manager_ids)
            stored.update({(exercise_id, manager, example): n for (manager, example), n in levels.items()})
        by_exercise = validate_placements(read, Context(exercises, statuses, managers, stored))
        added, new_events = 0, []
        for exercise_id, batch in sorted(by_exercise.items()):
            exercise = exercises[exercise_id][0]
            added += calibration_store.save_placements(conn, exercise_id, batch, now)
            in_file = {p.manager_id for p in batch}
            done = completed_managers(exercise, calibration_store.placements(conn, exercise_id))
            new_events += [completed_event(exercise, m, now) for m in done if m in in_file]
        return ImportResult(records=added, events=event_log.append(conn, new_events, now))
