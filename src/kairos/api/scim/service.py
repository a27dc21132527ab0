"""SCIM operations on Kairos's database: validate, map, record the person change, store the resource.

Every write is one database transaction. A User write checks the request (scim2-models), maps the
User to a person (``mapping``), checks the manager and uniqueness, records the person change with
``org_sync.sync_people_in`` **on the same connection**, then writes the SCIM row. Any refusal, from
the first check to the last write, rolls back all of it: no person without its resource, no resource
without its person.

Writes are serialized: one at a time per process (a lock), and on PostgreSQL one at a time across
processes too (a transaction-scoped advisory lock), because the person diff reads the organization
around the person and must not interleave with another diff.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC
from functools import cache
from typing import Any, Union

from pydantic import ValidationError
from pydantic_core import from_json
from scim2_models import (
    Context,
    Error,
    InvalidSyntaxException,
    InvalidValueException,
    ListResponse,
    NotFoundException,
    PatchOp,
    PreconditionFailedException,
    Resource,
    ResponseParameters,
    SCIMException,
    ScimProvider,
    SearchRequest,
    UniquenessException,
)
from sqlalchemy import Connection, text
from sqlalchemy.exc import IntegrityError

from kairos.api.deps import Services
from kairos.api.scim import mapping
from kairos.api.scim.filters import Texts, comparison_key, indexed_condition, text_condition
from kairos.api.scim.models import ENTERPRISE_SCHEMA, GroupModel, UserModel, build_provider
from kairos.domain.person import Person, PersonStatus
from kairos.errors import InputError
from kairos.ingest.org_sync import MassChangeGuard, sync_people_in
from kairos.store import people as people_store
from kairos.store import scim as scim_store
from kairos.store.scim import ScimRow

MODELS: dict[str, type[Resource[Any]]] = {"User": UserModel, "Group": GroupModel}
ENDPOINTS = {"User": "Users", "Group": "Groups"}
SOURCE = "kairos/scim"
_KEY_LIMIT = 512  # the indexed columns of scim_resources
_ADVISORY_KEY = 0x6B616972_6F730001  # "kairos" + 1: SCIM writes, across processes (PostgreSQL)
_WRITES = threading.Lock()


@dataclass(frozen=True, slots=True)
class Call:
    """Where a request came in: its method and path (named in recorded events) and the SCIM root URL."""

    method: str
    path: str
    base_url: str


@cache
def provider(max_results: int) -> ScimProvider:
    return build_provider(max_results)


def etag(version: int) -> str:
    return f'W/"{version}"'


def matches(header: str, version: str) -> bool:
    """Does an If-Match / If-None-Match header name this version? Compared weakly, as SCIM versions are weak."""
    tags = [t.strip() for t in header.split(",") if t.strip()]
    mine = version.removeprefix("W/")
    return any(t == "*" or t.removeprefix("W/") == mine for t in tags)


def of(generic: Any, model: Any) -> Any:
    """``generic[model]`` for a model known at run time only (a type checker reads an index as a type)."""
    return generic[model]


def validation_error(exc: ValidationError) -> SCIMException:
    return SCIMException.from_error(Error.from_validation_errors(exc)[0])


class ScimService:
    """The SCIM operations for one request: the app's settings, database and clock, and the request's call."""

    def __init__(self, svc: Services, call: Call) -> None:
        self.db = svc.db
        self.settings = svc.settings
        self.clock = svc.clock
        self.call = call
        self.max_results = svc.settings.scim.max_results
        self.provider = provider(self.max_results)

    # -- reading -------------------------------------------------------------------------------------

    def location(self, kind: str, resource_id: str) -> str:
        return f"{self.call.base_url}/{ENDPOINTS[kind]}/{resource_id}"

    def _resources(self, conn: Connection, rows: Sequence[ScimRow]) -> list[Resource[Any]]:
        """Rows as resources: meta filled in, and each User's read-only ``groups`` from the membership table."""
        groups = scim_store.groups_of(conn, [r.id for r in rows if r.resource_type == "User"])
        found = []
        for row in rows:
            data: dict[str, Any] = {
                **row.data,
                "id": row.id,
                "meta": {
                    "resourceType": row.resource_type,
                    "created": row.created,
                    "lastModified": row.last_modified,
                    "version": etag(row.version),
                    "location": self.location(row.resource_type, row.id),
                },
            }
            if row.id in groups:
                data["groups"] = [
                    {"value": gid, "$ref": self.location("Group", gid), "display": name, "type": "direct"}
                    for gid, name in groups[row.id]
                ]
            found.append(MODELS[row.resource_type].model_validate(data))
        return found

    def get(self, kind: str, resource_id: str) -> Resource[Any]:
        with self.db.transaction() as conn:
            return self._resources(conn, [self._row(conn, kind, resource_id)])[0]

    def _row(self, conn: Connection, kind: str, resource_id: str, *, for_update: bool = False) -> ScimRow:
        row = scim_store.get(conn, kind, resource_id, for_update=for_update)
        if row is None:
            raise NotFoundException(detail=f"{kind} {resource_id!r} not found")
        return row

    def response_parameters(self, kind: str, query: dict[str, str]) -> ResponseParameters[Any]:
        wanted = {k: query[k] for k in ("attributes", "excludedattributes") if k in query}
        params = {"attributes" if k == "attributes" else "excludedAttributes": v for k, v in wanted.items()}
        try:
            return of(ResponseParameters, MODELS[kind]).model_validate(params)  # type: ignore[no-any-return]
        except ValidationError as exc:
            raise validation_error(exc) from None

    def search(self, kinds: Sequence[str], params: dict[str, Any]) -> dict[str, Any]:
        """A ListResponse body: ``params`` are the search's parameters (query string or /.search body)."""
        models = tuple(MODELS[k] for k in kinds)
        model: Any = models[0] if len(models) == 1 else Union[models]  # noqa: UP007 - a runtime union
        with self.provider:
            try:
                request = of(SearchRequest, model).model_validate(params, scim_ctx=Context.SEARCH_REQUEST)
            except ValidationError as exc:
                raise validation_error(exc) from None
            count = self.max_results if request.count is None else min(request.count, self.max_results)
            start = request.start_index or 1
            with self.db.transaction() as conn:
                if request.filter is None and request.sort_by is None:
                    total = scim_store.count(conn, kinds)
                    rows = scim_store.page(conn, kinds, offset=start - 1, limit=count) if count else []
                    found = self._resources(conn, rows)
                else:
                    rows = scim_store.page(conn, kinds, indexed_condition(request.filter))
                    texts = text_condition(request.filter)
                    if texts is not None:
                        rows = [r for r in rows if texts(Texts(r.data))]
                    candidates = self._resources(conn, rows)
                    matched = [r for r in candidates if request.filter is None or request.filter.match(r)]
                    matched = request.sort(matched)
                    total = len(matched)
                    found = matched[start - 1 : start - 1 + count]
            dumped = [
                r.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE, response_parameters=request) for r in found
            ]
            # The envelope is validated without the resources, already dumped: validating them again
            # would double the cost of a page.
            listed = of(ListResponse, model)(total_results=total, items_per_page=len(dumped), start_index=start)
            body: dict[str, Any] = listed.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
            if dumped:
                body["Resources"] = dumped
            return body

    # -- writing -------------------------------------------------------------------------------------

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        try:
            with _WRITES, self.db.transaction() as conn:
                if conn.dialect.name == "postgresql":
                    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_KEY})
                yield conn
        except IntegrityError as exc:
            # Uniqueness is checked before writing; a unique index can still refuse a write racing another
            # process (SQLite without the advisory lock PostgreSQL takes).
            if getattr(exc.orig, "sqlstate", None) != "23505" and "UNIQUE" not in str(exc.orig):
                raise
            raise UniquenessException(detail="a userName or person id another request has just taken") from None

    def _read(self, kind: str, body: bytes, context: Context) -> Resource[Any]:
        try:
            return MODELS[kind].model_validate_json(body, scim_ctx=context)
        except ValidationError as exc:
            raise validation_error(exc) from None

    def _read_patch(self, kind: str, body: bytes) -> PatchOp[Any]:
        try:
            payload = from_json(body)
        except ValueError as exc:
            raise InvalidSyntaxException(detail=f"the body is not JSON: {exc}") from None
        _tolerate_entra(payload)
        try:
            return of(PatchOp, MODELS[kind]).model_validate(payload, scim_ctx=Context.RESOURCE_PATCH_REQUEST)  # type: ignore[no-any-return]
        except ValidationError as exc:
            raise validation_error(exc) from None

    def create(self, kind: str, body: bytes) -> Resource[Any]:
        with self.provider:
            resource = self._read(kind, body, Context.RESOURCE_CREATION_REQUEST)
            with self._writing() as conn:
                now = self.clock.now()
                resource.id = uuid.uuid4().hex
                resource.meta = None
                person_id = None
                if kind == "User":
                    person_id = self._provision(conn, resource, None)
                else:
                    self._check_members(conn, resource)
                row = ScimRow(resource.id, kind, person_id, self._data(resource), 1, now, now)
                scim_store.insert_row(conn, row, self._columns(kind, resource))
                if kind == "Group":
                    scim_store.set_members(conn, row.id, _member_ids(resource))
                return self._resources(conn, [row])[0]

    def replace(self, kind: str, resource_id: str, body: bytes, if_match: str | None) -> Resource[Any]:
        with self.provider:
            replacement = self._read(kind, body, Context.RESOURCE_REPLACEMENT_REQUEST)
            with self._writing() as conn:
                row = self._row(conn, kind, resource_id, for_update=True)
                _check_if_match(row, if_match)
                current = self._resources(conn, [row])[0]
                if not replacement.replace(current):
                    return current
                return self._update(conn, row, replacement)

    def patch(self, kind: str, resource_id: str, body: bytes, if_match: str | None) -> Resource[Any]:
        with self.provider, self._writing() as conn:
            row = self._row(conn, kind, resource_id, for_update=True)
            _check_if_match(row, if_match)
            operations = self._read_patch(kind, body)
            resource = self._resources(conn, [row])[0]
            if not operations.patch(resource):
                return resource
            return self._update(conn, row, resource)

    def delete(self, kind: str, resource_id: str, if_match: str | None) -> None:
        with self.provider, self._writing() as conn:
            row = self._row(conn, kind, resource_id, for_update=True)
            _check_if_match(row, if_match)
            if row.person_id is not None:
                stored = people_store.get_any(conn, row.person_id)
                if stored is not None:
                    self._record(conn, mapping.terminated(stored), stored)
            for group_id in scim_store.groups_containing(conn, row.id):
                self._drop_member(conn, group_id, row.id)
            scim_store.delete_row(conn, row.id)

    def _update(self, conn: Connection, row: ScimRow, resource: Resource[Any]) -> Resource[Any]:
        if row.resource_type == "User":
            self._provision(conn, resource, row)
        else:
            self._check_members(conn, resource)
        now = self.clock.now()
        new = ScimRow(row.id, row.resource_type, row.person_id, self._data(resource), row.version + 1, row.created, now)
        if not scim_store.update_row(conn, new, self._columns(row.resource_type, resource), row.version):
            raise PreconditionFailedException(detail=f"{row.resource_type} {row.id!r} changed meanwhile; retry")
        if row.resource_type == "Group":
            scim_store.set_members(conn, row.id, _member_ids(resource))
        return self._resources(conn, [new])[0]

    def _data(self, resource: Resource[Any]) -> dict[str, Any]:
        """What is stored: the resource as the client gave it, without what the server owns or must not keep."""
        data = resource.model_dump(scim_ctx=Context.DEFAULT)
        for owned in ("id", "meta", "groups", "password"):  # Kairos has no use for passwords: never stored
            data.pop(owned, None)
        return data

    def _columns(self, kind: str, resource: Resource[Any]) -> dict[str, Any]:
        user_name = getattr(resource, "user_name", None) if kind == "User" else None
        display = getattr(resource, "display_name", None)
        columns = {
            "user_name_key": comparison_key(user_name) if user_name else None,
            "external_id": resource.external_id,
            "display_key": comparison_key(display) if display else None,
        }
        names = {"user_name_key": "userName", "external_id": "externalId", "display_key": "displayName"}
        for column, value in columns.items():
            if value is not None and len(value) > _KEY_LIMIT:
                raise mapping.invalid(names[column], f"at most {_KEY_LIMIT} characters", value)
        return columns

    # -- Users and people ----------------------------------------------------------------------------

    def _provision(self, conn: Connection, user: Any, row: ScimRow | None) -> str:
        """Check a User and record the change of its person; return the person id."""
        key = comparison_key(user.user_name or "")
        taken = scim_store.id_with_user_name(conn, key)
        if taken is not None and taken != user.id:
            raise UniquenessException(detail=f"'userName': {user.user_name!r} is already used by User {taken}")
        if row is None:
            person_id, attribute = mapping.new_person_id(user, user.id)
            mapping.check_person_id(person_id, attribute)
            other = scim_store.id_for_person(conn, person_id)
            if other is not None:
                raise UniquenessException(
                    detail=f"'{attribute}': person {person_id!r} is already provisioned by User {other}"
                )
        else:
            assert row.person_id is not None
            person_id = row.person_id
        stored = people_store.get_any(conn, person_id)
        before = _manager_value(row.data) if row is not None else None
        manager_id = self._manager(conn, user, person_id, before, stored)
        person = mapping.to_person(
            user,
            person_id=person_id,
            manager_id=manager_id,
            default_time_zone=self.settings.default_time_zone,
            stored=stored,
        )
        new_email = stored is None or stored.email.lower() != person.email.lower()
        if person.email and new_email and person.status is not PersonStatus.TERMINATED:
            holder = scim_store.employed_with_email(conn, person.email, person_id)
            if holder is not None:
                raise UniquenessException(detail=f"'emails': {person.email!r} is the email of person {holder!r}")
        self._record(conn, person, stored)
        return person_id

    def _manager(
        self, conn: Connection, user: Any, person_id: str, before: str | None, stored: Person | None
    ) -> str | None:
        """The manager's person id: manager.value is a SCIM User id, or already a person id.

        A value the resource already had that no longer resolves (the manager's User was deleted)
        keeps the manager Kairos has: the report's other changes are not refused for it.
        """
        value = mapping.manager_value(user)
        if value is None:
            return None
        manager_id = scim_store.person_for_user(conn, value)
        if manager_id is None and people_store.get_any(conn, value) is not None:
            manager_id = value
        if manager_id is None and value == before and stored is not None:
            return stored.manager_id
        if manager_id is None:
            raise mapping.invalid(mapping.MANAGER, "the id of a SCIM User or of a person Kairos knows", value)
        node: str | None = manager_id
        seen: set[str] = set()
        while node is not None and node not in seen:
            if node == person_id:
                raise mapping.invalid(mapping.MANAGER, "a manager who does not report to this person", value)
            seen.add(node)
            above = people_store.get_any(conn, node)
            node = above.manager_id if above is not None else None
        return manager_id

    def _record(self, conn: Connection, person: Person, stored: Person | None) -> None:
        """Record a person change through the one path every HR source takes, inside this transaction."""
        if person == stored:
            return
        gone = (PersonStatus.TERMINATED,)
        if person.status in gone and (stored is None or stored.status in gone):
            return  # never employed here, or already gone: nothing to record
        now = self.clock.now().astimezone(UTC)
        try:
            sync_people_in(
                conn,
                [person],
                source=SOURCE,
                input_name=f"SCIM {self.call.method} {self.call.path}",
                full=False,
                as_of=now.date(),
                now=now,
                guard=MassChangeGuard(self.settings.mass_termination_share),
                executive_prefixes=tuple(self.settings.executive_level_prefixes),
            )
        except InputError as exc:
            fields = [p.field for p in exc.problems if p.field]
            named = f"'{fields[0]}': " if fields else ""
            raise InvalidValueException(detail=f"{named}{exc}") from None

    # -- Groups --------------------------------------------------------------------------------------

    def _check_members(self, conn: Connection, group: Any) -> None:
        ids = _member_ids(group)
        if any(not (m.value or "").strip() for m in group.members or []):
            raise mapping.invalid("members", "a value (the id of a User or Group) in every member")
        if group.id in ids:
            raise mapping.invalid("members", "members other than the group itself", group.id)
        known = scim_store.types_of(conn, ids)
        missing = [i for i in ids if i not in known]
        if missing:
            raise mapping.invalid("members", "the ids of existing Users or Groups", missing[0])

    def _drop_member(self, conn: Connection, group_id: str, member_id: str) -> None:
        row = self._row(conn, "Group", group_id, for_update=True)
        members = [m for m in row.data.get("members") or [] if m.get("value") != member_id]
        data = {**row.data, "members": members} if members else {k: v for k, v in row.data.items() if k != "members"}
        new = ScimRow(row.id, row.resource_type, None, data, row.version + 1, row.created, self.clock.now())
        scim_store.update_row(conn, new, {}, row.version)
        scim_store.set_members(conn, row.id, [m["value"] for m in members if m.get("value")])


def _manager_value(data: dict[str, Any]) -> str | None:
    manager = (data.get(ENTERPRISE_SCHEMA) or {}).get("manager") or {}
    value = manager.get("value") if isinstance(manager, dict) else None
    if value is None:
        return None
    return str(value).strip() or None


def _member_ids(group: Any) -> list[str]:
    return [m.value for m in group.members or [] if m.value]


def _check_if_match(row: ScimRow, if_match: str | None) -> None:
    if if_match and not matches(if_match, etag(row.version)):
        raise PreconditionFailedException(
            detail=f"{row.resource_type} {row.id!r} is at version {etag(row.version)}, not {if_match}"
        )


def _tolerate_entra(payload: Any) -> None:
    """Microsoft Entra sends the enterprise manager as a bare id in PATCH; SCIM wants {"value": id}."""
    if not isinstance(payload, dict):
        return
    for operation in payload.get("Operations") or []:
        if not isinstance(operation, dict):
            continue
        path = str(operation.get("path") or "").lower()
        if path.endswith("enterprise:2.0:user:manager") and isinstance(operation.get("value"), str):
            operation["value"] = {"value": operation["value"]}
