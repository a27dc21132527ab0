"""HRIS webhook payloads as pure functions: each vendor shape to whole person states, signatures, and no crashes."""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kairos.api.webhooks import parse_timestamp, sign, verify
from kairos.domain.person import Person, PersonStatus
from kairos.errors import InputError
from kairos.ingest.hris import PARSERS, Delivery, bamboohr, generic, nobody, read_json, workday
from kairos.ingest.people import parse_people
from tests.factories import person

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "webhooks"
DEMO = {p.id: p for p in parse_people(ROOT / "examples" / "demo-org" / "people.csv")}
DAY = date(2026, 3, 9)
NOW = datetime(2026, 3, 9, 15, tzinfo=UTC)


def _parse(vendor: str, doc: Any, stored: dict[str, Person] | None = None) -> Delivery:
    body = doc if isinstance(doc, bytes) else json.dumps(doc).encode()
    return PARSERS[vendor].parse(body, stored=(stored if stored is not None else DEMO).get, received=DAY)


def _problems(vendor: str, doc: Any, stored: dict[str, Person] | None = None) -> dict[str | None, str]:
    with pytest.raises(InputError) as caught:
        _parse(vendor, doc, stored)
    return {p.field: p.expected for p in caught.value.problems}


# --- the examples in examples/webhooks, against the demo organization --------------------------------------------


def test_the_generic_example_hires_and_promotes_against_the_demo_org() -> None:
    delivery = _parse("generic", (EXAMPLES / "generic.json").read_bytes())
    assert (delivery.vendor, delivery.id, delivery.effective) == ("generic", "northwind-2026-03-09-001", DAY)
    hired, promoted = delivery.people
    assert hired.id == "nw-061" and "nw-061" not in DEMO and hired.manager_id == "nw-005"
    assert promoted == dataclasses.replace(DEMO["nw-017"], role="Senior Software Engineer", level="IC3")


def test_the_bamboohr_example_changes_a_manager_and_sends_someone_on_leave() -> None:
    body = (EXAMPLES / "bamboohr.json").read_bytes()
    delivery = _parse("bamboohr", body)
    assert delivery.id == bamboohr.delivery_id(None, body) and len(delivery.id) == 64 and delivery.effective == DAY
    moved, away = delivery.people
    assert moved == dataclasses.replace(DEMO["nw-018"], manager_id="nw-012", role="Site Reliability Engineer")
    assert away == dataclasses.replace(DEMO["nw-020"], status=PersonStatus.LEAVE)


def test_the_workday_example_terminates_with_the_last_day() -> None:
    delivery = _parse("workday", (EXAMPLES / "workday.json").read_bytes())
    assert (delivery.id, delivery.effective) == ("WD-BP-2026-000481", DAY)
    [gone] = delivery.people
    assert gone == dataclasses.replace(DEMO["nw-022"], status=PersonStatus.TERMINATED, end_date=date(2026, 3, 6))


# --- generic ------------------------------------------------------------------------------------------------------


def _row(pid: str, **more: Any) -> dict[str, Any]:
    values = {k: v for k, v in dataclasses.asdict(person(pid)).items() if v is not None}
    values["start_date"] = "2022-01-10"
    values.pop("status", None)
    values.pop("end_date", None)
    return {**values, **more}


def test_generic_problems_name_the_path_and_use_the_people_file_rules() -> None:
    doc = {
        "id": "d",
        "effective": "2026-03-09",
        "people": [
            _row("p1"),
            _row("p2", email="P1@example.com", time_zone="Europe/Berlln", level="", extra="x"),
            _row("p3", start_date="2026-04-01", manager_id="p3"),
            "not a person",
        ],
        "sender": "me",
    }
    problems = _problems("generic", doc, {})
    assert problems["sender"].startswith("only the fields id, effective, people")
    assert problems["people[1].extra"].startswith("only the fields")
    assert problems["people[1].email"] == "a unique email (also at people[0])"
    assert problems["people[1].time_zone"] == "an IANA time zone such as Europe/Berlin"
    assert problems["people[1].level"] == "a value"
    assert problems["people[2].start_date"].startswith("a start date on or before")
    assert problems["people[2].manager_id"] == "a manager other than the person"
    assert problems["people[3]"] == "a person object"


def test_generic_managers_must_be_known_employed_and_without_a_cycle() -> None:
    stored = {"boss": person("boss"), "gone": person("gone", status=PersonStatus.TERMINATED)}
    stored["boss"] = dataclasses.replace(stored["boss"], manager_id="p1")
    doc = {"id": "d", "effective": "2026-03-09", "people": [_row("p1", manager_id="ghost")]}
    assert _problems("generic", doc, stored) == {
        "people[0].manager_id": "the id of a person in this payload or already known to Kairos"
    }
    doc["people"] = [_row("p1", manager_id="gone")]
    assert _problems("generic", doc, stored) == {"people[0].manager_id": "a manager who has not left"}
    doc["people"] = [_row("p1", manager_id="boss")]  # boss reports to p1 in the stored organization
    assert _problems("generic", doc, stored) == {"people[0].manager_id": "reporting lines without a cycle"}
    doc["people"] = [_row("p1", manager_id="boss"), _row("boss", manager_id=None)]
    assert [p.manager_id for p in _parse("generic", doc, stored).people] == ["boss", None]


# --- BambooHR -----------------------------------------------------------------------------------------------------


def test_bamboohr_reads_english_names_and_aliases_alike() -> None:
    stored = {"7": person("7", name="Ada Byron")}
    by_name = {
        "Job Title": "Staff Engineer",
        "Work Email": "ada@example.com",
        "Department": "Core",
        "Hire Date": "2020-02-03",
        "Termination Date": "0000-00-00",
        "Level": "IC4",
    }
    by_alias = {
        "jobTitle": {"value": "Staff Engineer"},
        "workEmail": "ada@example.com",
        "department": "Core",
        "hireDate": "2020-02-03",
        "terminationDate": "0000-00-00",
        "level": "IC4",
    }
    a = _parse("bamboohr", {"employees": [{"id": 7, "fields": by_name}]}, stored).people
    b = _parse("bamboohr", {"employees": [{"id": "7", "fields": by_alias}]}, stored).people
    assert (
        a
        == b
        == (
            dataclasses.replace(
                stored["7"], role="Staff Engineer", email="ada@example.com", start_date=date(2020, 2, 3), level="IC4"
            ),
        )
    )


def test_bamboohr_names_keep_the_stored_half_and_statuses_map() -> None:
    stored = {"7": person("7", name="Ada Byron"), "8": person("8", status=PersonStatus.TERMINATED)}
    cases = [
        ({"lastName": "Lovelace"}, "7", {"name": "Ada Lovelace"}),
        ({"preferredName": "Augusta", "firstName": "Ada"}, "7", {"name": "Augusta Byron"}),
        ({"status": "Inactive"}, "7", {"status": PersonStatus.TERMINATED}),
        ({"employmentHistoryStatus": "Terminated", "status": "Active"}, "7", {"status": PersonStatus.TERMINATED}),
        ({"Employment Status": "Part-Time"}, "7", {}),
        ({"status": "Active"}, "8", {"status": PersonStatus.ACTIVE}),
        ({"supervisorEId": ""}, "7", {"manager_id": None}),
    ]
    for fields, pid, change in cases:
        [found] = _parse("bamboohr", {"employees": [{"id": pid, "fields": fields}]}, stored).people
        assert found == dataclasses.replace(stored[pid], **change), fields


def test_bamboohr_created_without_values_is_skipped_and_deleted_terminates() -> None:
    stored = {"7": person("7")}
    doc = {
        "employees": [
            {"id": "9", "action": "Created", "fields": [], "changedFields": []},
            {"id": "7", "action": "Deleted", "fields": {}},
            {"id": "5", "action": "Deleted"},
        ]
    }
    assert _parse("bamboohr", doc, stored).people == (dataclasses.replace(stored["7"], status=PersonStatus.TERMINATED),)
    assert _problems("bamboohr", {"employees": [{"id": "7", "action": "Moved"}]}, stored) == {
        "employees[0].action": "Created, Updated or Deleted"
    }


def test_bamboohr_effective_date_is_the_latest_entry_timestamp_else_the_day_received() -> None:
    stored = {"7": person("7"), "8": person("8")}
    doc = {
        "employees": [
            {"id": "7", "timestamp": "2026-03-02T23:59:00+0000", "fields": {"Job Title": "A"}},
            {"id": "8", "timestamp": "2026-03-05T08:00:00-0500", "fields": {"Job Title": "B"}},
        ]
    }
    assert _parse("bamboohr", doc, stored).effective == date(2026, 3, 5)
    doc["employees"] = [{"id": "7", "fields": {"Job Title": "A"}}]
    assert _parse("bamboohr", doc, stored).effective == DAY


# --- Workday ------------------------------------------------------------------------------------------------------


def _worker(**worker: Any) -> dict[str, Any]:
    return {"Event_ID": "e-1", "Effective_Date": "2026-03-09", "Worker": {"Worker_ID": "w1", **worker}}


def test_workday_references_emails_and_positions_in_their_several_forms() -> None:
    stored = {"w1": person("w1"), "mgr": person("mgr")}
    doc = _worker(
        Personal_Data={
            "Contact_Data": {
                "Email_Address_Data": [
                    {"Email_Address": "home@example.org", "Usage_Data": {"Type_Data": {"Type_Reference": "HOME"}}},
                    {
                        "Email_Address": "w1@work.example",
                        "Usage_Data": [
                            {
                                "Type_Data": [
                                    {"Type_Reference": {"ID": {"type": "Communication_Usage_Type_ID", "value": "WORK"}}}
                                ]
                            }
                        ],
                    },
                ]
            }
        },
        Employment_Data={
            "Position_Data": {
                "Position_Title": "Analyst",
                "Business_Site_Summary_Data": {"Name": "Lisbon", "Time_Zone_Reference": "Europe/Lisbon"},
            }
        },
        Management_Chain_Data={
            "Worker_Supervisory_Management_Chain_Data": {
                "Management_Chain_Data": {
                    "Manager_Reference": {
                        "ID": [{"type": "WID", "value": "abc"}, {"type": "Employee_ID", "value": "mgr"}]
                    }
                }
            }
        },
    )
    [found] = _parse("workday", doc, stored).people
    assert found == dataclasses.replace(
        stored["w1"],
        email="w1@work.example",
        role="Analyst",
        location="Lisbon",
        time_zone="Europe/Lisbon",
        manager_id="mgr",
    )


def test_workday_an_empty_management_chain_means_no_manager_and_statuses_map() -> None:
    stored = {"w1": person("w1", manager_id="mgr"), "mgr": person("mgr")}
    chain = {"Worker_Supervisory_Management_Chain_Data": {"Management_Chain_Data": []}}
    [top] = _parse("workday", _worker(Management_Chain_Data=chain), stored).people
    assert top.manager_id is None
    cases = [
        ({"Active": False}, PersonStatus.TERMINATED),
        ({"Terminated": "1", "Termination_Date": "2026-03-06-08:00"}, PersonStatus.TERMINATED),
        ({"Active": "1", "Leave_Status_Data": {"On_Leave": "true"}}, PersonStatus.LEAVE),
        ({"Active": True}, PersonStatus.ACTIVE),
    ]
    for status, expected in cases:
        [found] = _parse("workday", _worker(Employment_Data={"Worker_Status_Data": status}), stored).people
        assert found.status is expected, status
    on_leave = {"w1": person("w1", status=PersonStatus.LEAVE)}
    [still] = _parse("workday", _worker(Employment_Data={"Worker_Status_Data": {"Active": "1"}}), on_leave).people
    assert still.status is PersonStatus.LEAVE  # Active says employed, not back: a leave ends with Leave_Status_Data


def test_workday_without_an_event_id_uses_the_body_hash_and_a_new_worker_needs_every_value() -> None:
    doc = _worker()
    del doc["Event_ID"]
    body = json.dumps(doc).encode()
    assert workday.delivery_id(read_json(body, "x"), body) == bamboohr.delivery_id(None, body)
    position = "Worker.Employment_Data.Worker_Job_Data[0].Position_Data"
    assert _problems("workday", doc, {}) == {
        "Worker.Personal_Data.Name_Data.Legal_Name_Data.Name_Detail_Data": "a value",
        "Worker.Personal_Data.Contact_Data.Email_Address_Data": "a value",
        f"{position}.Business_Title": "a value",
        f"{position}.Job_Profile_Summary_Data.Job_Level_Reference": "a value",
        f"{position}.Business_Site_Summary_Data.Time_Zone_Reference": "a value",
    }


# --- signatures ---------------------------------------------------------------------------------------------------


def test_verify_each_vendor_signature_and_timestamp() -> None:
    body, key = b'{"x": 1}', b"k"
    unix = str(int(NOW.timestamp()))
    generic_headers = {"x-kairos-timestamp": unix, "x-kairos-signature": sign("generic", key, body, unix)}
    assert verify("generic", key, body, generic_headers, NOW) is None
    assert verify("generic", b"other", body, generic_headers, NOW) == "bad signature"
    no_stamp = {"x-kairos-signature": "sha256=00"}
    assert verify("generic", key, body, no_stamp, NOW) == "missing timestamp (X-Kairos-Timestamp)"
    late = NOW + timedelta(minutes=5, seconds=1)
    assert verify("generic", key, body, generic_headers, late).startswith("stale timestamp")
    for stamp in (unix, "2026-03-09T15:00:00+0000", "2026-03-09T14:58:00Z"):
        headers = {"x-bamboohr-timestamp": stamp, "x-bamboohr-signature": sign("bamboohr", key, body, stamp).upper()}
        assert verify("bamboohr", key, body, headers, NOW) is None, stamp
    unreadable = {"x-bamboohr-timestamp": "yesterday", "x-bamboohr-signature": sign("bamboohr", key, body, "yesterday")}
    assert verify("bamboohr", key, body, unreadable, NOW) == "unreadable timestamp (X-BambooHR-Timestamp)"
    digest = sign("workday", key, body)
    for header in (digest, f"sha256={digest}"):
        assert verify("workday", key, body, {"x-workday-signature": header}, NOW) is None
    assert verify("workday", key, body + b" ", {"x-workday-signature": digest}, NOW) == "bad signature"
    assert verify("workday", key, body, {"x-workday-signature": "é"}, NOW) == "bad signature"
    assert parse_timestamp("2026-03-09T15:00:00") is None and parse_timestamp("9" * 30) is None


# --- whatever arrives: a delivery or an InputError, never another exception -----------------------------------------

KEYS = {
    "generic": [
        *generic.TOP_LEVEL,
        "name",
        "email",
        "manager_id",
        "role",
        "level",
        "team",
        "location",
        "time_zone",
        "start_date",
        "status",
        "end_date",
    ],
    "bamboohr": [
        "employees",
        "id",
        "action",
        "timestamp",
        "changedFields",
        "fields",
        "value",
        "firstName",
        "Last Name",
        "workEmail",
        "jobTitle",
        "supervisorEId",
        "hireDate",
        "terminationDate",
        "status",
        "employmentHistoryStatus",
        "level",
        "timeZone",
        "type",
        "data",
    ],
    "workday": [
        "Event_ID",
        "Effective_Date",
        "Worker",
        "Worker_ID",
        "Personal_Data",
        "Name_Data",
        "Legal_Name_Data",
        "Name_Detail_Data",
        "First_Name",
        "Last_Name",
        "Formatted_Name",
        "Contact_Data",
        "Email_Address_Data",
        "Email_Address",
        "Usage_Data",
        "Type_Data",
        "Type_Reference",
        "ID",
        "type",
        "value",
        "Employment_Data",
        "Worker_Job_Data",
        "Primary_Job",
        "Position_Data",
        "Business_Title",
        "Job_Profile_Summary_Data",
        "Job_Level_Reference",
        "Business_Site_Summary_Data",
        "Name",
        "Time_Zone_Reference",
        "Worker_Status_Data",
        "Active",
        "Terminated",
        "Hire_Date",
        "Termination_Date",
        "Leave_Status_Data",
        "On_Leave",
        "Management_Chain_Data",
        "Worker_Supervisory_Management_Chain_Data",
        "Manager_Reference",
        "Organization_Data",
        "Worker_Organization_Data",
        "Organization_Name",
        "Organization_Type_Reference",
        "Manager_as_of_last_detected_manager_change_Reference",
    ],
}
VALUES = st.sampled_from(
    [
        "",
        " ",
        "p1",
        "boss",
        "w1",
        "nw-005",
        "nw-017",
        "IC3",
        "M1",
        "Europe/Berlin",
        "Mars/Olympus",
        "2026-03-09",
        "2026-03-09-08:00",
        "2026-13-40",
        "0000-00-00",
        "a@example.com",
        "not-an-email",
        "WORK",
        "Employee_ID",
        "WID",
        "Supervisory",
        "1",
        "0",
        "true",
        "Leave of Absence",
        "Terminated",
        "Inactive",
        "Active",
        "Created",
        "Deleted",
        "x" * 3000,
        "\x00",
        "\ud800",
        "é",
    ]
)
SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12) | VALUES


def _json(vendor: str) -> st.SearchStrategy[Any]:
    keys = st.sampled_from(KEYS[vendor]) | st.text(max_size=6)
    return st.recursive(
        SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=6), max_leaves=40
    )


def _paths(doc: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(doc, dict):
        for key, value in doc.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(doc, list):
        for index, value in enumerate(doc):
            found += _paths(value, (*prefix, index))
    return found


@st.composite
def _mutated_example(draw: st.DrawFn, vendor: str) -> Any:
    """A real example with a few nodes replaced by arbitrary JSON, so the deep validation gets exercised."""
    doc = copy.deepcopy(json.loads((EXAMPLES / f"{vendor}.json").read_text()))
    for _ in range(draw(st.integers(0, 4))):
        paths = _paths(doc)
        path = draw(st.sampled_from(paths))
        value = draw(_json(vendor))
        if not path:
            return value
        parent = doc
        for step in path[:-1]:
            parent = parent[step]
        if draw(st.booleans()) and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = value
    return doc


def _never_crashes(vendor: str, body: bytes) -> None:
    stored = {**DEMO, "p1": person("p1"), "boss": person("boss", manager_id="p1"), "w1": person("w1")}
    parser = PARSERS[vendor]
    try:
        parser.delivery_id(read_json(body, parser.NAME), body)
        delivery = parser.parse(body, stored=stored.get, received=DAY)
    except InputError as exc:
        assert exc.problems and all(str(p) for p in exc.problems)
        return
    assert delivery.vendor == vendor and delivery.people is not None and len(delivery.id) <= 64
    assert all(isinstance(p, Person) for p in delivery.people)
    with contextlib.suppress(InputError):  # and against an empty organization
        parser.parse(body, stored=nobody, received=DAY)


QUICK = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("vendor", ["generic", "bamboohr", "workday"])
@QUICK
@given(data=st.data())
def test_any_json_is_a_delivery_or_an_input_error(vendor: str, data: st.DataObject) -> None:
    doc = data.draw(_json(vendor) | _mutated_example(vendor))
    _never_crashes(vendor, json.dumps(doc).encode())


@pytest.mark.parametrize("vendor", ["generic", "bamboohr", "workday"])
@QUICK
@given(body=st.binary(max_size=300) | st.sampled_from([b"", b"\xef\xbb\xbf{}", b"\xff\xfe{", b"NaN", b"[" * 5000]))
def test_any_bytes_are_a_delivery_or_an_input_error(vendor: str, body: bytes) -> None:
    _never_crashes(vendor, body)
