"""What every importer shares: reading bytes safely, collecting problems, CSV headers, YAML with line numbers.

Importers validate a whole file before anything is written, and report every problem (up
to a limit) with its file, row, field and value, so an admin fixes the file in one pass.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from kairos.errors import InputError, Problem

# A file with this many problems stops being read: the admin has the wrong file, not a few typos.
MAX_PROBLEMS = 200
# Anything bigger is not a people export or a framework, and reading it would only waste memory.
MAX_FILE_BYTES = 200 * 1024 * 1024


class Problems:
    """Collects problems for one input and raises them together."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.items: list[Problem] = []

    def add(self, expected: str, *, row: int | None = None, field: str | None = None, value: object = None) -> None:
        self.items.append(Problem(self.file, expected, row=row, field=field, value=value))
        if len(self.items) >= MAX_PROBLEMS:
            self.items.append(Problem(self.file, f"at most {MAX_PROBLEMS} problems; stopped reading"))
            raise InputError(self.items)

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        if self.items:
            raise InputError(self.items)


def read_text(path: Path | str) -> str:
    """The file as text: UTF-8 with or without Excel's byte-order mark, or a clear error."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputError.at(str(path), f"a file under {MAX_FILE_BYTES // (1024 * 1024)} MB", value=size)
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError.at(str(path), "a readable file", value=exc.strerror) from None
    return decode_text(raw, str(path))


def decode_text(raw: bytes, name: str) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError.at(name, "UTF-8 text; this file is UTF-16 (in Excel use 'CSV UTF-8')")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError.at(
            name,
            "UTF-8 text (save as 'CSV UTF-8'; other encodings such as Windows-1252 are not read)",
            row=line,
            value=raw[exc.start : exc.start + 8],
        ) from None
    if "\x00" in text:
        raise InputError.at(name, "a text file; it contains NUL bytes", row=text[: text.index("\x00")].count("\n") + 1)
    return text


def storable(text: str) -> bool:
    """Text every database keeps: no NUL, no unpaired surrogate halves (both can arrive as JSON escapes)."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def sniff_delimiter(text: str) -> str:
    """``;`` when the header line uses it more than commas (Excel in many European locales), else ``,``."""
    header = text.split("\n", 1)[0]
    return ";" if header.count(";") > header.count(",") else ","


def normalize_header(name: str) -> str:
    """``'Manager ID'``, ``'manager-id'`` and ``' MANAGER_ID '`` all mean ``manager_id``."""
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


@dataclass(frozen=True, slots=True)
class CsvRow:
    number: int  # as a spreadsheet shows it: the header is row 1
    values: dict[str, str]


def read_csv(
    text: str,
    file: str,
    *,
    required: Iterable[str],
    optional: Iterable[str] = (),
    max_chars: int,
    problems: Problems | None = None,
    delimiter: str | None = None,
) -> Iterator[CsvRow]:
    """Rows of a CSV whose header is matched case- and space-insensitively.

    Missing required columns raise at once; unknown columns are an error too, because a
    misspelt optional column would otherwise be silently ignored. Given ``problems``, row
    problems go there and the caller raises them together with its own.
    """
    required, optional = list(required), list(optional)
    csv.field_size_limit(max(csv.field_size_limit(), MAX_FILE_BYTES))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter or sniff_delimiter(text))
    try:
        header = next(reader)
    except StopIteration:
        raise InputError.at(file, f"a header row with the columns {', '.join(required)}", row=1) from None
    except csv.Error as exc:
        raise InputError.at(file, "well-formed CSV", row=1, value=str(exc)) from None
    names = [normalize_header(h) for h in header]
    owned = problems is None
    problems = Problems(file) if problems is None else problems
    known = set(required) | set(optional)
    for name in required:
        if name not in names:
            problems.add(f"a column named {name!r}", row=1, field=name, value=header)
    for raw, name in zip(header, names, strict=True):
        if name not in known:
            problems.add(f"one of the columns {', '.join(sorted(known))}", row=1, field=raw, value=raw)
    if len(set(names)) != len(names):
        problems.add("each column once", row=1, value=header)
    problems.raise_if_any()
    try:
        for number, record in enumerate(reader, start=2):
            if not any(cell.strip() for cell in record):
                continue
            if len(record) != len(names):
                problems.add(f"{len(names)} cells as in the header", row=number, value=len(record))
                continue
            values: dict[str, str] = {}
            for name, cell in zip(names, record, strict=True):
                if len(cell) > max_chars:
                    problems.add(f"at most {max_chars} characters", row=number, field=name, value=cell)
                    cell = ""
                values[name] = cell.strip()
            yield CsvRow(number, values)
    except csv.Error as exc:
        problems.add("well-formed CSV (check quotes)", row=reader.line_num, value=str(exc))  # a line here
    if owned:
        problems.raise_if_any()


class LineDict(dict[str, Any]):
    """A YAML mapping that remembers the line each key was written on."""

    lines: dict[str, int]
    line: int

    def line_of(self, key: str) -> int:
        return self.lines.get(key, self.line)


class _LineLoader(yaml.SafeLoader):
    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, OverflowError) as exc:  # an unquoted 2026-02-30, an integer of 5000 digits
            raise yaml.constructor.ConstructorError(
                None, None, f"a value YAML cannot read ({exc}); quote it", node.start_mark
            ) from None


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    mapping = LineDict()
    mapping.line = node.start_mark.line + 1
    mapping.lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if isinstance(key, bool) or key is None:
            # YAML 1.1 reads on/off/yes/no as booleans: a key named `on` would silently become True
            raise yaml.constructor.ConstructorError(
                None, None, f"the key {key_node.value!r} reads as a yes/no value in YAML; quote it", key_node.start_mark
            )
        if not isinstance(key, str | int | float):
            raise yaml.constructor.ConstructorError(None, None, "mapping keys must be plain words", key_node.start_mark)
        key = str(key)
        if key in mapping:
            raise yaml.constructor.ConstructorError(None, None, f"the key {key!r} appears twice", key_node.start_mark)
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.lines[key] = key_node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_yaml(text: str, file: str) -> Any:
    """Parse YAML safely; mappings come back as :class:`LineDict` so errors can name lines."""
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise InputError.at(
            file, "valid YAML", row=mark.line + 1 if mark else None, value=str(exc.problem or exc)
        ) from None
    except yaml.YAMLError as exc:
        raise InputError.at(file, "valid YAML", value=str(exc)) from None
    except RecursionError:
        raise InputError.at(file, "YAML nested less deeply") from None
