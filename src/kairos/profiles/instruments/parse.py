"""Assessment result files → ``AssessmentResult``s: which instrument, which person, and every problem at once.

Pure: the text comes in, results or one ``InputError`` come out. The formats are documented in
``docs/formats/assessments.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path

from kairos.domain.style import AssessmentResult, Instrument
from kairos.errors import InputError
from kairos.ingest.base import Problems, normalize_header, read_text
from kairos.ingest.feedback import check_date
from kairos.profiles.instruments.base import COMMON_COLUMNS, PERSON_COLUMNS, InstrumentFormat, RowProblems
from kairos.profiles.instruments.records import INSTRUMENT_KEY, Table, read_table
from kairos.profiles.instruments.registry import FORMATS, instrument_named

# No cell of an assessment file needs more: the longest name is a VIA strength of 37 characters, an email
# at most 254.
MAX_CELL = 256

_NAME_IT = f'or name the instrument when importing (--instrument; in JSON, a top-level "{INSTRUMENT_KEY}")'


def read_results(
    path: Path | str, *, instrument: Instrument | None, people: Mapping[str, str], max_chars: int = MAX_CELL
) -> list[AssessmentResult]:
    """The results in an assessment file (see ``parse_results``)."""
    return parse_results(read_text(path), str(path), instrument=instrument, people=people, max_chars=max_chars)


def parse_results(
    text: str, file: str, *, instrument: Instrument | None, people: Mapping[str, str], max_chars: int = MAX_CELL
) -> list[AssessmentResult]:
    """Every result in an assessment file, or an InputError listing all of the file's problems.

    ``instrument`` None means: the one a JSON file names, else the one the columns identify.
    ``people`` maps each current person's id, and their email in lower case, to their id.
    """
    problems = Problems(file)
    table = read_table(text, file, problems, max_chars=max_chars)
    if not table.rows:
        problems.add("at least one result", row=None if table.from_json else 2)
        problems.raise_if_any()
    format_ = choose_format(table, instrument, file)
    check_columns(table, format_, problems)
    reported: dict[int | None, set[str]] = {}
    for problem in problems.items:
        reported.setdefault(problem.row, set()).add(normalize_header(problem.field or ""))
    results: list[AssessmentResult] = []
    first_row: dict[tuple[str, date | None], int] = {}
    for row, values in table.rows:
        row_problems = RowProblems(problems, row, frozenset(reported.get(row, ())))
        result = _read_row(format_, row, values, file, people, row_problems)
        if result is None:
            continue
        key = (result.person_id, result.taken_on)
        if key in first_row:
            field = "person_id" if values.get("person_id") else "email"
            problems.add(f"one {format_.title} result per person and date (also on row {first_row[key]})", row=row,
                         field=field, value=values.get(field))  # fmt: skip
            continue
        first_row[key] = row
        results.append(result)
    problems.items.sort(key=lambda problem: problem.row or 0)  # cell problems were found first, when reading
    problems.raise_if_any()
    return results


def choose_format(table: Table, instrument: Instrument | None, file: str) -> InstrumentFormat:
    """The format ``instrument`` names, else the one a JSON file names, else the one the columns identify."""
    named = _named_instrument(table, file)
    if instrument is not None and named is not None and named != instrument:
        raise InputError.at(file, f'the instrument named when importing ({instrument.value}), or no "{INSTRUMENT_KEY}"',
                            field=INSTRUMENT_KEY, value=table.named)  # fmt: skip
    chosen = instrument or named
    return FORMATS[chosen] if chosen is not None else detect_format(table, file)


def _named_instrument(table: Table, file: str) -> Instrument | None:
    if table.named is None:
        return None
    named = instrument_named(table.named) if isinstance(table.named, str) else None
    if named is None:
        raise InputError.at(file, f"one of the instruments {', '.join(i.value for i in FORMATS)}",
                            field=INSTRUMENT_KEY, value=table.named)  # fmt: skip
    return named


def detect_format(table: Table, file: str) -> InstrumentFormat:
    """The one instrument whose columns the file has most of; two that share columns are told apart by values.

    A file with one misspelt column still finds its instrument, so the error can name that column.
    """
    own = set(table.columns) - set(COMMON_COLUMNS)
    shared = {format_: len(own & set(format_.columns)) for format_ in FORMATS.values()}
    most = max(shared.values())
    candidates = [format_ for format_, count in shared.items() if count == most and most > 0]
    if len(candidates) > 1:
        candidates = [format_ for format_ in candidates if all(format_.fits(values) for _, values in table.rows)]
    if len(candidates) == 1:
        return candidates[0]
    every = "; ".join(f"{format_.title}: {format_.identified_by}" for format_ in FORMATS.values())
    tied = [format_.title for format_, count in shared.items() if count == most and most > 0]
    which = f"the columns of one instrument (these fit {' and '.join(tied)} alike)" if tied else (
        "the columns of one instrument")  # fmt: skip
    raise InputError.at(file, f"{which} — {every} — {_NAME_IT}", row=None if table.from_json else 1,
                        value=[table.spelled[c] for c in table.columns])  # fmt: skip


def check_columns(table: Table, format_: InstrumentFormat, problems: Problems) -> None:
    """Refuse columns the instrument does not have, and (in CSV) its required ones missing, before any row."""
    known = set(COMMON_COLUMNS) | set(format_.columns)
    listed = f"{', '.join(COMMON_COLUMNS)} and {format_.identified_by}"
    if table.from_json:
        for row, values in table.rows:
            for column in sorted(set(values) - known):
                problems.add(f"only the {format_.title} fields: {listed}", row=row, field=table.spelled[column])
        return
    header = [table.spelled[c] for c in table.columns]
    before = len(problems.items)
    for column in format_.required:
        if column not in table.columns:
            spelled = format_.spelled(column)
            problems.add(f"a column named {spelled!r} for {format_.title}", row=1, field=spelled, value=header)
    if not set(PERSON_COLUMNS) & set(table.columns):
        problems.add("a column 'person_id' or 'email' naming the person", row=1, value=header)
    for column in table.columns:
        if column not in known:
            problems.add(f"only the {format_.title} columns: {listed}", row=1, field=table.spelled[column],
                         value=table.spelled[column])  # fmt: skip
    if len(problems.items) > before:  # a wrong header makes every row wrong: say it once
        problems.raise_if_any()


def _read_row(
    format_: InstrumentFormat, row: int, values: dict[str, str], file: str, people: Mapping[str, str],
    problems: RowProblems,
) -> AssessmentResult | None:  # fmt: skip
    before = len(problems.problems.items)
    person = _person(values, people, problems)
    taken = values.get("taken_on", "")
    taken_on = check_date(taken, problems.problems, row=row, field="taken_on") if taken else None
    reading = format_.read({c: values.get(c, "") for c in format_.columns}, problems)
    if len(problems.problems.items) > before or person is None or reading is None:
        return None
    return AssessmentResult(person_id=person, instrument=format_.instrument, taken_on=taken_on, source_file=file,
                            source_row=row, scores=reading.scores, ranking=reading.ranking,
                            type_code=reading.type_code)  # fmt: skip


def _person(values: Mapping[str, str], people: Mapping[str, str], problems: RowProblems) -> str | None:
    """The person a row is about, by ``person_id`` or ``email``; when both are given they must agree."""
    person_id, email = values.get("person_id", ""), values.get("email", "")
    if person_id and people.get(person_id) != person_id:  # an id maps to itself; an email to the id
        problems.add("the id of a current person (import people first; people who have left are not matched)",
                     field="person_id", value=person_id)  # fmt: skip
        return None
    if email:
        found = people.get(email.lower()) if "@" in email else None
        if found is None:
            problems.add("the email of a current person (import people first; people who have left are not matched)",
                         field="email", value=email)  # fmt: skip
            return None
        if person_id and found != person_id:
            problems.add(f"the email of {person_id}, the person_id on this row, or no email", field="email",
                         value=email)  # fmt: skip
            return None
        return found
    if not person_id:
        problems.add("a person_id or an email naming the person", field="person_id", value="")
        return None
    return person_id
