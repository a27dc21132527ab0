"""People's other email addresses (CSV ``email,person_id``), so calendar attendees using them resolve to the person.

Documented in ``docs/formats/calendar.md``. The people file keeps one address per person; an alias file adds the
rest (an old domain, a calendar-only address) without touching the organization's snapshot.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from kairos.ingest.base import Problems, read_csv, read_text
from kairos.store import Database
from kairos.store import email_aliases as alias_store
from kairos.store import people as people_store


def import_email_aliases(db: Database, path: Path | str, *, now: datetime, max_chars: int = 2000) -> int:
    """Store every alias in the file, or none of them if any row is wrong. Returns how many rows were read."""
    file = str(path)
    problems = Problems(file)
    rows = list(read_csv(read_text(path), file, required=("email", "person_id"), max_chars=max_chars,
                         problems=problems))  # fmt: skip
    with db.transaction() as conn:
        people = people_store.employed(conn)
        primary = {p.email.lower(): p.id for p in people.values()}
        aliases: dict[str, str] = {}
        for row in rows:
            email, person_id = row.values["email"].lower(), row.values["person_id"]
            if "@" not in email or len(email) > 320 or any(c.isspace() for c in email):
                problems.add("an email address", row=row.number, field="email", value=row.values["email"])
            elif primary.get(email, person_id) != person_id:
                problems.add("an address that is not another person's email", row=row.number, field="email",
                             value=email)  # fmt: skip
            elif aliases.get(email, person_id) != person_id:
                problems.add("each alias once, for one person", row=row.number, field="email", value=email)
            if person_id not in people:
                problems.add("the id of an employed person", row=row.number, field="person_id", value=person_id)
            aliases.setdefault(email, person_id)
        if not rows:
            problems.add("at least one alias row")
        problems.raise_if_any()
        alias_store.save(conn, aliases, now)
    return len(rows)
