"""``kairos trace``, ``kairos plays explain`` and ``kairos plays test``: why a moment fired or not, and rehearsals.

A rehearsal runs a play set over example data in a temporary SQLite database with a simulated clock.
The real engine plans, decides and composes; the only channel is a rehearsal sink that keeps nothing and
sends nothing, so the weekly cap, cooldowns and quiet hours apply exactly as they would.
"""

from __future__ import annotations

import shutil
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from types import ModuleType
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer

from kairos.deliver.base import Address, Channel, Receipt, ReceiptStatus
from kairos.domain.nudge import Nudge
from kairos.errors import InputError

TRACE_HELP = "The moment id (from kairos moments or kairos plays explain)"


def _cli() -> ModuleType:
    from kairos import cli

    return cli


def _say(text: str = "") -> None:
    _cli().out.print(text, markup=False, highlight=False, soft_wrap=True)


def _local(at: datetime | None, zone_name: str | None) -> str:
    if at is None:
        return "—"
    zone = ZoneInfo(zone_name) if zone_name else UTC
    return f"{at.astimezone(zone):%a %d %b %H:%M} {zone_name or 'UTC'}"


def _outcome(row: Any) -> str:
    if row.stop_reason == "delivered":
        return "fired"
    if row.stop_reason:
        return f"skipped: {row.stop_reason}"
    return str(row.status)  # planned or claimed: not due yet, or running


def trace_cmd(moment_id: Annotated[int, typer.Argument(help=TRACE_HELP)]) -> None:
    """Show one moment's trace: each step of its play, what it saw, and how the moment ended."""
    from kairos.store import explain

    cli = _cli()
    db = cli._database(cli._settings())
    with db.transaction() as conn:
        row = explain.moment(conn, moment_id)
    if row is None:
        raise InputError.at("kairos trace", "the id of a stored moment", field="MOMENT_ID", value=moment_id)
    _say(f"moment {row.id}: {row.play_id} v{row.play_version}, action {row.action}")
    _say(f"  event      {row.event_type} {row.event_id} at {row.event_time:%Y-%m-%d %H:%M} UTC (seq {row.event_seq})")
    _say(f"  for        {row.recipient_id or 'nobody'} ({row.audience}), about {row.subject_id or '—'}")
    _say(f"  due        {_local(row.due_at, row.time_zone)}; expires {_local(row.expires_at, row.time_zone)}")
    _say(f"  priority   {row.priority}; {'exempt from' if row.cap_exempt else 'counts against'} the weekly cap")
    if row.nudge_subject:
        _say(f"  nudge      “{row.nudge_subject}” (delivery {row.delivery_status or 'not started'})")
    _say(f"  outcome    {_outcome(row)}")
    _say("trace:")
    for step in row.trace:
        _say(f"  {step['path']:<26} {step['outcome']:<8} {step['detail']}")


def explain_cmd(
    person: Annotated[str, typer.Argument(help="The person's id")],
    day: Annotated[str, typer.Option("--date", help="The day, in the person's own time zone (YYYY-MM-DD)")],
) -> None:
    """Every moment about or for a person due that local day: fired or skipped, and why."""
    from kairos.plays.timing import local_wall_time
    from kairos.store import explain
    from kairos.store import people as people_store

    cli = _cli()
    wanted = cli._parse_date(day, "--date")
    db = cli._database(cli._settings())
    with db.transaction() as conn:
        who = people_store.get_any(conn, person)
        if who is None:
            raise InputError.at("kairos plays explain", "the id of a known person", field="PERSON", value=person)
        zone = ZoneInfo(who.time_zone)
        start, end = local_wall_time(wanted, time(0), zone), local_wall_time(wanted + timedelta(days=1), time(0), zone)
        rows = explain.day_of(conn, person, start, end)
    _say(f"{who.name} ({who.id}) on {wanted:%a %d %b %Y} in {zone.key}: {len(rows)} moment(s)")
    for row in rows:
        role = "for" if row.recipient_id == person else "about"
        other = f"about {row.subject_id}" if role == "for" else f"for {row.recipient_id or 'nobody'}"
        when = _local(row.due_at, row.time_zone or who.time_zone) if row.due_at else "no due time"
        _say(f"- [{row.id}] {_outcome(row)}: {row.play_id}/{row.action} ({role} {person}, {other}), {when}")
        if row.nudge_subject:
            _say(f"    “{row.nudge_subject}”")
        if row.trace:
            _say(f"    why: {_why(row.trace, row.stop_reason)}")
    if rows:
        _say("Run `kairos trace MOMENT_ID` for every step of one moment.")


def _why(trace: list[dict[str, Any]], stop_reason: str | None) -> str:
    """The trace in one line: the step that stopped the moment, or when it was due and what the policy chose."""
    if stop_reason and stop_reason != "delivered":
        return str(trace[-1]["detail"])
    parts = [s["detail"] for s in trace if s["path"].endswith("/timing") or s["path"] == "decide"]
    parts += [s["detail"] for s in trace if s["path"] == "rules/quiet_hours"]
    return "; ".join(parts) or trace[-1]["detail"]


class RehearsalChannel(Channel):
    """Accepts every nudge and sends it nowhere: a rehearsal must not reach anyone."""

    name = "rehearsal"
    resend_is_safe = True

    def __init__(self) -> None:
        self.accepted = 0

    def reaches(self, person: Any, address: Address | None) -> bool:
        return True

    def send(
        self, nudge: Nudge, address: Address | None, idempotency_key: str, mark_in_flight: Callable[[], None]
    ) -> Receipt:
        mark_in_flight()
        self.accepted += 1
        return Receipt(ReceiptStatus.DELIVERED, provider_id=f"rehearsal/{idempotency_key}", detail="not sent")


@dataclass(frozen=True)
class _DataFile:
    name: str
    import_: Callable[[Any, Path, datetime, date, tuple[datetime, datetime]], Any]


def _files() -> tuple[_DataFile, ...]:
    """The example files a rehearsal reads, in the order their data depends on each other."""
    from kairos.ingest.checkins import import_checkins
    from kairos.ingest.framework import import_framework
    from kairos.ingest.goals import import_goals
    from kairos.ingest.ical import import_calendar
    from kairos.ingest.idp import import_plans
    from kairos.ingest.people import import_people
    from kairos.ingest.reviews import import_reviews

    return (
        _DataFile("people.csv", lambda db, p, now, day, w: import_people(db, p, as_of=day, now=now)),
        _DataFile("framework.yaml", lambda db, p, now, day, w: import_framework(db, p, now=now)),
        _DataFile("goals.csv", lambda db, p, now, day, w: import_goals(db, p, now=now)),
        _DataFile("calendar.ics", lambda db, p, now, day, w: import_calendar(db, p, window=w, now=now)),
        _DataFile("reviews.csv", lambda db, p, now, day, w: import_reviews(db, p, now=now)),
        _DataFile("check-ins.csv", lambda db, p, now, day, w: import_checkins(db, p, now=now)),
        _DataFile("plans.csv", lambda db, p, now, day, w: import_plans(db, p, now=now)),
    )


@contextmanager
def _rehearsal_content(plays_dir: Path, templates_dir: Path) -> Iterator[Path]:
    """A temporary content folder holding the play set under test and the templates it uses."""
    with tempfile.TemporaryDirectory(prefix="kairos-rehearsal-") as folder:
        root = Path(folder)
        shutil.copytree(plays_dir, root / "content" / "plays")
        shutil.copytree(templates_dir, root / "content" / "templates")
        yield root


def rehearse_cmd(
    plays_dir: Annotated[Path, typer.Argument(help="A folder of play files (e.g. content/plays)")],
    data: Annotated[
        Path,
        typer.Option(
            "--data",
            help="Example data: people.csv, framework.yaml, goals.csv, "
            "calendar.ics (and reviews.csv, check-ins.csv, plans.csv if present)",
        ),
    ],
    start_day: Annotated[str, typer.Option("--from", help="First day simulated (YYYY-MM-DD, from 00:00 UTC)")],
    end_day: Annotated[str, typer.Option("--to", help="Last day simulated (YYYY-MM-DD, until 24:00 UTC)")],
    templates: Annotated[Path | None, typer.Option(help="Templates folder (default: the configured content)")] = None,
    show_all: Annotated[bool, typer.Option("--all", help="Also list moments stopped before they had a due time")] = (
        False
    ),
) -> None:
    """Dry-run a play set over example data with a simulated clock: what would fire, when and why. Sends nothing."""
    from kairos.resources import content_dir
    from kairos.store import open_database

    cli = _cli()
    first, last = cli._parse_date(start_day, "--from"), cli._parse_date(end_day, "--to")
    if last < first:
        raise typer.BadParameter(f"--to {last} is before --from {first}")
    for folder, what in ((plays_dir, "PLAYS_DIR"), (data, "--data")):
        if not folder.is_dir():
            raise InputError.at(str(folder), "a folder", field=what)
    if not (data / "people.csv").is_file():
        raise InputError.at(str(data / "people.csv"), "a people.csv in the --data folder", field="--data")
    settings = cli._settings()
    templates_dir = templates or content_dir(settings.content_dir) / "templates"
    with _rehearsal_content(plays_dir, templates_dir) as root:
        db = open_database(f"sqlite:///{root / 'rehearsal.db'}")
        try:
            db.migrate()
            rehearsal = settings.model_copy(
                update={"data_dir": root, "database_url": f"sqlite:///{root / 'rehearsal.db'}",
                        "content_dir": root / "content"}
            )  # fmt: skip
            _rehearse(db, rehearsal, data, first, last, show_all)
        finally:
            db.dispose()


def _rehearse(db: Any, settings: Any, data: Path, first: date, last: date, show_all: bool) -> None:
    from kairos.store import explain
    from kairos.worker.runtime import build_runtime

    start = datetime.combine(first, time(0), tzinfo=UTC)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=UTC)
    imported = []
    for item in _files():
        path = data / item.name
        if path.is_file():
            item.import_(db, path, start, first, (start, end))
            imported.append(item.name)
    channel = RehearsalChannel()
    only = settings.delivery.model_copy(update={"channels": ["rehearsal"]})
    rehearsing = settings.model_copy(update={"delivery": only})
    rt = build_runtime(rehearsing, db, channels={"rehearsal": channel})
    invalid = [loaded for loaded in rt.library if not loaded.valid]
    _say(f"Rehearsal of {len(rt.plays)} valid play(s) over {data} ({', '.join(imported)}), "
         f"{first:%a %d %b %Y} to {last:%a %d %b %Y}. Nothing is sent.")  # fmt: skip
    for loaded in invalid:
        _say(f"  invalid, not rehearsed: {loaded.name}: " + "; ".join(str(p) for p in loaded.problems))
    _simulate(rt, start, end)
    with db.transaction() as conn:
        rows = [r for r in explain.every_moment(conn) if _in_window(r, start, end)]
    _report(rows, show_all)


def _simulate(rt: Any, start: datetime, end: datetime) -> None:
    """Tick at every due moment and at least daily (so the stall detector looks every day), until ``end``."""
    from kairos.store import moments as moment_store
    from kairos.worker.tick import tick

    now = start
    while now < end:
        tick(rt, now)
        with rt.db.transaction() as conn:
            upcoming = moment_store.next_due(conn)
        daily = datetime.combine(now.date() + timedelta(days=1), time(0), tzinfo=UTC)
        now = max(min(upcoming, daily) if upcoming else daily, now + timedelta(seconds=1))


def _in_window(row: Any, start: datetime, end: datetime) -> bool:
    at = row.finished_at if row.stop_reason == "delivered" else row.due_at
    return at is None or start <= at < end


def _report(rows: list[Any], show_all: bool) -> None:
    fired = sorted((r for r in rows if r.stop_reason == "delivered"), key=lambda r: (r.finished_at, r.id))
    skipped = [r for r in rows if r.stop_reason not in (None, "delivered")]
    pending = [r for r in rows if r.stop_reason is None]
    _say()
    _say(f"Would send {len(fired)}:")
    for row in fired:
        about = f" (about {row.subject_id})" if row.subject_id and row.subject_id != row.recipient_id else ""
        _say(f"- {_local(row.finished_at, row.time_zone)}  {row.play_id}/{row.action} → {row.recipient_id}{about}")
        _say(f"    “{row.nudge_subject}”")
        _say(f"    why: {_why(row.trace, row.stop_reason)}")
    listed = [r for r in skipped if show_all or r.due_at is not None]
    _say()
    _say(f"Skipped {len(skipped)}" + (f" ({len(skipped) - len(listed)} before a due time; --all lists them)" if
                                       len(listed) < len(skipped) else "") + ":")  # fmt: skip
    for row in sorted(listed, key=lambda r: (r.due_at or r.created_at, r.id)):
        when = _local(row.due_at, row.time_zone) if row.due_at else "no due time"
        _say(f"- {when}  {row.play_id}/{row.action} → {row.recipient_id or 'nobody'}: {row.stop_reason}: "
             f"{row.trace[-1]['detail'] if row.trace else ''}")  # fmt: skip
    if pending:
        _say(f"Still waiting at the end: {len(pending)} (due after the rehearsal window or deferred).")
    counts = Counter(r.stop_reason or "pending" for r in rows)
    _say()
    _say(
        "By outcome: " + ", ".join(f"{n} {'would be sent' if k == 'delivered' else k}" for k, n in counts.most_common())
    )
