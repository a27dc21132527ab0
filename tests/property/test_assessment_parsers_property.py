"""Assessment files: any input is read into valid results or refused with an InputError, never a crash; and
valid results written as CSV or JSON, in any of the accepted spellings, read back to the same results.

The messy strategy mixes the real columns of every instrument, plausible and broken values and the
characters that break parsers, so generated files often get past the header to the row checks.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date

from hypothesis import event, example, given, settings
from hypothesis import strategies as st

from kairos.domain.style import AssessmentResult, Instrument
from kairos.errors import InputError
from kairos.ingest.base import decode_text
from kairos.profiles.instruments import FORMATS, parse_results
from kairos.profiles.instruments.base import COMMON_COLUMNS, InstrumentFormat, RankedFormat, ScoredFormat
from kairos.profiles.reference import SIXTEEN_TYPE_PAIRS, SIXTEEN_TYPES, enneagram_wings

QUICK = settings(max_examples=80, deadline=None)
IDS = ["p1", "p2", "p3", "p4", "p5", "p6"]
EMAILS = {pid: f"{pid}.name@example.com" for pid in IDS}
PEOPLE = {**{pid: pid for pid in IDS}, **{email: pid for pid, email in EMAILS.items()}}
INSTRUMENTS = st.sampled_from(list(Instrument))

Reading = tuple[dict[str, float], tuple[str, ...], str | None]  # scores, ranking, type code
Expected = tuple[str, date | None, dict[str, float], tuple[str, ...], str | None]


def never_crashes(text: str, file: str, instrument: Instrument | None) -> list[AssessmentResult] | None:
    """Parse; returning is fine, InputError is fine (with a readable message); anything else fails the property."""
    try:
        return parse_results(text, file, instrument=instrument, people=PEOPLE)
    except InputError as exc:
        assert exc.problems and all(p.file == file for p in exc.problems)
        assert len(str(exc)) < 40_000
        return None


def assert_valid(result: AssessmentResult) -> None:
    """What every accepted result satisfies, whatever the file looked like."""
    format_ = FORMATS[result.instrument]
    assert result.person_id in IDS
    if isinstance(format_, ScoredFormat):
        assert set(result.scores) == set(format_.scales)
        assert all(format_.bottom <= v <= format_.top for v in result.scores.values())
    elif isinstance(format_, RankedFormat):
        assert format_.least <= len(result.ranking) == len(set(result.ranking))
        assert set(result.ranking) <= set(format_.names)
    elif result.instrument is Instrument.ENNEAGRAM:
        assert result.type_code is not None
        kind, _, wing = result.type_code.partition("w")
        assert kind in "123456789" and (not wing or int(wing) in enneagram_wings(int(kind)))
    else:
        assert result.type_code in SIXTEEN_TYPES


# --- anything at all -----------------------------------------------------------------------------------

FILES = st.sampled_from(["results.csv", "results.json", "results.txt"])
MAYBE_INSTRUMENT = st.none() | INSTRUMENTS


@QUICK
@given(st.text(max_size=300), FILES, MAYBE_INSTRUMENT)
@example("person_id,type\np1,", "results.csv", None)
@example('{"instrument": 5, "results": [1, {"D": [1]}]}', "results.json", None)
@example('[{"person_id": "p1", "D": 1e400, "I": -0.0, "S": NaN, "C": 4}]', "results.json", None)
@example("person_id;Theme 1\r\np1;Woo\r\n", "results.csv", Instrument.VIA)
def test_any_text_is_read_or_refused_never_a_crash(text: str, file: str, instrument: Instrument | None) -> None:
    found = never_crashes(text, file, instrument)
    event("read" if found is not None else "refused")
    for result in found or []:
        assert_valid(result)


@QUICK
@given(st.binary(max_size=300), MAYBE_INSTRUMENT)
@example(b"\xef\xbb\xbfperson_id,D,I,S,C\r\np1,1,2,3,4\r\n", None)
@example(b"\xff\xfep\x00", None)
def test_any_bytes_are_read_or_refused_never_a_crash(raw: bytes, instrument: Instrument | None) -> None:
    try:
        text = decode_text(raw, "results.csv")
    except InputError:
        return
    for result in never_crashes(text, "results.csv", instrument) or []:
        assert_valid(result)


NOISE = st.sampled_from([",", ";", '"', "\n", "\r\n", " ", "\ufeff", "\x00", "\udcff", "{", "[", "é", "x" * 300])
CELLS = st.sampled_from(
    ["", "p1", "p2", "P1", "ghost", "p1.name@example.com", "P2.NAME@EXAMPLE.COM", "nobody@example.com",
     "2026-02-01", "2026-02-30", "01/02/2026", "0", "6", "50", "100", "100.5", "201", "-1", "4,5", "1,000", "NaN",
     "inf", "1e999", "five", "5", "5w4", "5w7", "9w1", "w4", "4", "10", "INTJ", "intj-t", "XNTP", "Woo", "woo",
     "Self Assurance", "Learnr", "Zest", "Love of Learning", "Appreciation of Beauty & Excellence", "x" * 300]
)  # fmt: skip


@st.composite
def messy_csv(draw: st.DrawFn) -> str:
    """A CSV with real columns of one or two instruments, and cells that are right or wrong in every way."""
    formats = draw(st.lists(st.sampled_from(list(FORMATS.values())), min_size=1, max_size=2))
    pool = [*COMMON_COLUMNS, *(c for f in formats for c in f.columns[:8]), "notes"]
    columns = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=9, unique=True))
    delimiter = draw(st.sampled_from([",", ";"]))
    rows = [[draw(CELLS | st.text(max_size=5)) for _ in columns] for _ in range(draw(st.integers(0, 5)))]
    text = write_csv(columns, rows, delimiter)
    if draw(st.integers(0, 3)) == 0:
        at = draw(st.integers(0, len(text)))
        text = text[:at] + "".join(draw(st.lists(NOISE, max_size=3))) + text[at:]
    return text


@QUICK
@given(messy_csv(), MAYBE_INSTRUMENT)
def test_any_file_with_real_columns_is_read_or_refused_never_a_crash(text: str, instrument: Instrument | None) -> None:
    found = never_crashes(text, "results.csv", instrument)
    event("read" if found is not None else "refused")
    for result in found or []:
        assert_valid(result)


# --- valid results round-trip ------------------------------------------------------------------------


def write_csv(columns: list[str], rows: list[list[str]], delimiter: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return out.getvalue()


def spelled_column(draw: st.DrawFn, column: str) -> str:
    """A column as an export might write it: ``theme_1``, ``THEME_1``, ``Theme 1``, ``theme-1``."""
    return draw(st.sampled_from([column, column.upper(), column.replace("_", " ").title(), column.replace("_", "-")]))


def spelled_name(draw: st.DrawFn, name: str) -> str:
    return draw(st.sampled_from([name, name.lower(), name.upper(), name.replace(" ", "-"), f" {name} "]))


@st.composite
def measures(draw: st.DrawFn, format_: InstrumentFormat) -> tuple[dict[str, object], Reading]:
    """One valid row of the instrument's own fields (JSON-ready values), and what it must read as."""
    if isinstance(format_, ScoredFormat):
        scores = {scale: draw(st.floats(format_.bottom, format_.top)) for scale in format_.scales}
        fields = {column: scores[scale] for column, scale in zip(format_.required, format_.scales, strict=True)}
        return dict(fields), (scores, (), None)
    if isinstance(format_, RankedFormat):
        ranking = draw(st.permutations(format_.names))[: draw(st.integers(format_.least, len(format_.names)))]
        cells = {column: spelled_name(draw, name) for column, name in zip(format_.columns, ranking, strict=False)}
        return dict(cells), ({}, tuple(ranking), None)
    if format_.instrument is Instrument.ENNEAGRAM:
        kind = draw(st.integers(1, 9))
        wing = draw(st.sampled_from([None, *enneagram_wings(kind)]))
        code = f"{kind}w{wing}" if wing else str(kind)
        written: dict[str, object] = draw(st.sampled_from([{"type": code}, {"type": kind, "wing": wing}]))
        return written, ({}, (), code)
    letters = "".join(draw(st.sampled_from(pair)) for pair in SIXTEEN_TYPE_PAIRS)
    suffix = draw(st.sampled_from(["", "-A", "-t"]))
    return {"type": draw(st.sampled_from([letters, letters.lower(), letters.title()])) + suffix}, ({}, (), letters)


@st.composite
def valid_file(draw: st.DrawFn) -> tuple[str, str, list[Expected]]:
    """Valid results of one instrument, as CSV (comma or ;, a BOM or not) or JSON (a list or under results)."""
    format_ = FORMATS[draw(INSTRUMENTS)]
    people = draw(st.lists(st.sampled_from(IDS), min_size=1, max_size=4, unique=True))
    records: list[dict[str, object]] = []
    expected: list[Expected] = []
    for pid in people:
        fields, (scores, ranking, code) = draw(measures(format_))
        taken_on = draw(st.none() | st.dates(date(2000, 1, 1), date(2030, 12, 31)))
        who = draw(st.sampled_from([{"person_id": pid}, {"email": EMAILS[pid].upper()},
                                    {"person_id": pid, "email": EMAILS[pid]}]))  # fmt: skip
        records.append({**who, "taken_on": taken_on.isoformat() if taken_on else None, **fields})
        expected.append((pid, taken_on, scores, ranking, code))
    columns = list(dict.fromkeys(column for record in records for column in record))
    if draw(st.booleans()):
        doc: object = records if draw(st.booleans()) else {"instrument": format_.instrument.value, "results": records}
        return json.dumps(doc), "results.json", expected
    delimiter = draw(st.sampled_from([",", ";"]))
    rows = [["" if r.get(c) is None else repr(r[c]) if isinstance(r[c], float) else str(r[c]) for c in columns]
            for r in records]  # fmt: skip
    header = [spelled_column(draw, column) for column in columns]
    return draw(st.sampled_from(["", "\ufeff"])) + write_csv(header, rows, delimiter), "results.csv", expected


@settings(max_examples=120, deadline=None)
@given(valid_file())
def test_valid_results_read_back_the_same_from_csv_or_json(given_file: tuple[str, str, list[Expected]]) -> None:
    text, file, expected = given_file

    found = parse_results(text, file, instrument=None, people=PEOPLE)

    assert [(r.person_id, r.taken_on, dict(r.scores), r.ranking, r.type_code) for r in found] == expected
    event(found[0].instrument.value)
