"""SCIM provisioning against the real app and a real database (both backends): people, events, protocol."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert, select

from kairos.api.app import create_app
from kairos.clock import FrozenClock
from kairos.domain.person import Person, PersonStatus
from kairos.ingest.people import import_people
from kairos.settings import load_settings
from kairos.store import Database, open_database
from kairos.store import people as people_store
from kairos.store.schema import events, moments, scim_resources
from tests.factories import people_csv

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
TOKEN = "s3cret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
CORE = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
KAIROS = "urn:kairos:params:scim:schemas:extension:kairos:2.0:User"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"


def user(
    user_name: str,
    *,
    number: str | None = None,
    given: str = "Ann",
    family: str = "Lee",
    title: str = "Engineer",
    level: str = "IC2",
    department: str = "Core",
    manager: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    enterprise: dict[str, Any] = {"department": department}
    if number:
        enterprise["employeeNumber"] = number
    if manager:
        enterprise["manager"] = {"value": manager}
    return {
        "schemas": [CORE, ENTERPRISE, KAIROS],
        "userName": user_name,
        "name": {"givenName": given, "familyName": family},
        "displayName": f"{given} {family}",
        "title": title,
        "timezone": "Europe/Berlin",
        "emails": [{"value": f"{user_name.split('@')[0]}@example.com", "type": "work", "primary": True}],
        ENTERPRISE: enterprise,
        KAIROS: {"level": level, "location": "Berlin", "startDate": "2022-01-10"},
        **extra,
    }


def patch(*operations: dict[str, Any]) -> dict[str, Any]:
    return {"schemas": [PATCH_OP], "Operations": list(operations)}


class Scim:
    """A TestClient on /scim/v2 with the token, and shortcuts for what tests check."""

    def __init__(self, client: TestClient, db: Database) -> None:
        self.client, self.db = client, db

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = {**AUTH, **kwargs.pop("headers", {})}
        return self.client.request(method, f"/scim/v2{path}", headers=headers, **kwargs)

    def create(self, body: dict[str, Any]) -> dict[str, Any]:
        response = self.request("POST", "/Users", json=body)
        assert response.status_code == 201, response.text
        return dict(response.json())

    def find(self, scim_filter: str, **params: Any) -> dict[str, Any]:
        response = self.request("GET", "/Users", params={"filter": scim_filter, **params})
        assert response.status_code == 200, response.text
        return dict(response.json())

    def event_types(self, subject: str | None = None) -> list[str]:
        query = select(events.c.type).order_by(events.c.seq)
        if subject is not None:
            query = query.where(events.c.subject == subject)
        with self.db.engine.connect() as conn:
            return list(conn.execute(query).scalars())

    def person(self, person_id: str) -> Person | None:
        with self.db.engine.connect() as conn:
            return people_store.get_any(conn, person_id)


def make_client(database_url: str, db: Database, **scim: Any) -> TestClient:
    settings = load_settings(database_url=database_url, scim={"token": TOKEN, **scim})
    return TestClient(create_app(settings, db, clock=FrozenClock(NOW)))


@pytest.fixture
def scim(database_url: str, db: Database) -> Scim:
    return Scim(make_client(database_url, db, max_results=50), db)


@pytest.fixture
def fresh_url(another_database_url: Callable[[], str]) -> str:
    """A second, empty database on the same backend."""
    return another_database_url()


def assert_error(response: Any, status: int, scim_type: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/scim+json")
    body = dict(response.json())
    assert body["schemas"] == [ERROR] and body["status"] == str(status), body
    assert body.get("scimType") == scim_type, body
    return body


# -- people and events ---------------------------------------------------------------------------------


def test_a_provisioned_user_is_the_same_person_with_the_same_events_as_a_one_row_people_csv(
    scim: Scim, fresh_url: str, tmp_path: Path
) -> None:
    created = scim.create(user("ann.lee@example.com", number="nw-001", title="Lead", level="M1"))
    assert created["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]["employeeNumber"] == "nw-001"

    fresh = open_database(fresh_url)
    fresh.migrate()
    csv = people_csv(
        tmp_path / "people.csv",
        ["nw-001,Ann Lee,ann.lee@example.com,,Lead,M1,Core,Berlin,Europe/Berlin,2022-01-10"],
    )
    import_people(fresh, csv, as_of=NOW.date(), now=NOW)
    with fresh.engine.connect() as conn:
        from_csv = people_store.get_any(conn, "nw-001")
        csv_events = conn.execute(select(events.c.type, events.c.subject, events.c.data)).all()
    fresh.dispose()
    with scim.db.engine.connect() as conn:
        scim_events = conn.execute(select(events.c.type, events.c.subject, events.c.data, events.c.source)).all()

    assert from_csv is not None and scim.person("nw-001") == from_csv
    assert [(e.type, e.subject, e.data) for e in scim_events] == [tuple(e) for e in csv_events]
    assert [e.source for e in scim_events] == ["kairos/scim"]


def test_the_person_id_is_the_employee_number_else_the_external_id_else_the_scim_id(scim: Scim) -> None:
    by_number = scim.create(user("a@example.com", number="e-1", externalId="okta-1"))
    by_external = scim.create(user("b@example.com", externalId="okta-2"))
    by_id = scim.create(user("c@example.com"))
    assert scim.person("e-1") is not None and scim.person("okta-2") is not None
    assert scim.person(by_id["id"]) is not None
    with scim.db.engine.connect() as conn:
        mapped = dict(conn.execute(select(scim_resources.c.id, scim_resources.c.person_id)).all())
    assert mapped == {by_number["id"]: "e-1", by_external["id"]: "okta-2", by_id["id"]: by_id["id"]}


def test_a_manager_change_by_patch_records_person_manager_changed(scim: Scim) -> None:
    boss = scim.create(user("boss@example.com", number="m-1", given="Mia", level="M2"))
    other = scim.create(user("other@example.com", number="m-2", given="Ola", level="M1"))
    report = scim.create(user("rep@example.com", number="r-1", manager=boss["id"]))
    assert scim.person("r-1").manager_id == "m-1"  # type: ignore[union-attr]

    path = f"{ENTERPRISE}:manager"
    response = scim.request(
        "PATCH", f"/Users/{report['id']}", json=patch({"op": "replace", "path": path, "value": {"value": other["id"]}})
    )
    assert response.status_code == 200, response.text
    assert response.json()[ENTERPRISE]["manager"] == {"value": other["id"]}  # as the client stored it
    assert scim.person("r-1").manager_id == "m-2"  # type: ignore[union-attr]
    assert scim.event_types("r-1")[-1] == "person.manager_changed"
    with scim.db.engine.connect() as conn:
        change = conn.execute(select(events.c.data).where(events.c.type == "person.manager_changed")).scalar_one()
    assert (change["from"], change["to"]) == ("m-1", "m-2")
    assert {"manager.report_left", "manager.report_joined"} <= set(scim.event_types())

    # Microsoft Entra sends the manager as a bare id; a Kairos person id is accepted as the value too.
    entra = patch({"op": "Replace", "path": path, "value": "m-1"})
    assert scim.request("PATCH", f"/Users/{report['id']}", json=entra).status_code == 200
    assert scim.person("r-1").manager_id == "m-1"  # type: ignore[union-attr]


def test_an_unknown_manager_or_a_reporting_cycle_is_refused_naming_manager_and_stores_nothing(scim: Scim) -> None:
    body = assert_error(
        scim.request("POST", "/Users", json=user("x@example.com", manager="nobody")), 400, "invalidValue"
    )
    assert "manager" in body["detail"] and "nobody" in body["detail"]
    assert scim.event_types() == [] and scim.find('userName eq "x@example.com"')["totalResults"] == 0

    top = scim.create(user("top@example.com", number="t-1"))
    mid = scim.create(user("mid@example.com", number="t-2", manager=top["id"]))
    before = scim.event_types()
    cycle = patch({"op": "add", "path": f"{ENTERPRISE}:manager", "value": {"value": mid["id"]}})
    body = assert_error(scim.request("PATCH", f"/Users/{top['id']}", json=cycle), 400, "invalidValue")
    assert "manager" in body["detail"]
    assert scim.person("t-1").manager_id is None and scim.event_types() == before  # type: ignore[union-attr]
    assert scim.request("GET", f"/Users/{top['id']}").json()["meta"]["version"] == top["meta"]["version"]


def test_active_false_terminates_the_person_and_cancels_only_their_moments(scim: Scim) -> None:
    leaver = scim.create(user("leaver@example.com", number="l-1"))
    stayer = scim.create(user("stayer@example.com", number="s-1"))
    with scim.db.engine.begin() as conn:
        seq = conn.execute(select(events.c.seq).limit(1)).scalar_one()
        for person in ("l-1", "s-1"):
            conn.execute(
                insert(moments).values(
                    dedup_key=f"k-{person}",
                    play_id="p",
                    play_version=1,
                    action="a",
                    event_seq=seq,
                    subject_id=person,
                    recipient_id=person,
                    audience="self",
                    priority=1,
                    status="planned",
                    trace=[],
                    context={},
                    created_at=NOW,
                    due_at=NOW,
                )
            )

    title = patch({"op": "replace", "path": "title", "value": "Staff Engineer"})
    assert scim.request("PATCH", f"/Users/{stayer['id']}", json=title).status_code == 200
    off = patch({"op": "replace", "value": {"active": False}})
    response = scim.request("PATCH", f"/Users/{leaver['id']}", json=off)
    assert response.status_code == 200 and response.json()["active"] is False

    assert scim.person("l-1").status is PersonStatus.TERMINATED  # type: ignore[union-attr]
    assert scim.person("s-1").status is PersonStatus.ACTIVE  # type: ignore[union-attr]
    assert scim.event_types("l-1")[-1] == "person.terminated"
    with scim.db.engine.connect() as conn:
        states = dict(conn.execute(select(moments.c.recipient_id, moments.c.stop_reason)).all())
    assert states == {"l-1": "cancelled", "s-1": None}

    back = scim.request(
        "PATCH", f"/Users/{leaver['id']}", json=patch({"op": "replace", "path": "active", "value": True})
    )
    assert back.status_code == 200
    assert scim.person("l-1").status is PersonStatus.ACTIVE and scim.event_types("l-1")[-1] == "person.hired"  # type: ignore[union-attr]


def test_deleting_a_user_terminates_the_person_and_the_resource_is_gone(scim: Scim) -> None:
    scim.create(user("stays@example.com", number="g-0"))
    created = scim.create(user("gone@example.com", number="g-1"))
    assert scim.request("DELETE", f"/Users/{created['id']}").status_code == 204
    assert_error(scim.request("GET", f"/Users/{created['id']}"), 404)
    assert scim.person("g-1").status is PersonStatus.TERMINATED  # type: ignore[union-attr]
    assert scim.event_types("g-1") == ["person.hired", "person.terminated"]
    # The same employee number provisioned again is the same person, hired again.
    scim.create(user("back@example.com", number="g-1"))
    assert scim.event_types("g-1")[-1] == "person.hired"


def test_nothing_is_stored_when_the_resource_cannot_be_written_after_the_person_change(
    scim: Scim, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kairos.store import scim as scim_store

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(scim_store, "insert_row", broken)
    assert_error(scim.request("POST", "/Users", json=user("half@example.com", number="h-1")), 500)
    assert scim.person("h-1") is None and scim.event_types() == []


def test_an_invalid_person_field_is_refused_naming_the_scim_attribute(scim: Scim) -> None:
    body = assert_error(
        scim.request("POST", "/Users", json=user("t@example.com", title="x" * 301)), 400, "invalidValue"
    )
    assert "'title'" in body["detail"] and "300" in body["detail"]
    body = assert_error(
        scim.request("POST", "/Users", json=user("u@example.com", number="has space")), 400, "invalidValue"
    )
    assert "employeeNumber" in body["detail"]
    bad_email = user("v@example.com", emails=[{"value": "not-an-address", "primary": True}])
    assert "emails" in assert_error(scim.request("POST", "/Users", json=bad_email), 400, "invalidValue")["detail"]
    assert scim.event_types() == []


def test_values_kairos_cannot_use_are_kept_on_the_resource_and_defaulted_on_the_person(scim: Scim) -> None:
    odd = user("odd@example.com", number="o-1", timezone="Mars/Olympus")
    odd[KAIROS]["startDate"] = "soon"
    created = scim.create(odd)
    assert created["timezone"] == "Mars/Olympus" and created[KAIROS]["startDate"] == "soon"
    person = scim.person("o-1")
    assert person is not None and person.time_zone == "UTC" and person.start_date is None
    dated = user("dated@example.com", number="o-2")
    dated[KAIROS]["startDate"] = "2024-05-06T00:00:00Z"
    scim.create(dated)
    assert scim.person("o-2").start_date == date(2024, 5, 6)  # type: ignore[union-attr]


# -- protocol ------------------------------------------------------------------------------------------


def test_patch_on_a_missing_user_is_a_404_scim_error(scim: Scim) -> None:
    body = assert_error(
        scim.request("PATCH", "/Users/does-not-exist", json=patch({"op": "replace", "path": "title", "value": "x"})),
        404,
    )
    assert "does-not-exist" in body["detail"]


def test_a_duplicate_user_name_is_409_uniqueness_whatever_its_case(scim: Scim) -> None:
    scim.create(user("dup@example.com", number="d-1"))
    body = assert_error(scim.request("POST", "/Users", json=user("DUP@Example.com", number="d-2")), 409, "uniqueness")
    assert "userName" in body["detail"]
    assert scim.person("d-2") is None
    assert_error(scim.request("POST", "/Users", json=user("other@example.com", number="d-1")), 409, "uniqueness")


def test_filters(scim: Scim) -> None:
    ann = scim.create(user("ann@example.com", given="Ann", family="Lee", title="Lead"))
    bob = scim.create(user("bob@example.com", given="Bob", family="Leung", title="Engineer"))
    cid = scim.create(
        user(
            "cid@example.org",
            given="Cid",
            family="Moss",
            title="Engineer",
            emails=[{"value": "cid@example.org", "type": "work"}],
        )
    )

    def ids(scim_filter: str) -> set[str]:
        return {r["id"] for r in scim.find(scim_filter).get("Resources", [])}

    assert ids('userName eq "ANN@example.com"') == {ann["id"]}
    assert ids('emails.value co "example.com"') == {ann["id"], bob["id"]}
    assert ids('name.familyName sw "Le"') == {ann["id"], bob["id"]}
    assert ids('name.familyName sw "le" and title eq "Engineer"') == {bob["id"]}
    assert ids('userName eq "ann@example.com" or userName eq "cid@example.org"') == {ann["id"], cid["id"]}
    assert ids('not (title eq "Engineer")') == {ann["id"]}
    assert ids('(title eq "Lead" or name.givenName eq "Cid") and emails[type eq "work"].value ew ".org"') == {cid["id"]}
    assert ids(f'externalId pr or id eq "{bob["id"]}"') == {bob["id"]}
    assert ids(f'meta.created ge "{NOW.isoformat()}"') == {ann["id"], bob["id"], cid["id"]}
    assert ids('userName eq "nobody@example.com"') == set()
    assert_error(scim.request("GET", "/Users", params={"filter": 'userName eq "unterminated'}), 400, "invalidFilter")
    assert_error(scim.request("GET", "/Users", params={"filter": "shoeSize gt 40"}), 400, "invalidFilter")


def test_pagination_and_sorting(scim: Scim, database_url: str) -> None:
    for n in range(7):
        scim.create(user(f"u{n}@example.com", given=f"G{6 - n}"))
    page = scim.request("GET", "/Users", params={"startIndex": 3, "count": 2}).json()
    assert (page["totalResults"], page["startIndex"], page["itemsPerPage"]) == (7, 3, 2)
    assert [r["userName"] for r in page["Resources"]] == ["u2@example.com", "u3@example.com"]
    last = scim.request("GET", "/Users", params={"startIndex": 7, "count": 5}).json()
    assert [r["userName"] for r in last["Resources"]] == ["u6@example.com"]
    counted = scim.request("GET", "/Users", params={"count": 0}).json()
    assert counted["totalResults"] == 7 and not counted.get("Resources")
    by_name = scim.request(
        "GET", "/Users", params={"sortBy": "name.givenName", "count": 3, "filter": 'userName sw "u"'}
    ).json()
    assert [r["name"]["givenName"] for r in by_name["Resources"]] == ["G0", "G1", "G2"]
    descending = scim.request("GET", "/Users", params={"sortBy": "userName", "sortOrder": "descending"}).json()
    assert descending["Resources"][0]["userName"] == "u6@example.com"

    small = Scim(make_client(database_url, scim.db, max_results=3), scim.db)
    capped = small.request("GET", "/Users", params={"count": 100}).json()
    assert capped["itemsPerPage"] == 3 and capped["totalResults"] == 7


def test_attributes_and_excluded_attributes(scim: Scim) -> None:
    created = scim.create(user("attr@example.com", number="a-1"))
    only = scim.request("GET", f"/Users/{created['id']}", params={"attributes": "userName,name.familyName"}).json()
    assert set(only) == {"schemas", "id", "userName", "name"} and only["name"] == {"familyName": "Lee"}
    without = scim.request("GET", "/Users", params={"excludedAttributes": "emails,title"}).json()["Resources"][0]
    assert "emails" not in without and "title" not in without and without["userName"] == "attr@example.com"


def test_etags_and_if_match(scim: Scim) -> None:
    created = scim.create(user("etag@example.com", number="v-1"))
    first = scim.request("GET", f"/Users/{created['id']}")
    assert first.headers["etag"] == created["meta"]["version"] == 'W/"1"'
    assert scim.request("GET", f"/Users/{created['id']}", headers={"If-None-Match": 'W/"1"'}).status_code == 304

    title = patch({"op": "replace", "path": "title", "value": "Principal"})
    stale = scim.request("PATCH", f"/Users/{created['id']}", json=title, headers={"If-Match": 'W/"7"'})
    assert_error(stale, 412)
    assert scim.person("v-1").role == "Engineer"  # type: ignore[union-attr]
    fresh = scim.request("PATCH", f"/Users/{created['id']}", json=title, headers={"If-Match": 'W/"1"'})
    assert fresh.status_code == 200 and fresh.headers["etag"] == 'W/"2"'
    assert fresh.json()["meta"]["lastModified"] == NOW.isoformat().replace("+00:00", "Z")
    assert_error(scim.request("DELETE", f"/Users/{created['id']}", headers={"If-Match": 'W/"1"'}), 412)
    unchanged = scim.request("PATCH", f"/Users/{created['id']}", json=title)
    assert unchanged.headers["etag"] == 'W/"2"'  # a PATCH that changes nothing keeps the version


def test_put_replaces_the_user_and_the_person(scim: Scim) -> None:
    created = scim.create(user("put@example.com", number="p-1", title="Engineer", level="IC2"))
    replacement = user("put@example.com", number="p-1", title="Senior Engineer", level="IC3")
    response = scim.request("PUT", f"/Users/{created['id']}", json=replacement)
    assert response.status_code == 200 and response.json()["title"] == "Senior Engineer"
    person = scim.person("p-1")
    assert person is not None and (person.role, person.level) == ("Senior Engineer", "IC3")
    assert scim.event_types("p-1")[-2:] == ["person.promoted", "person.role_changed"]


def test_groups_hold_members_and_a_user_lists_its_groups(scim: Scim) -> None:
    member = scim.create(user("member@example.com", number="gm-1"))
    group = scim.request(
        "POST",
        "/Groups",
        json={
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "displayName": "Coaches",
            "members": [{"value": member["id"], "type": "User"}],
        },
    )
    assert group.status_code == 201, group.text
    listed = scim.request("GET", f"/Users/{member['id']}").json()["groups"]
    assert listed == [
        {"value": group.json()["id"], "$ref": group.json()["meta"]["location"], "display": "Coaches", "type": "direct"}
    ]
    found = scim.request("GET", "/Groups", params={"filter": 'displayName eq "coaches"'}).json()
    assert found["totalResults"] == 1
    unknown = {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        "displayName": "X",
        "members": [{"value": "nope"}],
    }
    assert "members" in assert_error(scim.request("POST", "/Groups", json=unknown), 400, "invalidValue")["detail"]

    assert scim.request("DELETE", f"/Users/{member['id']}").status_code == 204
    after = scim.request("GET", f"/Groups/{group.json()['id']}").json()
    assert "members" not in after and after["meta"]["version"] == 'W/"2"'


def test_authentication_and_disabled_scim(scim: Scim, database_url: str, db: Database) -> None:
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"}):
        response = scim.client.get("/scim/v2/Users", headers=headers)
        assert_error(response, 401)
        assert response.headers["www-authenticate"].startswith("Bearer")
    off = TestClient(create_app(load_settings(database_url=database_url), db, clock=FrozenClock(NOW)))
    body = assert_error(off.get("/scim/v2/Users", headers=AUTH), 404)
    assert "KAIROS_SCIM__TOKEN" in body["detail"]


def test_discovery_and_errors_for_unknown_paths_and_methods(scim: Scim) -> None:
    config = scim.request("GET", "/ServiceProviderConfig").json()
    assert config["patch"]["supported"] and config["etag"]["supported"] and config["filter"]["maxResults"] == 50
    types = scim.request("GET", "/ResourceTypes").json()
    assert {r["id"] for r in types["Resources"]} == {"User", "Group"}
    schemas = {s["id"] for s in scim.request("GET", "/Schemas").json()["Resources"]}
    assert {CORE, ENTERPRISE, KAIROS} <= schemas
    kairos_schema = scim.request("GET", f"/Schemas/{KAIROS}").json()
    assert [a["name"] for a in kairos_schema["attributes"]] == ["level", "location", "startDate"]
    assert_error(scim.request("GET", "/Schemas/urn:nope"), 404)
    assert_error(scim.request("GET", "/Elsewhere"), 404)
    not_allowed = scim.request("DELETE", "/ServiceProviderConfig")
    assert_error(not_allowed, 405)
    assert not_allowed.headers["allow"] == "GET"
    assert_error(
        scim.request("POST", "/Users", content=b"{", headers={"Content-Type": "application/scim+json"}),
        400,
        "invalidSyntax",
    )
    assert_error(scim.request("POST", "/Users", content=b"<user/>", headers={"Content-Type": "text/xml"}), 415)
    unknown_attribute = {**user("z@example.com"), "shoeSize": 44}
    assert scim.request("POST", "/Users", json=unknown_attribute).status_code == 400


def test_entra_style_patches_are_accepted(scim: Scim) -> None:
    created = scim.create(user("entra@example.com", number="en-1", emails=[{"value": "entra@example.com"}]))
    work = patch({"op": "Replace", "path": 'emails[type eq "work"].value', "value": "entra.work@example.com"})
    response = scim.request("PATCH", f"/Users/{created['id']}", json=work)
    assert response.status_code == 200, response.text
    assert {"value": "entra.work@example.com", "type": "work"} in response.json()["emails"]

    member = scim.create(user("m@example.com", number="en-2"))
    group = scim.request(
        "POST",
        "/Groups",
        json={
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "displayName": "G",
            "members": [{"value": created["id"]}, {"value": member["id"]}],
        },
    ).json()
    remove = patch({"op": "Remove", "path": "members", "value": [{"value": member["id"]}]})
    response = scim.request("PATCH", f"/Groups/{group['id']}", json=remove)
    assert response.status_code == 200, response.text
    assert response.json()["members"] == [{"value": created["id"]}]
    assert "groups" not in scim.request("GET", f"/Users/{member['id']}").json()


def test_the_examples_take_over_an_imported_person_and_patch_them(scim: Scim, tmp_path: Path) -> None:
    import json

    examples = Path(__file__).resolve().parents[2] / "examples"
    import_people(scim.db, examples / "demo-org" / "people.csv", as_of=date(2026, 2, 27), now=NOW)
    before = scim.event_types()
    created = scim.create(json.loads((examples / "scim" / "create-user.json").read_text()))
    assert scim.event_types() == before  # the same person as the CSV's nw-007: nothing to record
    response = scim.request(
        "PATCH", f"/Users/{created['id']}", json=json.loads((examples / "scim" / "patch-user.json").read_text())
    )
    assert response.status_code == 200, response.text
    person = scim.person("nw-007")
    assert person is not None and (person.role, person.level, person.manager_id) == (
        "Senior Analytics Manager",
        "M2",
        "nw-005",
    )
    assert person.email == "ayse.oeztuerk@northwind.example"
    assert {"person.promoted", "person.role_changed", "person.manager_changed", "person.updated"} <= set(
        scim.event_types("nw-007")
    )
    off = json.loads((examples / "scim" / "deactivate-user.json").read_text())
    assert scim.request("PATCH", f"/Users/{created['id']}", json=off).status_code == 200
    assert scim.person("nw-007").status is PersonStatus.TERMINATED  # type: ignore[union-attr]


def test_narrowed_searches_find_exactly_what_matching_every_user_finds(scim: Scim) -> None:
    from scim2_models import Context, SearchRequest

    from kairos.api.scim.models import UserModel

    people = [
        ("ayse@example.com", "Ayşe", "Öztürk", "Lead", "okta-A"),
        ("AYSE.2@Example.COM", "AYŞE", "ÖZTÜRK", "lead", "okta-a"),
        ("kelvin@example.com", "\u212aelvin", "Straße", "Engineer", "OKTA-B"),
        ("bo@example.org", "Bo", "Strasse", "Engineer", None),
    ]
    for user_name, given, family, title, external in people:
        body = user(user_name, given=given, family=family, title=title)
        if external:
            body["externalId"] = external
        scim.create(body)
    everyone = [UserModel.model_validate(r) for r in scim.find("userName pr", count=100)["Resources"]]
    filters = [
        'name.givenName eq "ayşe"',
        'name.familyName co "ÖZT"',
        'name.givenName sw "k"',
        'name.givenName eq "kelvin"',
        'externalId eq "okta-a"',
        'externalId co "OKTA"',
        'title eq "LEAD" and emails.value ew ".com"',
        'emails.value co "EXAMPLE.COM" or name.familyName eq "strasse"',
        'userName eq "ayse.2@example.com"',
        'not (title eq "engineer") and name.familyName sw "ö"',
        'emails[type eq "work"].value co "BO@"',
        f'{ENTERPRISE}:department eq "core"',
        f'{KAIROS}:level co "ic"',
        'displayName co "ß"',
    ]
    for text_filter in filters:
        request = SearchRequest[UserModel].model_validate({"filter": text_filter}, scim_ctx=Context.SEARCH_REQUEST)
        expected = {r.id for r in everyone if request.filter.match(r)}  # type: ignore[union-attr]
        found = {r["id"] for r in scim.find(text_filter, count=100).get("Resources", [])}
        assert found == expected, text_filter


def test_a_report_whose_managers_user_was_deleted_can_still_be_updated(scim: Scim) -> None:
    boss = scim.create(user("old.boss@example.com", number="ob-1"))
    report = scim.create(user("report@example.com", number="ob-2", manager=boss["id"]))
    assert scim.request("DELETE", f"/Users/{boss['id']}").status_code == 204
    title = patch({"op": "replace", "path": "title", "value": "Senior Engineer"})
    assert scim.request("PATCH", f"/Users/{report['id']}", json=title).status_code == 200
    person = scim.person("ob-2")
    assert person is not None and person.role == "Senior Engineer" and person.manager_id == "ob-1"
    other = patch({"op": "replace", "path": f"{ENTERPRISE}:manager", "value": {"value": "still-nobody"}})
    assert_error(scim.request("PATCH", f"/Users/{report['id']}", json=other), 400, "invalidValue")


def test_invalid_response_parameters_are_refused_before_anything_is_written(scim: Scim) -> None:
    response = scim.request(
        "POST", "/Users", json=user("early@example.com", number="ea-1"), params={"attributes": "not a path!"}
    )
    assert response.status_code == 400, response.text
    assert scim.person("ea-1") is None and scim.find('userName eq "early@example.com"')["totalResults"] == 0
