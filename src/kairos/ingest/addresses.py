"""People's addresses on chat channels (CSV ``person_id,channel,address``): a Slack user id, a Teams user id, a
Matrix user id — for organizations that export them rather than letting Kairos look them up.

Documented in ``docs/formats/channel-addresses.md``. The whole file is checked before anything is stored: an unknown
person, a channel Kairos does not know, an address shaped wrongly for its channel, or one address given to two
people names its row and field, and nothing changes.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from kairos.domain.preferences import Address
from kairos.ingest.base import Problems, read_csv, read_text
from kairos.store import Database
from kairos.store import channels as channel_store
from kairos.store import people as people_store

# What an address looks like on each channel that takes one from a file.
SHAPES = {
    "slack": (re.compile(r"^[UW][A-Z0-9]{2,20}$"), "a Slack user id such as U024BE7LH"),
    "teams": (re.compile(r"^[0-9a-fA-F-]{36}$|^29:[\w.:-]{1,300}$"), "a Teams user id (29:…) or Entra object id"),
    "matrix": (
        re.compile(r"^@[a-z0-9._=/+-]+:[A-Za-z0-9.-]+(:\d{1,5})?$"),
        "a Matrix user id such as @nour:example.org",
    ),
}


def import_addresses(db: Database, path: Path | str, *, now: datetime, max_chars: int = 2000) -> int:
    """Store every address in the file, or none if any row is wrong. Returns how many rows were read."""
    file = str(path)
    problems = Problems(file)
    rows = list(read_csv(read_text(path), file, required=("person_id", "channel", "address"), max_chars=max_chars,
                         problems=problems))  # fmt: skip
    seen: dict[tuple[str, str], str] = {}
    found: list[tuple[str, Address]] = []
    with db.transaction() as conn:
        people = people_store.employed(conn)
        for row in rows:
            person_id, channel, value = (row.values[k].strip() for k in ("person_id", "channel", "address"))
            channel = channel.lower()
            if person_id not in people:
                problems.add("the id of an employed person", row=row.number, field="person_id", value=person_id)
            shape = SHAPES.get(channel)
            if shape is None:
                problems.add(f"one of the channels {', '.join(sorted(SHAPES))}", row=row.number, field="channel",
                             value=channel)  # fmt: skip
                continue
            if not shape[0].match(value):
                problems.add(shape[1], row=row.number, field="address", value=value)
                continue
            holder = seen.setdefault((channel, value), person_id)
            if holder != person_id:
                problems.add(f"each address for one person (row for {holder} has it too)", row=row.number,
                             field="address", value=value)  # fmt: skip
            found.append((person_id, Address(channel, value)))
        if not rows:
            problems.add("at least one address row")
        problems.raise_if_any()
        for person_id, address in found:
            channel_store.set_address(conn, person_id, address, "import", now)
    return len(rows)
