"""HRIS webhooks: ``POST /webhooks/hris/{vendor}`` for ``generic``, ``bamboohr`` and ``workday``.

Each request goes through, in order:

1. **Configured?** A vendor without a secret (``KAIROS_WEBHOOKS__<VENDOR>_SECRET``) answers 503.
2. **Signed?** HMAC-SHA256 of the raw body with the vendor's secret, compared in constant time.
   A missing or wrong signature, or a timestamp more than 5 minutes from the app clock, answers
   401 and is recorded as a ``webhook.rejected`` event: reason, vendor, remote address, body
   size, never the body (untrusted personal data).
3. **Seen?** The delivery id (the sender's, or the SHA-256 of the body) is looked up among the
   ``webhook.received`` events: a redelivery answers 200 ``{"status": "duplicate"}`` and changes
   nothing.
4. **Valid?** The vendor's parser (``kairos.ingest.hris``) builds whole person states; problems
   answer 400 with each problem's payload path (and are recorded as ``webhook.rejected``).
5. **Applied.** ``org_sync.sync_people`` records the changes (the one way people changes are
   recorded), then ``webhook.received`` is recorded with the delivery id as its event id.

Why sync first and record the delivery after: ``sync_people`` commits its own transaction, so
the two cannot share one. Recording ``webhook.received`` first would lose the change if the
process died before the sync (the sender's retry would be answered "duplicate"). Syncing first
is safe because the sync is idempotent: its events are content-addressed and a state already
stored diffs to nothing, so if the process dies between the two commits, the retry syncs to no
change and then records the delivery. Two copies racing past step 3 insert the same events and
the same ``webhook.received`` once each (``(source, id)`` is unique); the later one answers
"duplicate".
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from kairos.api.deps import Services, services
from kairos.domain.event import Event, EventType
from kairos.domain.person import Person
from kairos.errors import InputError
from kairos.ingest.hris import PARSERS, read_json, source
from kairos.ingest.hris.base import MAX_BODY_BYTES
from kairos.ingest.org_sync import MassChangeGuard, sync_people
from kairos.settings import Settings
from kairos.store import events as event_log
from kairos.store import people as people_store
from kairos.store.schema import events

router = APIRouter(tags=["webhooks"])

# A signed timestamp further than this from the app clock is refused: a captured request cannot be replayed later.
TOLERANCE = timedelta(minutes=5)
SIGNATURE_HEADER = {
    "generic": "X-Kairos-Signature",
    "bamboohr": "X-BambooHR-Signature",
    "workday": "X-Workday-Signature",
}
TIMESTAMP_HEADER = {"generic": "X-Kairos-Timestamp", "bamboohr": "X-BambooHR-Timestamp"}
# How many problems a 400 (and the rejection event) lists.
MAX_LISTED_PROBLEMS = 50


def secret_for(settings: Settings, vendor: str) -> bytes | None:
    value = getattr(settings.webhooks, f"{vendor}_secret", None)
    text = value.get_secret_value() if value is not None else ""
    return text.encode() if text else None


def sign(vendor: str, secret: bytes, body: bytes, timestamp: str = "") -> str:
    """The signature header value a sender computes (``generic``: ``sha256=<hex>``; the others: ``<hex>``)."""
    if vendor == "generic":
        return "sha256=" + hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    if vendor == "bamboohr":  # BambooHR signs the raw body followed by the X-BambooHR-Timestamp value
        return hmac.new(secret, body + timestamp.encode(), hashlib.sha256).hexdigest()
    return hmac.new(secret, body, hashlib.sha256).hexdigest()


def parse_timestamp(text: str) -> datetime | None:
    """Unix seconds (``1767225600``) or ISO 8601 with a zone (``2026-01-31T18:42:00+0000``)."""
    text = text.strip()
    if text.isascii() and text.isdigit() and len(text) <= 12:
        try:
            return datetime.fromtimestamp(int(text), UTC)
        except (OverflowError, OSError, ValueError):
            return None
    try:
        found = datetime.fromisoformat(text)
    except ValueError:
        return None
    return found if found.tzinfo is not None else None


def verify(vendor: str, secret: bytes, body: bytes, headers: Mapping[str, str], now: datetime) -> str | None:
    """None when the request is signed by ``secret`` and fresh, else why not."""
    header = SIGNATURE_HEADER[vendor]
    given = headers.get(header.lower(), "").strip()
    if not given:
        return f"missing signature ({header})"
    timestamp = ""
    if vendor in TIMESTAMP_HEADER:
        timestamp = headers.get(TIMESTAMP_HEADER[vendor].lower(), "").strip()
        if not timestamp:
            return f"missing timestamp ({TIMESTAMP_HEADER[vendor]})"
    if vendor == "generic" and not given.lower().startswith("sha256="):
        return f"malformed signature ({header}: sha256=<hex>)"
    if vendor == "workday" and given.lower().startswith("sha256="):
        given = given[len("sha256=") :]  # a bare hex digest, or sha256=<hex>
    expected = sign(vendor, secret, body, timestamp)
    if not hmac.compare_digest(expected.lower().encode(), given.lower().encode("utf-8", "replace")):
        return "bad signature"
    if vendor in TIMESTAMP_HEADER:
        when = parse_timestamp(timestamp)
        if when is None:
            return f"unreadable timestamp ({TIMESTAMP_HEADER[vendor]})"
        if abs(now - when) > TOLERANCE:
            return "stale timestamp (more than 5 minutes from the server clock)"
    return None


@router.post("/hris/{vendor}")
async def receive(vendor: str, request: Request, svc: Services = Depends(services)) -> JSONResponse:  # noqa: B008
    if vendor not in PARSERS:
        return JSONResponse(
            {"status": "unknown", "detail": f"no HRIS webhook named {vendor!r}; one of {', '.join(PARSERS)}"},
            status_code=404,
        )
    secret = secret_for(svc.settings, vendor)
    if secret is None:
        variable = f"KAIROS_WEBHOOKS__{vendor.upper()}_SECRET"
        return JSONResponse(
            {"status": "not_configured", "detail": f"the {vendor} webhook is not configured: set {variable}"},
            status_code=503,
        )
    remote = request.client.host if request.client else None
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        return await run_in_threadpool(_too_large, svc, vendor, int(declared), remote)
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        return await run_in_threadpool(_too_large, svc, vendor, len(body), remote)
    headers = {k.lower(): v for k, v in request.headers.items()}
    return await run_in_threadpool(_handle, svc, vendor, secret, body, headers, remote)


def _too_large(svc: Services, vendor: str, size: int, remote: str | None) -> JSONResponse:
    reason = f"body larger than {MAX_BODY_BYTES} bytes"
    _reject(svc, vendor, b"", reason, remote, size=size)
    return JSONResponse({"status": "rejected", "detail": reason}, status_code=413)


def _handle(
    svc: Services, vendor: str, secret: bytes, body: bytes, headers: dict[str, str], remote: str | None
) -> JSONResponse:
    now = svc.clock.now()
    reason = verify(vendor, secret, body, headers, now)
    if reason is not None:
        _reject(svc, vendor, body, reason, remote, now=now)
        return JSONResponse({"status": "rejected", "detail": reason}, status_code=401)
    parser = PARSERS[vendor]
    settings = svc.settings
    reason = "invalid payload"
    try:
        delivery_id = parser.delivery_id(read_json(body, parser.NAME), body)
        if _already_received(svc, vendor, delivery_id):
            return JSONResponse({"status": "duplicate", "vendor": vendor, "delivery_id": delivery_id})
        delivery = _parse(svc, parser, body, now)
        reason = "refused change"  # the sync refuses only a mass termination
        result = sync_people(
            svc.db,
            delivery.people,
            source=source(vendor),
            input_name=f"webhook {vendor} {delivery.id}",
            full=False,
            as_of=delivery.effective,
            now=now,
            guard=MassChangeGuard(settings.mass_termination_share, False),
            executive_prefixes=tuple(settings.executive_level_prefixes),
        )
    except InputError as exc:
        listed = exc.problems[:MAX_LISTED_PROBLEMS]
        _reject(
            svc,
            vendor,
            body,
            reason,
            remote,
            now=now,
            problems=[{"field": (p.field or "")[:200] or None, "expected": p.expected} for p in listed],
        )
        problems = [{"field": p.field, "expected": p.expected, "message": str(p)} for p in listed]
        return JSONResponse(
            {"status": "invalid", "problem_count": len(exc.problems), "problems": problems}, status_code=400
        )
    received = Event(
        id=delivery.id,
        source=source(vendor),
        type=EventType.WEBHOOK_RECEIVED,
        subject=None,
        time=now,
        data={
            "vendor": vendor,
            "delivery_id": delivery.id,
            "effective": delivery.effective.isoformat(),
            "people": result.people,
            "events": result.events,
            "changes": dict(sorted(result.changes.items())),
            "body_sha256": hashlib.sha256(body).hexdigest(),
            "body_bytes": len(body),
            "remote_address": remote,
        },
    )
    with svc.db.transaction() as conn:
        first = event_log.append(conn, [received], now) == 1
    return JSONResponse(
        {
            "status": "applied" if first else "duplicate",
            "vendor": vendor,
            "delivery_id": delivery.id,
            "effective": delivery.effective.isoformat(),
            "people": result.people,
            "events": result.events,
            "changes": dict(sorted(result.changes.items())),
            "cancelled_moments": result.cancelled_moments,
        }
    )


def _parse(svc: Services, parser: Any, body: bytes, now: datetime) -> Any:
    """Parse with the stored organization at hand (read once per person asked about)."""
    with svc.db.engine.connect() as conn:
        seen: dict[str, Person | None] = {}

        def stored(pid: str) -> Person | None:
            if pid not in seen:
                seen[pid] = people_store.get_any(conn, pid)
            return seen[pid]

        return parser.parse(body, stored=stored, received=now.date(), max_chars=svc.settings.max_field_chars)


def _already_received(svc: Services, vendor: str, delivery_id: str) -> bool:
    query = select(events.c.seq).where(
        events.c.source == source(vendor), events.c.id == delivery_id, events.c.type == EventType.WEBHOOK_RECEIVED.value
    )
    with svc.db.engine.connect() as conn:
        return conn.execute(query.limit(1)).first() is not None


def _reject(
    svc: Services,
    vendor: str,
    body: bytes,
    reason: str,
    remote: str | None,
    *,
    now: datetime | None = None,
    size: int | None = None,
    problems: list[dict[str, Any]] | None = None,
) -> None:
    """Record a refused delivery: why, from where and how big, never what it said."""
    now = now or svc.clock.now()
    digest = hashlib.sha256(body + b"\x00" + reason.encode() + b"\x00" + now.isoformat().encode()).hexdigest()
    data: dict[str, Any] = {
        "reason": reason,
        "vendor": vendor,
        "remote_address": remote,
        "body_bytes": len(body) if size is None else size,
    }
    if problems is not None:
        data["problems"] = problems
    event = Event(id=digest, source=source(vendor), type=EventType.WEBHOOK_REJECTED, subject=None, time=now, data=data)
    with svc.db.transaction() as conn:
        event_log.append(conn, [event], now)
