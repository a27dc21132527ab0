"""360 feedback campaigns, as CSV with a campaign header block or as JSON (``docs/formats/three-sixty.md``).

The whole file is checked against the stored people and the latest framework before anything is
written; then, in one transaction, each subject's responses in the campaign are replaced and one
``feedback.results_imported`` event per subject is recorded. Rater ids go only to the raters table.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from kairos.domain.event import Event, EventType, content_id
from kairos.domain.feedback import Campaign, Comment, RaterGroup, Response, Scale
from kairos.domain.framework import Framework
from kairos.errors import InputError
from kairos.ingest.base import MAX_FILE_BYTES, Problems, normalize_header, read_csv, read_text, sniff_delimiter
from kairos.ingest.feedback import (
    ID_PATTERN,
    ImportResult,
    Record,
    check_competency,
    check_date,
    check_person,
    day_start,
    json_records,
    json_value,
    load_json,
    looks_like_json,
    parse_int,
    require_framework,
)
from kairos.store import Database
from kairos.store import events as event_log
from kairos.store import feedback as feedback_store
from kairos.store import frameworks as framework_store

COLUMNS = ("subject_id", "rater_id", "rater_group", "competency_id", "rating")
OPTIONAL_COLUMNS = ("comment",)
# the header block's names in CSV, and the same fields in JSON's "campaign" object
HEADER_FIELDS = {
    "campaign_id": "id",
    "campaign_name": "name",
    "start_date": "start_date",
    "end_date": "end_date",
    "scale_min": "scale_min",
    "scale_max": "scale_max",
}
SCALE_BOUNDS = (0, 100)
_GROUPS = ", ".join(g.value for g in RaterGroup)


class _Shifted(Problems):
    """Problems of the responses table, numbered as rows of the whole file."""

    def __init__(self, inner: Problems, offset: int) -> None:
        super().__init__(inner.file)
        self.items = inner.items
        self.offset = offset

    def add(self, expected: str, *, row: int | None = None, field: str | None = None, value: object = None) -> None:
        super().add(expected, row=None if row is None else row + self.offset, field=field, value=value)


@dataclass(frozen=True, slots=True)
class ParsedCampaign:
    campaign: Campaign
    responses: tuple[Response, ...]


HeaderValues = dict[str, tuple[int | None, str]]  # CSV name → (row, value)


def _first_cell(line: str) -> str:
    return normalize_header(line.replace(";", ",").split(",", 1)[0].strip().strip('"'))


def _csv_parts(text: str, file: str, problems: Problems, max_chars: int) -> tuple[HeaderValues, list[Record]]:
    lines = text.splitlines(keepends=True)
    start = next(
        (i for i, line in enumerate(lines) if _first_cell(line) == "subject_id"),
        None,
    )
    if start is None:
        raise InputError.at(
            file, f"a campaign header block, then a responses table with the columns {', '.join(COLUMNS)}"
        )
    delimiter = sniff_delimiter(lines[start])
    header: HeaderValues = {}
    csv.field_size_limit(max(csv.field_size_limit(), MAX_FILE_BYTES))
    reader = csv.reader(io.StringIO("".join(lines[:start]), newline=""), delimiter=delimiter)
    offset = 0
    try:
        for offset, record in enumerate(reader, start=1):
            cells = [c.strip() for c in record]
            if not any(cells):
                continue
            name = normalize_header(cells[0])
            if name not in HEADER_FIELDS:
                problems.add(f"one of the campaign fields {', '.join(HEADER_FIELDS)}", row=offset, field=cells[0],
                             value=cells[0])  # fmt: skip
                continue
            if any(cells[2:]):
                problems.add("a field name and one value", row=offset, field=name, value=record)
            if name in header:
                problems.add(f"each campaign field once (also on row {header[name][0]})", row=offset, field=name)
                continue
            value = cells[1] if len(cells) > 1 else ""
            if len(value) > max_chars:
                problems.add(f"at most {max_chars} characters", row=offset, field=name, value=value)
                value = ""
            header[name] = (offset, value)
    except csv.Error as exc:
        problems.add("well-formed CSV (check quotes)", row=reader.line_num, value=str(exc))
    rows = read_csv(
        "".join(lines[start:]),
        file,
        required=COLUMNS,
        optional=OPTIONAL_COLUMNS,
        max_chars=max_chars,
        problems=_Shifted(problems, offset),
        delimiter=delimiter,
    )
    return header, [(r.number + offset, {k: r.values.get(k, "") for k in (*COLUMNS, *OPTIONAL_COLUMNS)}) for r in rows]


def _json_parts(text: str, file: str, problems: Problems, max_chars: int) -> tuple[HeaderValues, list[Record]]:
    doc: Any = load_json(text, file)
    if not isinstance(doc, dict) or not isinstance(doc.get("campaign"), dict):
        raise InputError.at(file, 'an object {"campaign": {...}, "responses": [...]}', value=type(doc).__name__)
    for key in sorted(str(k) for k in doc if k not in ("campaign", "responses")):
        problems.add('only the keys "campaign" and "responses" at the top level', field=key)
    given = doc["campaign"]
    names = {json_name: csv_name for csv_name, json_name in HEADER_FIELDS.items()}
    for key in sorted(str(k) for k in given if k not in names):
        problems.add(f"only the campaign fields {', '.join(names)}", field=f"campaign.{key}")
    header: HeaderValues = {
        names[key]: (None, json_value(given[key], problems, row=None, field=f"campaign.{key}", max_chars=max_chars))
        for key in names
        if key in given
    }
    records = json_records(doc.get("responses"), problems, what="response", key="responses",
                           columns=(*COLUMNS, *OPTIONAL_COLUMNS), max_chars=max_chars)  # fmt: skip
    return header, records


def _campaign(header: HeaderValues, problems: Problems, json: bool) -> Campaign | None:
    def where(name: str) -> str:
        return f"campaign.{HEADER_FIELDS[name]}" if json else name

    before = len(problems.items)
    values: dict[str, str] = {}
    for name in HEADER_FIELDS:
        row, value = header.get(name, (None, ""))
        if not value:
            problems.add("a value (the campaign header names every campaign field)", row=row, field=where(name),
                         value=value)  # fmt: skip
        values[name] = value
    cid = values["campaign_id"]
    if cid and not ID_PATTERN.match(cid):
        problems.add("an id of letters, digits and . - _ @ : (at most 100)", row=header.get("campaign_id", (None,))[0],
                     field=where("campaign_id"), value=cid)  # fmt: skip
    if len(values["campaign_name"]) > 300:
        problems.add("at most 300 characters", row=header["campaign_name"][0], field=where("campaign_name"))
    start = check_date(values["start_date"], problems, row=header.get("start_date", (None,))[0],
                       field=where("start_date")) if values["start_date"] else None  # fmt: skip
    end = check_date(values["end_date"], problems, row=header.get("end_date", (None,))[0],
                     field=where("end_date")) if values["end_date"] else None  # fmt: skip
    if start and end and end < start:
        problems.add(f"an end date on or after the start date {start.isoformat()}", row=header["end_date"][0],
                     field=where("end_date"), value=values["end_date"])  # fmt: skip
    low_bound, high_bound = SCALE_BOUNDS
    bounds: list[int | None] = []
    for name in ("scale_min", "scale_max"):
        number = parse_int(values[name]) if values[name] else None
        if values[name] and (number is None or not low_bound <= number <= high_bound):
            problems.add(f"a whole number from {low_bound} to {high_bound}", row=header[name][0], field=where(name),
                         value=values[name])  # fmt: skip
            number = None
        bounds.append(number)
    low, high = bounds
    if low is not None and high is not None and low >= high:
        problems.add(f"a scale maximum above the minimum {low}", row=header["scale_max"][0], field=where("scale_max"),
                     value=values["scale_max"])  # fmt: skip
    if len(problems.items) > before or start is None or end is None or low is None or high is None:
        return None
    return Campaign(cid, values["campaign_name"], start, end, Scale(low, high))


def _group(value: str) -> RaterGroup | None:
    try:
        return RaterGroup(normalize_header(value))
    except ValueError:
        return None


def validate_responses(
    records: list[Record],
    campaign: Campaign | None,
    framework: Framework,
    statuses: dict[str, str],
    problems: Problems,
) -> tuple[Response, ...]:
    """Every row checked; the rows of one rater about one subject become one response."""
    first_row: dict[tuple[str, str, str], int] = {}
    groups: dict[tuple[str, str], tuple[RaterGroup, int]] = {}
    gathered: dict[tuple[str, str], tuple[RaterGroup, list[tuple[str, int]], list[Comment]]] = {}
    for row, v in records:
        before = len(problems.items)
        subject = check_person(v["subject_id"], statuses, problems, row=row, field="subject_id")
        rater = check_person(v["rater_id"], statuses, problems, row=row, field="rater_id")
        group = _group(v["rater_group"])
        if group is None:
            problems.add(f"a rater group: {_GROUPS}", row=row, field="rater_group", value=v["rater_group"])
        elif subject and rater and (subject == rater) != (group is RaterGroup.SELF):
            expected = (
                "the rater group self: the rater is the subject"
                if subject == rater
                else "a rater_id equal to subject_id: the self group is the subject rating themselves"
            )
            problems.add(expected, row=row, field="rater_group" if subject == rater else "rater_id",
                         value=v["rater_group"] if subject == rater else v["rater_id"])  # fmt: skip
        rating_text, comment, competency_id = v["rating"], v.get("comment", ""), v["competency_id"]
        if not rating_text and not comment:
            problems.add("a rating, a comment or both", row=row, field="rating", value="")
        if competency_id:
            check_competency(competency_id, framework, problems, row=row)
        elif rating_text:
            problems.add("the competency the rating is for", row=row, field="competency_id", value="")
        rating = None
        if rating_text:
            rating = parse_int(rating_text)
            if campaign is not None and (rating is None or rating not in campaign.scale):
                problems.add(f"a rating on the campaign's scale {campaign.scale}", row=row, field="rating",
                             value=rating_text)  # fmt: skip
            elif campaign is None and rating is None:
                problems.add("a whole number", row=row, field="rating", value=rating_text)
        if len(problems.items) > before or subject is None or rater is None or group is None:
            continue
        key = (rater, subject, competency_id)
        if key in first_row:
            problems.add(
                f"one row per rater, subject and competency (also on row {first_row[key]})",
                row=row,
                field="competency_id",
                value=competency_id,
            )
            continue
        first_row[key] = row
        known = groups.setdefault((rater, subject), (group, row))
        if known[0] is not group:
            problems.add(f"the same rater group for all of a rater's rows about a subject ({known[0].value} on row "
                         f"{known[1]})", row=row, field="rater_group", value=v["rater_group"])  # fmt: skip
            continue
        _, ratings, comments = gathered.setdefault((subject, rater), (group, [], []))
        if rating is not None:
            ratings.append((competency_id, rating))
        if comment:
            comments.append(Comment(competency_id or None, comment))
    if not records:
        problems.add("at least one response row")
    return tuple(
        Response(subject, rater, group, tuple(ratings), tuple(comments))
        for (subject, rater), (group, ratings, comments) in gathered.items()
    )


@dataclass(frozen=True, slots=True)
class CampaignFile:
    """A campaign file read but not yet checked against people and the framework."""

    file: str
    is_json: bool
    header: HeaderValues
    records: list[Record]
    problems: Problems

    @property
    def person_ids(self) -> set[str]:
        return {v[k] for _, v in self.records for k in ("subject_id", "rater_id") if v[k]}


def read_campaign_text(text: str, file: str, *, max_chars: int = 2000) -> CampaignFile:
    """The header and rows of a campaign file; problems of form are collected, not yet raised."""
    problems = Problems(file)
    is_json = looks_like_json(text, file)
    header, records = (_json_parts if is_json else _csv_parts)(text, file, problems, max_chars)
    return CampaignFile(file, is_json, header, records, problems)


def validate_campaign(read: CampaignFile, framework: Framework | None, statuses: dict[str, str]) -> ParsedCampaign:
    """The campaign and its responses, or an InputError listing every problem in the file."""
    fw = require_framework(framework, read.file)
    problems = read.problems
    campaign = _campaign(read.header, problems, read.is_json)
    responses = validate_responses(read.records, campaign, fw, statuses, problems)
    problems.raise_if_any()
    assert campaign is not None  # a campaign with problems raised above
    return ParsedCampaign(campaign, responses)


def parse_campaign_text(
    text: str, file: str, framework: Framework | None, statuses: dict[str, str], *, max_chars: int = 2000
) -> ParsedCampaign:
    return validate_campaign(read_campaign_text(text, file, max_chars=max_chars), framework, statuses)


def _event(campaign: Campaign, framework: Framework, response_group: list[Response], source: str) -> Event:
    subject = response_group[0].subject_id
    ratings = sorted((c, r.group.value, v) for r in response_group for c, v in r.ratings)
    comments = sorted(c.text for r in response_group for c in r.comments)
    return Event(
        id=content_id(campaign.id, subject, ratings, comments),
        source=source,
        type=EventType.FEEDBACK_RESULTS_IMPORTED,
        subject=subject,
        time=day_start(campaign.end_date),
        data={
            "campaign_id": campaign.id,
            "campaign_name": campaign.name,
            "end_date": campaign.end_date.isoformat(),
            "competencies": sorted({c for c, _, _ in ratings}),
            "framework": f"{framework.id}@{framework.version}",
        },
    )


def import_three_sixty(db: Database, path: Path | str, *, now: datetime, max_chars: int = 2000) -> ImportResult:
    """Validate a whole campaign file, then store its responses and one event per subject."""
    file = str(path)
    read = read_campaign_text(read_text(path), file, max_chars=max_chars)
    with db.transaction() as conn:
        framework = require_framework(framework_store.latest(conn), file)
        parsed = validate_campaign(read, framework, feedback_store.person_statuses(conn, read.person_ids))
        campaign = parsed.campaign
        stored = feedback_store.get_campaign(conn, campaign.id)
        if stored is not None and stored.campaign.scale != campaign.scale:
            raise InputError.at(
                file,
                f"the scale {stored.campaign.scale} campaign {campaign.id} was stored with (a campaign keeps its "
                "scale; use a new campaign id)",
                field="scale_min",
                value=str(campaign.scale),
            )
        feedback_store.save_responses(conn, campaign, framework.id, framework.version, parsed.responses, now)
        by_subject: dict[str, list[Response]] = {}
        for response in parsed.responses:
            by_subject.setdefault(response.subject_id, []).append(response)
        source = f"kairos/360/{Path(file).name}"
        added = event_log.append(
            conn, [_event(campaign, framework, group, source) for _, group in sorted(by_subject.items())], now
        )
        return ImportResult(records=len(parsed.responses), events=added)
