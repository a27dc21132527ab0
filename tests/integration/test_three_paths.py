"""The same organization change through each HR path — a people snapshot, SCIM and a signed webhook —
ends in the same stored people and the same events."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from kairos.api.app import create_app
from kairos.api.webhooks import sign
from kairos.clock import FrozenClock
from kairos.ingest.people import import_people
from kairos.settings import load_settings
from kairos.store import Database, open_database
from kairos.store import people as people_store
from kairos.store.schema import events
from tests.factories import people_csv

BEFORE, CHANGED = date(2026, 3, 2), date(2026, 3, 9)
NOW = datetime(2026, 3, 9, 9, 0, tzinfo=UTC)
ROW = "{id},{name},{id}@example.com,{manager},{role},{level},{team},Berlin,Europe/Berlin,2022-01-10"
START = [
    dict(id="boss", name="Bea Boss", manager="", role="Director", level="M2", team="Core"),
    dict(id="lead", name="Lee Lead", manager="boss", role="Team Lead", level="M1", team="Core"),
    dict(id="dev", name="Dee Dev", manager="boss", role="Engineer", level="IC2", team="Core"),
]
# The change: dev is promoted and moves under lead (lead's first report, which makes boss a manager of
# managers); a new engineer is hired under lead.
AFTER = [
    START[0],
    START[1],
    dict(id="dev", name="Dee Dev", manager="lead", role="Senior Engineer", level="IC3", team="Core"),
    dict(id="new", name="Nia New", manager="lead", role="Engineer", level="IC1", team="Core"),
]


@pytest.fixture
def databases(database_url: str, another_database_url: Callable[[], str]) -> Iterator[list[Database]]:
    """Three empty databases on the test's backend, one per path."""
    dbs = [open_database(url) for url in (database_url, another_database_url(), another_database_url())]
    for db in dbs:
        db.migrate()
    yield dbs
    for db in dbs:
        db.dispose()


def _csv(path: Path, people: list[dict[str, str]]) -> Path:
    return people_csv(path, [ROW.format(**p) for p in people])


def _app(db: Database) -> TestClient:
    url = db.engine.url.render_as_string(hide_password=False)
    settings = load_settings(database_url=url, scim={"token": "t"}, webhooks={"generic_secret": "s"})
    return TestClient(create_app(settings, db, clock=FrozenClock(NOW)))


def _scim_user(p: dict[str, str]) -> dict[str, object]:
    given, family = p["name"].split()
    return {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User",
                    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
                    "urn:kairos:params:scim:schemas:extension:kairos:2.0:User"],
        "userName": f"{p['id']}@example.com",
        "displayName": p["name"],
        "name": {"givenName": given, "familyName": family},
        "title": p["role"],
        "timezone": "Europe/Berlin",
        "emails": [{"value": f"{p['id']}@example.com", "type": "work", "primary": True}],
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
            "employeeNumber": p["id"], "department": p["team"], "manager": {"value": p["manager"]},
        },
        "urn:kairos:params:scim:schemas:extension:kairos:2.0:User": {
            "level": p["level"], "location": "Berlin", "startDate": "2022-01-10",
        },
    }  # fmt: skip


def _recorded(db: Database) -> tuple[dict[str, object], Counter[tuple[str, str | None]]]:
    with db.transaction() as conn:
        people = {pid: p for pid, p in people_store.employed(conn).items()}
        found = Counter(
            (r.type, r.subject)
            for r in conn.execute(select(events.c.type, events.c.subject))
            if r.type not in {"person.imported", "webhook.received"}
        )
    return people, found


def test_a_snapshot_scim_and_a_webhook_land_the_same_people_and_events(
    databases: list[Database], tmp_path: Path
) -> None:
    by_csv, by_scim, by_webhook = databases
    for db in databases:
        import_people(db, _csv(tmp_path / "start.csv", START), as_of=BEFORE, now=NOW)

    import_people(by_csv, _csv(tmp_path / "after.csv", AFTER), as_of=CHANGED, now=NOW)

    scim = _app(by_scim)
    for person in AFTER[2:]:
        response = scim.post("/scim/v2/Users", json=_scim_user(person), headers={"Authorization": "Bearer t"})
        assert response.status_code == 201, response.text

    body = json.dumps({
        "id": "delivery-1", "effective": CHANGED.isoformat(),
        "people": [{"id": p["id"], "name": p["name"], "email": f"{p['id']}@example.com",
                    "manager_id": p["manager"], "role": p["role"], "level": p["level"], "team": p["team"],
                    "location": "Berlin", "time_zone": "Europe/Berlin", "start_date": "2022-01-10"}
                   for p in AFTER[2:]],
    }).encode()  # fmt: skip
    stamp = str(int(NOW.timestamp()))
    headers = {"X-Kairos-Timestamp": stamp, "X-Kairos-Signature": sign("generic", b"s", body, stamp),
               "Content-Type": "application/json"}  # fmt: skip
    response = _app(by_webhook).post("/webhooks/hris/generic", content=body, headers=headers)
    assert response.status_code == 200, response.text

    csv_people, csv_events = _recorded(by_csv)
    assert csv_events == Counter({
        ("person.promoted", "dev"): 1, ("person.role_changed", "dev"): 1, ("person.manager_changed", "dev"): 1,
        ("manager.report_left", "boss"): 1, ("manager.report_joined", "lead"): 1, ("person.hired", "new"): 1,
        ("person.first_direct_report", "lead"): 1, ("person.first_manager_of_managers", "boss"): 1,
    })  # fmt: skip
    for other in (by_scim, by_webhook):
        people, found = _recorded(other)
        assert people == csv_people
        assert found == csv_events
