"""HRIS webhook payloads: one module per vendor shape, each a pure parser to whole person states.

The HTTP side (signatures, idempotency, recording) is ``kairos.api.webhooks``; the format is
documented in ``docs/formats/hris-webhooks.md``. Recording goes through
``org_sync.sync_people``, the same path the people file and SCIM take.
"""

from __future__ import annotations

from types import ModuleType

from kairos.ingest.hris import bamboohr, generic, workday
from kairos.ingest.hris.base import VENDORS, Delivery, StoredLookup, nobody, read_json, source

# Each module has VENDOR, NAME, delivery_id(doc, body) -> str and
# parse(body, *, stored, received, max_chars) -> Delivery.

PARSERS: dict[str, ModuleType] = {m.VENDOR: m for m in (generic, bamboohr, workday)}

__all__ = ["PARSERS", "VENDORS", "Delivery", "StoredLookup", "nobody", "read_json", "source"]
