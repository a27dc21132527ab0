"""An assessment file as rows of text cells, whether it came as CSV or as JSON.

CSV is read by ``ingest.base.read_csv`` (comma or ``;``, a byte-order mark, quoted cells); JSON is
a list of objects or ``{"instrument": ..., "results": [...]}``. Field names are matched the same
way in both (``Theme 1`` = ``theme_1``) and JSON numbers become the text a cell would hold, so the
instruments check one kind of value and both forms give the same errors.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from kairos.errors import InputError
from kairos.ingest.base import Problems, normalize_header, read_csv, sniff_delimiter
from kairos.ingest.feedback import Record, load_json, looks_like_json

RESULTS_KEY = "results"
INSTRUMENT_KEY = "instrument"


@dataclass(frozen=True, slots=True)
class Table:
    """The file's columns (as matched), how each was written, its rows, and the instrument a JSON file names."""

    columns: tuple[str, ...]  # a JSON file's columns are every field any of its objects has
    spelled: dict[str, str]  # column → as the file wrote it, for messages
    rows: list[Record]
    from_json: bool
    named: object = None  # the top-level "instrument" of a JSON file, as given


def read_table(text: str, file: str, problems: Problems, *, max_chars: int) -> Table:
    """The rows of a CSV or JSON assessment file; cell problems go to ``problems``, a broken file raises."""
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise InputError.at(file, "assessment results: a header row and a row per result, or JSON", row=1)
    if looks_like_json(text, file):
        return _json_table(load_json(text, file), problems, max_chars=max_chars)
    return _csv_table(text, file, problems, max_chars=max_chars)


def _csv_table(text: str, file: str, problems: Problems, *, max_chars: int) -> Table:
    delimiter = sniff_delimiter(text)
    try:
        header = next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), [])
    except csv.Error as exc:
        raise InputError.at(file, "well-formed CSV", row=1, value=str(exc)) from None
    columns = tuple(normalize_header(name) for name in header)
    # Every column is read here; which belong is known only once the instrument is (``parse.check_columns``).
    rows = read_csv(text, file, required=(), optional=columns, max_chars=max_chars, problems=problems,
                    delimiter=delimiter)  # fmt: skip
    spelled = dict(zip(columns, header, strict=True))
    return Table(columns, spelled, [(r.number, r.values) for r in rows], from_json=False)


def _json_table(doc: object, problems: Problems, *, max_chars: int) -> Table:
    named: object = None
    items = doc
    if isinstance(doc, dict):
        for key in sorted(str(k) for k in doc if k not in (INSTRUMENT_KEY, RESULTS_KEY)):
            problems.add(f'only the keys "{INSTRUMENT_KEY}" and "{RESULTS_KEY}" at the top level', field=key)
        named, items = doc.get(INSTRUMENT_KEY), doc.get(RESULTS_KEY)
    if not isinstance(items, list):
        raise InputError.at(problems.file, f'a list of results, or an object {{"{INSTRUMENT_KEY}": "disc", '
                            f'"{RESULTS_KEY}": [...]}}', value=type(items).__name__)  # fmt: skip
    spelled: dict[str, str] = {}
    rows: list[Record] = []
    for index, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            problems.add("a result object", row=index, value=item)
            continue
        values: dict[str, str] = {}
        for key, value in item.items():
            column = normalize_header(key)
            if column in values:
                problems.add("each field once", row=index, field=key)
                continue
            spelled.setdefault(column, key)
            values[column] = _cell(value, problems, row=index, field=key, max_chars=max_chars)
        rows.append((index, values))
    return Table(tuple(spelled), spelled, rows, from_json=True, named=named)


def _cell(value: object, problems: Problems, *, row: int, field: str, max_chars: int) -> str:
    """A JSON value as the text a CSV cell would hold; anything but text or a number is a problem."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        problems.add("a text or a number", row=row, field=field, value=value)
        return ""
    # repr gives back exactly the float JSON held (nan and inf too, which the score check refuses)
    text = repr(value) if isinstance(value, float) else str(value).strip()
    if len(text) > max_chars:
        problems.add(f"at most {max_chars} characters", row=row, field=field, value=text)
        return ""
    return text
