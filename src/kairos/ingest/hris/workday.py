"""A Workday worker change, as a Workday Studio or EIB outbound integration sends it.

Workday has no standard outbound webhook: an integration (Studio, or an EIB with an outbound
transformation) is triggered by a business process and posts the worker as JSON, with the
element names of the Human_Resources web service (Get_Workers), and signs the body (see
``docs/formats/hris-webhooks.md``). Kairos reads this subset::

    {"Event_ID": "…", "Effective_Date": "YYYY-MM-DD",
     "Worker": {"Worker_ID": "…",
                "Personal_Data": {"Name_Data": {"Preferred_Name_Data" | "Legal_Name_Data":
                                                  {"Name_Detail_Data": {"Formatted_Name" | "First_Name", "Last_Name"}}},
                                  "Contact_Data": {"Email_Address_Data": [{"Email_Address", "Usage_Data"}]}},
                "Employment_Data": {"Worker_Job_Data": [{"Position_Data": {
                                        "Business_Title" | "Position_Title",
                                        "Job_Profile_Summary_Data": {"Job_Level_Reference"},
                                        "Business_Site_Summary_Data": {"Name", "Time_Zone_Reference"},
                                        "Manager_as_of_last_detected_manager_change_Reference"}}],
                                    "Worker_Status_Data": {"Active", "Terminated", "Hire_Date", "Termination_Date",
                                                           "Leave_Status_Data": [{"On_Leave"}]}},
                "Management_Chain_Data": {"Worker_Supervisory_Management_Chain_Data":
                                              {"Management_Chain_Data": [{"Manager_Reference"}]}},
                "Organization_Data": {"Worker_Organization_Data": [{"Organization_Data":
                                         {"Organization_Name", "Organization_Type_Reference"}}]}}}

A reference (``…_Reference``) is an id text, or ``{"ID": [{"type": "Employee_ID", "value": "…"}]}``.
Anything not given keeps its stored value. ``Job_Level_Reference`` and ``Time_Zone_Reference``
are not in Get_Workers' position data: the integration adds them (the job profile's level and
the location's IANA time zone).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from kairos.domain.person import PersonStatus
from kairos.errors import InputError
from kairos.ingest.base import Problems
from kairos.ingest.hris.base import (
    Delivery,
    Draft,
    StoredLookup,
    as_list,
    body_id,
    iso_date,
    person_values,
    read_json,
    text_value,
    validate,
)
from kairos.ingest.hris.base import delivery_id as checked_id

VENDOR = "workday"
NAME = "webhook workday"
W = "Worker"
_TRUE = {"1", "true", "y", "yes"}
_FALSE = {"0", "false", "n", "no"}
_DEFAULT_PATHS = {
    "id": f"{W}.Worker_ID",
    "name": f"{W}.Personal_Data.Name_Data.Legal_Name_Data.Name_Detail_Data",
    "email": f"{W}.Personal_Data.Contact_Data.Email_Address_Data",
    "manager_id": f"{W}.Management_Chain_Data.Worker_Supervisory_Management_Chain_Data.Management_Chain_Data",
    "role": f"{W}.Employment_Data.Worker_Job_Data[0].Position_Data.Business_Title",
    "level": f"{W}.Employment_Data.Worker_Job_Data[0].Position_Data.Job_Profile_Summary_Data.Job_Level_Reference",
    "team": f"{W}.Organization_Data.Worker_Organization_Data",
    "location": f"{W}.Employment_Data.Worker_Job_Data[0].Position_Data.Business_Site_Summary_Data.Name",
    "time_zone": f"{W}.Employment_Data.Worker_Job_Data[0].Position_Data.Business_Site_Summary_Data.Time_Zone_Reference",
    "start_date": f"{W}.Employment_Data.Worker_Status_Data.Hire_Date",
    "status": f"{W}.Employment_Data.Worker_Status_Data",
    "end_date": f"{W}.Employment_Data.Worker_Status_Data.Termination_Date",
}


def _object(doc: Any) -> dict[str, Any]:
    if not isinstance(doc, dict):
        raise InputError.at(
            NAME, 'an object {"Event_ID": …, "Effective_Date": …, "Worker": {…}}', field="$", value=type(doc).__name__
        )
    return doc


def delivery_id(doc: Any, body: bytes) -> str:
    """``Event_ID`` (the business process event) when given, else the SHA-256 of the body."""
    doc = _object(doc)
    if doc.get("Event_ID") is None:
        return body_id(body)
    return checked_id(doc["Event_ID"], "Event_ID", NAME)


class _Reader:
    """Reads typed values out of the worker, adding a problem (with its path) for each wrong one."""

    def __init__(self, problems: Problems, max_chars: int) -> None:
        self.problems = problems
        self.max_chars = max_chars

    def obj(self, parent: Mapping[str, Any] | None, key: str, path: str) -> dict[str, Any] | None:
        """``parent[key]`` if it is an object; None if absent; a problem if it is anything else."""
        if parent is None or parent.get(key) is None:
            return None
        value = parent[key]
        if isinstance(value, list) and len(value) == 1:
            value = value[0]  # one repeated element, written as a list
        if not isinstance(value, dict):
            self.problems.add("an object", field=f"{path}.{key}", value=type(value).__name__)
            return None
        return value

    def objects(self, parent: Mapping[str, Any] | None, key: str, path: str) -> list[tuple[str, dict[str, Any]]] | None:
        """``parent[key]`` as a list of (path, object); None if absent."""
        if parent is None or parent.get(key) is None:
            return None
        raw = parent[key]
        found = []
        for index, item in enumerate(as_list(raw)):
            where = f"{path}.{key}[{index}]" if isinstance(raw, list) else f"{path}.{key}"
            if isinstance(item, dict):
                found.append((where, item))
            else:
                self.problems.add("an object", field=where, value=type(item).__name__)
        return found

    def text(self, parent: Mapping[str, Any] | None, key: str, path: str) -> str | None:
        if parent is None or key not in parent:
            return None
        return text_value(parent[key], f"{path}.{key}", self.problems, self.max_chars)

    def flag(self, parent: Mapping[str, Any] | None, key: str, path: str) -> bool | None:
        if parent is None or parent.get(key) is None:
            return None
        value = parent[key]
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower() if isinstance(value, str | int) else None
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        self.problems.add("true or false (or 1 or 0)", field=f"{path}.{key}", value=value)
        return None

    def day(self, parent: Mapping[str, Any] | None, key: str, path: str) -> str | None:
        """A date as YYYY-MM-DD text (Workday may add a zone: 2026-03-09-08:00); '' when null."""
        if parent is None or key not in parent:
            return None
        if parent[key] is None or parent[key] == "":
            return ""
        found = iso_date(parent[key], f"{path}.{key}", self.problems, lenient=True)
        return found.isoformat() if found else None

    def reference(self, value: Any, path: str, wanted: str) -> str | None:
        """The id of a reference: its text, or the ID of type ``wanted`` (else the first that is not a WID)."""
        if isinstance(value, list):
            value = value[0] if value else None
        if value is None:
            return ""
        if isinstance(value, str | int) and not isinstance(value, bool):
            return text_value(value, path, self.problems, self.max_chars)
        ids = value.get("ID") if isinstance(value, dict) else None
        candidates = [i for i in as_list(ids) if isinstance(i, dict) and isinstance(i.get("value"), str | int)]
        chosen = next((i for i in candidates if i.get("type") == wanted), None)
        chosen = chosen or next((i for i in candidates if i.get("type") != "WID"), None)
        if chosen is None or isinstance(chosen["value"], bool):
            self.problems.add(
                f'an id text or {{"ID": [{{"type": "{wanted}", "value": "…"}}]}}',
                field=path,
                value=value if not isinstance(value, dict) else "no usable ID",
            )
            return None
        return text_value(chosen["value"], f"{path}.ID", self.problems, self.max_chars)


def parse(body: bytes, *, stored: StoredLookup, received: date, max_chars: int = 2000) -> Delivery:
    """The delivery in ``body``, or an InputError listing every problem with its path (``Worker.Worker_ID``)."""
    del received  # Workday always states the effective date
    doc = _object(read_json(body, NAME))
    did = delivery_id(doc, body)
    problems = Problems(NAME)
    read = _Reader(problems, max_chars)
    effective = iso_date(doc.get("Effective_Date"), "Effective_Date", problems, lenient=True)
    worker = doc.get("Worker")
    if not isinstance(worker, dict):
        problems.add('an object {"Worker_ID": …, …}', field=W, value=None if worker is None else type(worker).__name__)
        problems.raise_if_any()
    assert isinstance(worker, dict)
    pid = read.text(worker, "Worker_ID", W)
    if pid == "" or (pid is None and "Worker_ID" not in worker):
        problems.add("the worker's id", field=f"{W}.Worker_ID")
    problems.raise_if_any()
    assert pid is not None and effective is not None
    before = stored(pid)
    values = person_values(before)
    values["id"] = pid
    paths = dict(_DEFAULT_PATHS)
    _personal(read, worker, values, paths)
    _job(read, worker, values, paths)
    _manager_chain(read, worker, values, paths)
    _organizations(read, worker, values, paths)
    _status(read, worker, values, paths, known=before is not None)
    problems.raise_if_any()
    draft = Draft(where=W, values=values, paths=paths)
    found = validate([draft], name=NAME, effective=effective, stored=stored, problems=problems)
    return Delivery(vendor=VENDOR, id=did, effective=effective, people=tuple(found))


def _personal(read: _Reader, worker: dict[str, Any], values: dict[str, str], paths: dict[str, str]) -> None:
    personal = read.obj(worker, "Personal_Data", W)
    path = f"{W}.Personal_Data"
    names = read.obj(personal, "Name_Data", path)
    for kind in ("Preferred_Name_Data", "Legal_Name_Data"):
        holder = read.obj(names, kind, f"{path}.Name_Data")
        detail = read.obj(holder, "Name_Detail_Data", f"{path}.Name_Data.{kind}")
        where = f"{path}.Name_Data.{kind}.Name_Detail_Data"
        formatted = read.text(detail, "Formatted_Name", where)
        parts = [read.text(detail, key, where) for key in ("First_Name", "Last_Name")]
        name = formatted or " ".join(p for p in parts if p)
        if name:
            values["name"], paths["name"] = name, where
            break
    contact = read.obj(personal, "Contact_Data", path)
    emails = read.objects(contact, "Email_Address_Data", f"{path}.Contact_Data")
    if emails:
        where, chosen = next(((w, e) for w, e in emails if _is_work(read, e, w)), emails[0])
        address = read.text(chosen, "Email_Address", where)
        if address is not None:
            values["email"], paths["email"] = address, f"{where}.Email_Address"


def _is_work(read: _Reader, email: dict[str, Any], where: str) -> bool:
    for usage_path, usage in read.objects(email, "Usage_Data", where) or []:
        for type_path, kind in read.objects(usage, "Type_Data", usage_path) or []:
            if "Type_Reference" in kind:
                path = f"{type_path}.Type_Reference"
                ref = read.reference(kind["Type_Reference"], path, "Communication_Usage_Type_ID")
                if ref is not None and ref.upper() == "WORK":
                    return True
    return False


def _job(read: _Reader, worker: dict[str, Any], values: dict[str, str], paths: dict[str, str]) -> None:
    employment = read.obj(worker, "Employment_Data", W)
    path = f"{W}.Employment_Data"
    jobs = read.objects(employment, "Worker_Job_Data", path)
    position: dict[str, Any] | None = None
    if jobs:
        where, job = next(((w, j) for w, j in jobs if read.flag(j, "Primary_Job", w)), jobs[0])
        position = read.obj(job, "Position_Data", where)
        where = f"{where}.Position_Data"
    else:
        position = read.obj(employment, "Position_Data", path)
        where = f"{path}.Position_Data"
    if position is None:
        return
    for key in ("Business_Title", "Position_Title"):
        title = read.text(position, key, where)
        if title:
            values["role"], paths["role"] = title, f"{where}.{key}"
            break
    profile = read.obj(position, "Job_Profile_Summary_Data", where)
    if profile is not None and "Job_Level_Reference" in profile:
        ref_path = f"{where}.Job_Profile_Summary_Data.Job_Level_Reference"
        level = read.reference(profile["Job_Level_Reference"], ref_path, "Job_Level_ID")
        if level is not None:
            values["level"], paths["level"] = level, ref_path
    site = read.obj(position, "Business_Site_Summary_Data", where)
    site_path = f"{where}.Business_Site_Summary_Data"
    location = read.text(site, "Name", site_path)
    if location is not None:
        values["location"], paths["location"] = location, f"{site_path}.Name"
    if site is not None and "Time_Zone_Reference" in site:
        zone = read.reference(site["Time_Zone_Reference"], f"{site_path}.Time_Zone_Reference", "Time_Zone_ID")
        if zone is not None:
            values["time_zone"], paths["time_zone"] = zone, f"{site_path}.Time_Zone_Reference"
    key = "Manager_as_of_last_detected_manager_change_Reference"
    if key in position:
        manager = read.reference(position[key], f"{where}.{key}", "Employee_ID")
        if manager is not None:
            values["manager_id"], paths["manager_id"] = manager, f"{where}.{key}"


def _manager_chain(read: _Reader, worker: dict[str, Any], values: dict[str, str], paths: dict[str, str]) -> None:
    """The supervisory chain, top first: its last link is the direct manager; an empty chain means none."""
    path = f"{W}.Management_Chain_Data"
    holder = read.obj(worker, "Management_Chain_Data", W)
    chain_holder = read.obj(holder, "Worker_Supervisory_Management_Chain_Data", path)
    if chain_holder is None or "Management_Chain_Data" not in chain_holder:
        return
    where = f"{path}.Worker_Supervisory_Management_Chain_Data"
    links = read.objects(chain_holder, "Management_Chain_Data", where) or []
    if not links:
        values["manager_id"], paths["manager_id"] = "", f"{where}.Management_Chain_Data"
        return
    link_path, link = links[-1]
    manager = read.reference(link.get("Manager_Reference"), f"{link_path}.Manager_Reference", "Employee_ID")
    if manager is not None:
        values["manager_id"], paths["manager_id"] = manager, f"{link_path}.Manager_Reference"


def _organizations(read: _Reader, worker: dict[str, Any], values: dict[str, str], paths: dict[str, str]) -> None:
    """The team is the worker's supervisory organization."""
    holder = read.obj(worker, "Organization_Data", W)
    for where, membership in read.objects(holder, "Worker_Organization_Data", f"{W}.Organization_Data") or []:
        org = read.obj(membership, "Organization_Data", where)
        org_path = f"{where}.Organization_Data"
        if org is None or "Organization_Type_Reference" not in org:
            continue
        kind = read.reference(
            org["Organization_Type_Reference"], f"{org_path}.Organization_Type_Reference", "Organization_Type_ID"
        )
        if kind is not None and kind.lower() == "supervisory":
            name = read.text(org, "Organization_Name", org_path)
            if name is not None:
                values["team"], paths["team"] = name, f"{org_path}.Organization_Name"
            return


def _status(
    read: _Reader, worker: dict[str, Any], values: dict[str, str], paths: dict[str, str], *, known: bool
) -> None:
    employment = worker.get("Employment_Data") if isinstance(worker.get("Employment_Data"), dict) else None
    path = f"{W}.Employment_Data"
    status_data = read.obj(employment, "Worker_Status_Data", path) if employment is not None else None
    if status_data is None:
        if not known:
            values["status"] = PersonStatus.ACTIVE.value
        return
    where = f"{path}.Worker_Status_Data"
    for key, name in (("Hire_Date", "start_date"), ("Termination_Date", "end_date")):
        found = read.day(status_data, key, where)
        if found is not None:
            values[name], paths[name] = found, f"{where}.{key}"
    active = read.flag(status_data, "Active", where)
    terminated = read.flag(status_data, "Terminated", where)
    leaves = read.objects(status_data, "Leave_Status_Data", where)
    status = values.get("status") or PersonStatus.ACTIVE.value
    if terminated or active is False:
        status = PersonStatus.TERMINATED.value
        paths["status"] = f"{where}.{'Terminated' if terminated else 'Active'}"
    elif leaves is not None:
        on_leave = any(read.flag(leave, "On_Leave", w) for w, leave in leaves)
        status = PersonStatus.LEAVE.value if on_leave else PersonStatus.ACTIVE.value
        paths["status"] = f"{where}.Leave_Status_Data"
    elif (active or terminated is False) and (status == PersonStatus.TERMINATED.value or not known):
        # Active alone says employed, not back from leave: a leave ends with Leave_Status_Data.
        status = PersonStatus.ACTIVE.value
    values["status"] = status
