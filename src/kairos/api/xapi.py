"""The xAPI 1.0.3 statements resource under /xapi: learning platforms send statements, Kairos keeps them.

``POST /xapi/statements`` (one statement or a batch; answers the ids), ``PUT /xapi/statements?statementId=…``,
``GET /xapi/statements`` (one by ``statementId`` / ``voidedStatementId``, or a filtered page with a ``more``
link), and ``GET /xapi/about``. Every request but About needs HTTP Basic or a bearer token from
``KAIROS_XAPI__…`` (401 otherwise; 503 while none is set) and ``X-Experience-API-Version: 1.0.x``;
every answer carries ``X-Experience-API-Version: 1.0.3``. Invalid statements answer 400 with each
problem's JSON path; a statement id stored before with other content answers 409. Only the statements
and about resources are served: no documents (state, profiles) and no attachments.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import re
from dataclasses import replace
from datetime import datetime
from email.utils import format_datetime
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from kairos.api.deps import Services, services
from kairos.errors import InputError, Problem
from kairos.ingest.base import Problems
from kairos.ingest.xapi import (
    ParsedStatement,
    StatementConflict,
    error_path,
    expected_text,
    loads,
    parse_batch,
    parse_statement,
    record_statements,
    stamp,
)
from kairos.ingest.xapi_statement import IRI_PATTERN, UUID_PATTERN, Agent, Group, parse_timestamp
from kairos.settings import XapiSettings
from kairos.store import xapi as xapi_store

router = APIRouter(tags=["xapi"])

VERSION = "1.0.3"
MAX_BODY_BYTES = 10 * 1024 * 1024
_ACCEPTED_VERSION = re.compile(r"^1\.0(\.\d+)?$")
_LIST_PARAMETERS = ("agent", "verb", "activity", "registration", "related_activities", "related_agents", "since",
                    "until", "limit", "format", "attachments", "ascending")  # fmt: skip
_SINGLE_PARAMETERS = ("statementId", "voidedStatementId")
_FORMATS = ("exact", "ids", "canonical")


class Refused(Exception):
    """A request answered with an error; carries the response."""

    def __init__(self, response: Response) -> None:
        self.response = response


def xapi_json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    content = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    all_headers = {"X-Experience-API-Version": VERSION, **(headers or {})}
    return Response(content=content, status_code=status, media_type="application/json", headers=all_headers)


def error(
    status: int, message: str, problems: list[Problem] | None = None, headers: dict[str, str] | None = None
) -> Response:
    """An error answer: what went wrong and, for an invalid statement, each problem with its JSON path."""
    body: dict[str, Any] = {"status": status, "error": message}
    if problems is not None:
        listed = problems[: InputError.MAX_LISTED]
        body["problem_count"] = len(problems)
        body["problems"] = [{"path": p.field, "expected": p.expected, "message": str(p)} for p in listed]
    return xapi_json(body, status, headers)


def authenticate(settings: XapiSettings, authorization: str) -> str | None:
    """The name of who sent the request (the Basic user, or ``token``), or None when the credentials are wrong."""
    scheme, _, credentials = authorization.strip().partition(" ")
    credentials = credentials.strip()
    if scheme.lower() == "bearer" and settings.token is not None:
        expected = settings.token.get_secret_value().encode()
        return "token" if hmac.compare_digest(credentials.encode("utf-8", "replace"), expected) else None
    if scheme.lower() == "basic" and settings.username is not None and settings.password is not None:
        try:
            user, _, password = base64.b64decode(credentials, validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        same_user = hmac.compare_digest(user.encode(), settings.username.encode())
        same_password = hmac.compare_digest(password.encode(), settings.password.get_secret_value().encode())
        return user if same_user and same_password else None
    return None


def _guard(request: Request, settings: XapiSettings) -> dict[str, Any]:
    """Check credentials and version; the authority statements from this request are stored with."""
    if settings.token is None and settings.username is None:
        raise Refused(
            error(503, "xAPI is off: set KAIROS_XAPI__USERNAME and KAIROS_XAPI__PASSWORD, or KAIROS_XAPI__TOKEN")
        )
    principal = authenticate(settings, request.headers.get("authorization", ""))
    if principal is None:
        challenges = (['Basic realm="Kairos xAPI"'] if settings.username else []) + (
            ['Bearer realm="Kairos xAPI"'] if settings.token else []
        )
        raise Refused(error(401, "missing or wrong credentials", headers={"WWW-Authenticate": ", ".join(challenges)}))
    version = request.headers.get("x-experience-api-version")
    if version is None or not _ACCEPTED_VERSION.match(version.strip()):
        raise Refused(error(400, f"the header X-Experience-API-Version: 1.0.x is required (got {version!r})"))
    return {"objectType": "Agent", "account": {"homePage": "urn:kairos", "name": principal}}


async def _body(request: Request) -> Any:
    kind = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
    if kind.startswith("multipart/"):
        raise Refused(error(400, "attachments are not supported: send the statements as application/json"))
    if kind != "application/json":
        raise Refused(error(400, f"a JSON body (Content-Type: application/json), got {kind!r}"))
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise Refused(error(413, f"a body of at most {MAX_BODY_BYTES} bytes"))
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        raise Refused(error(413, f"a body of at most {MAX_BODY_BYTES} bytes"))
    try:
        return loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise Refused(error(400, f"the body is not JSON: {exc}")) from None


def _unexpected(request: Request, allowed: tuple[str, ...]) -> None:
    extra = sorted(set(request.query_params) - set(allowed))
    if extra:
        raise Refused(
            error(400, f"unknown parameters {', '.join(extra)}; this resource takes {', '.join(allowed) or 'none'}")
        )


def _store(svc: Services, batch: list[ParsedStatement], authority: dict[str, Any]) -> list[str]:
    try:
        with svc.db.transaction() as conn:
            return record_statements(conn, batch, authority=authority, now=svc.clock.now()).ids
    except StatementConflict as exc:
        raise Refused(
            error(409, f"statement {exc.statement_id} is already stored with different content ({exc.path})")
        ) from None


@router.get("/about")
def about() -> Response:
    return xapi_json({"version": [VERSION]})


@router.post("/statements")
async def post_statements(request: Request, svc: Services = Depends(services)) -> Response:  # noqa: B008
    try:
        authority = _guard(request, svc.settings.xapi)
        _unexpected(request, ())
        doc = await _body(request)
        return await run_in_threadpool(_post, svc, doc, authority)
    except Refused as refused:
        return refused.response


def _post(svc: Services, doc: Any, authority: dict[str, Any]) -> Response:
    problems = Problems("request body")
    batch = parse_batch(doc, problems)
    if problems:
        return error(400, "invalid statement", problems.items)
    return xapi_json(_store(svc, batch, authority))


@router.put("/statements")
async def put_statement(request: Request, svc: Services = Depends(services)) -> Response:  # noqa: B008
    try:
        authority = _guard(request, svc.settings.xapi)
        _unexpected(request, ("statementId",))
        statement_id = request.query_params.get("statementId", "")
        if not UUID_PATTERN.match(statement_id):
            return error(400, f"the parameter statementId must be a UUID (got {statement_id!r})")
        doc = await _body(request)
        return await run_in_threadpool(_put, svc, statement_id.lower(), doc, authority)
    except Refused as refused:
        return refused.response


def _put(svc: Services, statement_id: str, doc: Any, authority: dict[str, Any]) -> Response:
    problems = Problems("request body")
    if isinstance(doc, dict) and "id" in doc:
        given = doc["id"]
        if not isinstance(given, str) or given.lower() != statement_id:
            problems.add(f"the statementId of the request ({statement_id}), or no id", field="$.id", value=given)
            return error(400, "invalid statement", problems.items)
    parsed = parse_statement({**doc, "id": statement_id} if isinstance(doc, dict) else doc, problems)
    if parsed is None:
        return error(400, "invalid statement", problems.items)
    _store(svc, [parsed], authority)
    return Response(status_code=204, headers={"X-Experience-API-Version": VERSION})


@router.get("/statements")
async def get_statements(request: Request, svc: Services = Depends(services)) -> Response:  # noqa: B008
    try:
        _guard(request, svc.settings.xapi)
        return await run_in_threadpool(_answer_get, request, svc)
    except Refused as refused:
        return refused.response


def _answer_get(request: Request, svc: Services) -> Response:
    params = request.query_params
    now = svc.clock.now()
    consistent = {"X-Experience-API-Consistent-Through": stamp(now)}
    if "more" in params:
        _unexpected(request, ("more",))
        query, shape = decode_more(params["more"])
    elif any(name in params for name in _SINGLE_PARAMETERS):
        _unexpected(request, (*_SINGLE_PARAMETERS, "format", "attachments"))
        return _one(svc, params, consistent)
    else:
        _unexpected(request, _LIST_PARAMETERS)
        query, shape = _list_query(params, svc.settings.xapi.max_results)
    with svc.db.engine.connect() as conn:
        page = xapi_store.find(conn, replace(query, limit=query.limit + 1))
    more = ""
    if len(page) > query.limit:
        page = page[: query.limit]
        last = page[-1]
        more = f"{request.url.path}?more={encode_more(query, shape, (last.stored, last.seq))}"
    statements = [_shaped(s.statement, shape) for s in page]
    return xapi_json({"statements": statements, "more": more}, headers=consistent)


def _one(svc: Services, params: Any, headers: dict[str, str]) -> Response:
    if "statementId" in params and "voidedStatementId" in params:
        raise Refused(error(400, "give statementId or voidedStatementId, not both"))
    voided = "voidedStatementId" in params
    wanted = params["voidedStatementId" if voided else "statementId"]
    shape = _format(params)
    if not UUID_PATTERN.match(wanted):
        raise Refused(error(400, f"the statement id must be a UUID (got {wanted!r})"))
    with svc.db.engine.connect() as conn:
        found = xapi_store.get(conn, wanted.lower())
    if found is None or found.voided != voided:
        kind = "voided statement" if voided else "statement"
        return error(404, f"no {kind} {wanted}" + ("" if found is None else " (it is voided)" if found.voided else ""))
    return xapi_json(
        _shaped(found.statement, shape),
        headers={**headers, "Last-Modified": format_datetime(found.stored, usegmt=True)},
    )


def _format(params: Any) -> str:
    shape = params.get("format", "exact")
    if shape not in _FORMATS:
        raise Refused(error(400, f"the parameter format is one of {', '.join(_FORMATS)} (got {shape!r})"))
    if params.get("attachments", "false").lower() != "false":
        raise Refused(error(400, "attachments are not supported (attachments=false)"))
    return str(shape)


def _flag(params: Any, name: str) -> bool:
    value = params.get(name, "false").lower()
    if value not in ("true", "false"):
        raise Refused(error(400, f"the parameter {name} is true or false (got {params[name]!r})"))
    return bool(value == "true")


def _time(params: Any, name: str) -> datetime | None:
    if name not in params:
        return None
    text = params[name].strip()
    if re.match(r"^\d{4}-\d{2}-\d{2} \d", text):
        text = text.replace(" ", "T", 1)  # Python clients send str(datetime)
    try:
        return parse_timestamp(text)
    except (ValueError, OverflowError):
        raise Refused(error(400, f"the parameter {name} is an ISO 8601 timestamp (got {params[name]!r})")) from None


def _agent_key(text: str) -> str:
    problems = Problems("query")
    try:
        doc = loads(text)
    except (ValueError, RecursionError):
        doc = text
    if not isinstance(doc, dict):
        problems.add('an agent as JSON, e.g. {"mbox": "mailto:ana@example.com"}', field="agent", value=text)
        raise Refused(error(400, "invalid parameter agent", problems.items))
    model: Agent | Group
    try:
        model = Group.model_validate(doc) if doc.get("objectType") == "Group" else Agent.model_validate(doc)
    except ValidationError as exc:
        for item in exc.errors():
            value = None if item["type"] == "missing" else item.get("input")
            problems.add(expected_text(item), field=error_path("agent", item["loc"], item["type"]), value=value)
        raise Refused(error(400, "invalid parameter agent", problems.items)) from None
    key = model.key()
    if key is None:
        problems.add("an agent or an identified group (an anonymous group cannot be searched for)", field="agent")
        raise Refused(error(400, "invalid parameter agent", problems.items))
    return key


def _list_query(params: Any, max_results: int) -> tuple[xapi_store.StatementQuery, str]:
    shape = _format(params)
    limit_text = params.get("limit", "0")
    if not limit_text.isascii() or not limit_text.isdigit():
        raise Refused(error(400, f"the parameter limit is a whole number, 0 for the most (got {limit_text!r})"))
    limit = int(limit_text)
    registration = params.get("registration")
    if registration is not None and not UUID_PATTERN.match(registration):
        raise Refused(error(400, f"the parameter registration is a UUID (got {registration!r})"))
    for name in ("verb", "activity"):
        if name in params and not IRI_PATTERN.match(params[name]):
            raise Refused(error(400, f"the parameter {name} is an IRI (got {params[name]!r})"))
    query = xapi_store.StatementQuery(
        agent=_agent_key(params["agent"]) if "agent" in params else None,
        verb=params.get("verb"),
        activity=params.get("activity"),
        registration=registration.lower() if registration else None,
        related_agents=_flag(params, "related_agents"),
        related_activities=_flag(params, "related_activities"),
        since=_time(params, "since"),
        until=_time(params, "until"),
        ascending=_flag(params, "ascending"),
        limit=max_results if limit == 0 else min(limit, max_results),
    )
    return query, shape


# --- the more link: the query and where the last page ended, as an opaque token ------------------------------


def encode_more(query: xapi_store.StatementQuery, shape: str, after: tuple[datetime, int]) -> str:
    doc = {
        "agent": query.agent, "verb": query.verb, "activity": query.activity, "registration": query.registration,
        "related_agents": query.related_agents, "related_activities": query.related_activities,
        "since": query.since.isoformat() if query.since else None,
        "until": query.until.isoformat() if query.until else None,
        "ascending": query.ascending, "limit": query.limit, "format": shape,
        "after": [after[0].isoformat(), after[1]],
    }  # fmt: skip
    return base64.urlsafe_b64encode(json.dumps(doc, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_more(token: str) -> tuple[xapi_store.StatementQuery, str]:
    try:
        doc = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        stored, seq = doc["after"]
        query = xapi_store.StatementQuery(
            agent=_text(doc["agent"]), verb=_text(doc["verb"]), activity=_text(doc["activity"]),
            registration=_text(doc["registration"]), related_agents=bool(doc["related_agents"]),
            related_activities=bool(doc["related_activities"]),
            since=_aware(doc["since"]) if doc["since"] else None,
            until=_aware(doc["until"]) if doc["until"] else None,
            ascending=bool(doc["ascending"]), limit=max(1, min(int(doc["limit"]), 10_000)),
            after=(_aware(stored), int(seq)),
        )  # fmt: skip
        shape = doc["format"] if doc["format"] in _FORMATS else "exact"
    except (ValueError, TypeError, KeyError, binascii.Error, RecursionError, OverflowError):
        raise Refused(error(400, "the parameter more is a link from an earlier answer, unchanged")) from None
    return query, str(shape)


def _aware(text: Any) -> datetime:
    found = datetime.fromisoformat(text)
    if found.tzinfo is None:
        raise ValueError("a time without a zone")
    return found


def _text(value: Any) -> str | None:
    if value is not None and not isinstance(value, str):
        raise TypeError(value)
    return value


# --- answer shapes -------------------------------------------------------------------------------------------


def _shaped(statement: dict[str, Any], shape: str) -> dict[str, Any]:
    """``exact`` and ``canonical`` answer the statement as stored (with every language); ``ids`` only identifiers."""
    return _ids(statement) if shape == "ids" else statement


_IDENTIFIERS = ("objectType", "mbox", "mbox_sha1sum", "openid", "account")


def _ids(value: Any, key: str | None = None) -> Any:
    if isinstance(value, list):
        return [_ids(v, key) for v in value]
    if not isinstance(value, dict) or key in ("extensions", "result", "score", "account"):
        return value
    if key in ("actor", "authority", "instructor", "team", "member") or (
        key == "object" and value.get("objectType") in ("Agent", "Group")
    ):
        kept = {k: v for k, v in value.items() if k in _IDENTIFIERS}
        if "member" in value and not any(k in value for k in _IDENTIFIERS[1:]):
            kept["member"] = _ids(value["member"], "member")
        return kept
    if key == "verb":
        return {"id": value["id"]}
    if key in ("parent", "grouping", "category", "other") or (key == "object" and "definition" in value):
        return {k: v for k, v in value.items() if k != "definition"}
    return {k: _ids(v, k) for k, v in value.items()}
