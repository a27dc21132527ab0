"""BambooHR's field-based webhook (the "Global" webhook): employees with the values of the fields it posts.

BambooHR posts (https://documentation.bamboohr.com/docs/field-based-webhooks)::

    {"employees": [{"id": "123", "action": "Updated", "timestamp": "2026-01-31T18:42:00+0000",
                    "changedFields": ["Job Title"], "fields": {"Job Title": "Senior Engineer", …}}]}

Field names are BambooHR's English names ("Job Title") or the aliases an admin gives them in
the webhook settings (``jobTitle``); both are read, compared without case, spaces or
punctuation. A field the payload does not post keeps its stored value, so a delivery that
posts only the job title changes only the role. BambooHR has no standard career level or time
zone field: Kairos reads them from posted fields aliased ``level`` and ``timeZone`` (map a
custom field to each in the webhook's post fields). A new person needs both.

Event-based webhooks (``{"type": "employee.updated", "data": {…}}``) carry no values and are
refused with a message saying so.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from kairos.domain.person import PersonStatus
from kairos.errors import InputError
from kairos.ingest.base import Problems
from kairos.ingest.hris.base import (
    Delivery,
    Draft,
    StoredLookup,
    body_id,
    iso_date,
    person_values,
    read_json,
    text_value,
    validate,
)

VENDOR = "bamboohr"
NAME = "webhook bamboohr"
ACTIONS = ("created", "updated", "deleted")
# Kairos field → the normalized BambooHR names it is read from, first match wins.
# Normalized: lower case without spaces or punctuation, so "Work Email" and "workEmail" are one.
READS: dict[str, tuple[str, ...]] = {
    "email": ("workemail",),
    "role": ("jobtitle",),
    "team": ("department", "division"),
    "location": ("location",),
    "manager_id": ("supervisoreid",),
    "start_date": ("hiredate",),
    "end_date": ("terminationdate",),
    "level": ("level", "kairoslevel"),
    "time_zone": ("timezone", "kairostimezone"),
}
# Where a problem with a field that was not posted points: the alias Kairos would read.
DEFAULT_ALIAS = {
    "id": "id",
    "name": "firstName",
    "email": "workEmail",
    "manager_id": "supervisorEId",
    "role": "jobTitle",
    "level": "level",
    "team": "department",
    "location": "location",
    "time_zone": "timeZone",
    "start_date": "hireDate",
    "status": "employmentHistoryStatus",
    "end_date": "terminationDate",
}
_NORMALIZE = re.compile(r"[^a-z0-9]")
# BambooHR's API writes an empty date as 0000-00-00.
_NO_DATE = "0000-00-00"


def normalize(name: str) -> str:
    return _NORMALIZE.sub("", name.lower())


def delivery_id(doc: Any, body: bytes) -> str:
    """BambooHR sends no delivery id: the SHA-256 of the body is one (each entry carries its own timestamp)."""
    del doc
    return body_id(body)


def parse(body: bytes, *, stored: StoredLookup, received: date, max_chars: int = 2000) -> Delivery:
    """The delivery in ``body``; ``received`` (the app's date) is the effective date when no entry has a timestamp."""
    doc = read_json(body, NAME)
    if isinstance(doc, dict) and "employees" not in doc and "type" in doc and "data" in doc:
        raise InputError.at(
            NAME,
            "a field-based webhook payload with an employees array (event-based webhooks carry no field values; "
            "choose Field-Based in BambooHR's webhook settings)",
            field="employees",
        )
    if not isinstance(doc, dict) or not isinstance(doc.get("employees"), list) or not doc["employees"]:
        raise InputError.at(
            NAME,
            'an object {"employees": [...]} with at least one employee',
            field="employees",
            value=type(doc).__name__ if not isinstance(doc, dict) else None,
        )
    problems = Problems(NAME)
    drafts: dict[str, Draft] = {}
    dates: list[date] = []
    for index, entry in enumerate(doc["employees"]):
        where = f"employees[{index}]"
        draft = _entry(entry, where, drafts, stored, problems, dates, max_chars)
        if draft is not None:
            drafts[draft.values["id"]] = draft
    problems.raise_if_any()
    effective = max(dates) if dates else received
    found = validate(list(drafts.values()), name=NAME, effective=effective, stored=stored, problems=problems)
    return Delivery(vendor=VENDOR, id=body_id(body), effective=effective, people=tuple(found))


def _entry(
    entry: Any,
    where: str,
    drafts: dict[str, Draft],
    stored: StoredLookup,
    problems: Problems,
    dates: list[date],
    max_chars: int,
) -> Draft | None:
    if not isinstance(entry, dict):
        problems.add("an employee object", field=where, value=entry)
        return None
    pid = text_value(entry.get("id"), f"{where}.id", problems, max_chars)
    if pid is None:
        return None
    if not pid:
        problems.add("the employee's id", field=f"{where}.id")
        return None
    action = entry.get("action", "Updated")
    if not isinstance(action, str) or action.lower() not in ACTIONS:
        problems.add("Created, Updated or Deleted", field=f"{where}.action", value=action)
        return None
    if entry.get("timestamp") is not None:
        when = iso_date(entry["timestamp"], f"{where}.timestamp", problems, lenient=True)
        if when is not None:
            dates.append(when)
    raw_fields = entry.get("fields")
    if raw_fields in (None, []):  # BambooHR (PHP) writes an empty object as []
        raw_fields = {}
    if not isinstance(raw_fields, dict):
        problems.add("an object of field names and values", field=f"{where}.fields", value=type(raw_fields).__name__)
        return None
    if not isinstance(entry.get("changedFields", []), list | dict):
        problems.add("a list of field names", field=f"{where}.changedFields", value=entry.get("changedFields"))
    previous = drafts.get(pid)
    base = previous.values if previous is not None else person_values(stored(pid))
    known = previous is not None or stored(pid) is not None
    if action.lower() == "deleted":
        # A deleted record is a person Kairos must stop nudging; one it never knew needs nothing.
        if not known:
            return None
        values = {**base, "status": PersonStatus.TERMINATED.value}
        return Draft(where=where, values=values, paths=_paths(where, {}))
    if not raw_fields and not known:
        return None  # "Created" carries no values; the "Updated" that follows it does
    posted: dict[str, tuple[str, str]] = {}  # normalized name → (name as posted, text)
    for key, raw in raw_fields.items():
        value = raw.get("value") if isinstance(raw, dict) and set(raw) <= {"value", "name"} else raw
        text = text_value(value, f"{where}.fields.{key}", problems, max_chars)
        if text is not None:
            posted.setdefault(normalize(str(key)), (str(key), text))
    values = dict(base)
    values["id"] = pid
    paths = _paths(where, posted)
    for name, aliases in READS.items():
        hit = next((posted[a] for a in aliases if a in posted), None)
        if hit is not None:
            values[name] = "" if hit[1] == _NO_DATE else hit[1]
    values["name"] = _name(posted, base.get("name", ""))
    values["status"] = _status(posted, base.get("status", ""), known, where, problems)
    return Draft(where=where, values=values, paths=paths)


def _paths(where: str, posted: dict[str, tuple[str, str]]) -> dict[str, str]:
    paths = {name: f"{where}.fields.{alias}" for name, alias in DEFAULT_ALIAS.items()}
    paths["id"] = f"{where}.id"
    for name, aliases in READS.items():
        hit = next((posted[a][0] for a in aliases if a in posted), None)
        if hit is not None:
            paths[name] = f"{where}.fields.{hit}"
    for name, aliases in (
        ("name", ("displayname", "preferredname", "firstname", "lastname")),
        ("status", ("employmenthistorystatus", "employmentstatus", "status")),
    ):
        hit = next((posted[a][0] for a in aliases if a in posted), None)
        if hit is not None:
            paths[name] = f"{where}.fields.{hit}"
    return paths


def _name(posted: dict[str, tuple[str, str]], stored_name: str) -> str:
    """displayName if posted; else first (or preferred) and last name, keeping the stored half not posted."""
    if posted.get("displayname", ("", ""))[1]:
        return posted["displayname"][1]
    preferred = posted.get("preferredname", ("", ""))[1]
    first = preferred or (posted["firstname"][1] if "firstname" in posted else None)
    last = posted["lastname"][1] if "lastname" in posted else None
    if first is None and last is None:
        return stored_name
    stored_first, _, stored_rest = stored_name.partition(" ")
    parts = (stored_first if first is None else first, stored_rest if last is None else last)
    return " ".join(p for p in parts if p)


def _status(posted: dict[str, tuple[str, str]], stored_status: str, known: bool, where: str, problems: Problems) -> str:
    """Employment status ("Full-Time", "Leave of Absence", "Terminated") and account status (Active, Inactive)."""
    status = stored_status if known and stored_status else PersonStatus.ACTIVE.value
    employment = next((posted[a] for a in ("employmenthistorystatus", "employmentstatus") if a in posted), None)
    if employment is not None and employment[1]:
        text = employment[1].lower()
        if "terminat" in text:
            status = PersonStatus.TERMINATED.value
        elif "leave" in text:
            status = PersonStatus.LEAVE.value
        else:
            status = PersonStatus.ACTIVE.value
    if "status" in posted and posted["status"][1]:
        account = posted["status"][1].lower()
        if account == "inactive":
            status = PersonStatus.TERMINATED.value
        elif account == "active":
            if status == PersonStatus.TERMINATED.value and employment is None:
                status = PersonStatus.ACTIVE.value  # rehired
        else:
            problems.add("Active or Inactive", field=f"{where}.fields.{posted['status'][0]}", value=posted["status"][1])
    return status
