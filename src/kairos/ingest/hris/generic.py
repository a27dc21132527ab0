"""The generic webhook: Kairos's own shape, the people-file fields as JSON, for any HRIS or middleware.

    {"id": "<delivery id>", "effective": "YYYY-MM-DD", "people": [{<a person, as a people-file row>}]}

Each person is their whole state, exactly as a row of the people CSV/JSON gives it (same
fields, same rules), so the same change lands the same way through either path. Only the
people a delivery names are compared: nobody is terminated for being absent.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from kairos.errors import InputError, Problem
from kairos.ingest import people as people_rules
from kairos.ingest.base import Problems, decode_text
from kairos.ingest.hris.base import Delivery, Draft, StoredLookup, iso_date, read_json, validate
from kairos.ingest.hris.base import delivery_id as checked_id

VENDOR = "generic"
NAME = "webhook generic"
TOP_LEVEL = ("id", "effective", "people")


def _object(doc: Any) -> dict[str, Any]:
    if not isinstance(doc, dict):
        raise InputError.at(
            NAME, 'an object {"id": …, "effective": …, "people": [...]}', field="$", value=type(doc).__name__
        )
    return doc


def delivery_id(doc: Any, body: bytes) -> str:
    """The sender's id for this delivery (``id``): the same id twice is the same delivery."""
    doc = _object(doc)
    if "id" not in doc:
        raise InputError.at(NAME, "a delivery id", field="id")
    return checked_id(doc["id"], "id", NAME)


def parse(body: bytes, *, stored: StoredLookup, received: date, max_chars: int = 2000) -> Delivery:
    """The delivery in ``body``, or an InputError listing every problem with its path (``people[1].email``)."""
    del received  # the generic shape always states its effective date
    doc = _object(read_json(body, NAME))
    did = delivery_id(doc, body)
    problems = Problems(NAME)
    for key in sorted(set(doc) - set(TOP_LEVEL)):
        problems.add(f"only the fields {', '.join(TOP_LEVEL)}", field=key)
    effective = iso_date(doc.get("effective"), "effective", problems)
    people = doc.get("people")
    if not isinstance(people, list) or not people:
        shown = None if people is None else type(people).__name__
        problems.add("a non-empty list of people", field="people", value=shown)
    if effective is None or not isinstance(people, list) or not people:
        problems.raise_if_any()
    assert effective is not None and isinstance(people, list)
    # The people-file reader checks each object's fields and types; its rows count from 1.
    text = decode_text(body, NAME)
    local = Problems(NAME)
    try:
        records = people_rules.json_records(text, NAME, max_chars, local)
    except InputError as exc:  # more than the problem limit: report them with paths all the same
        local.items, records = exc.problems, []
    for problem in local.items:
        where = f"people[{problem.row - 1}]" if problem.row else "people"
        problems.items.append(
            Problem(
                NAME,
                problem.expected,
                field=f"{where}.{problem.field}" if problem.field else where,
                value=problem.value,
            )
        )
    drafts = [
        Draft(where=f"people[{row - 1}]", values=values, paths={k: f"people[{row - 1}].{k}" for k in values})
        for row, values in records
    ]
    found = validate(drafts, name=NAME, effective=effective, stored=stored, problems=problems)
    return Delivery(vendor=VENDOR, id=did, effective=effective, people=tuple(found))
