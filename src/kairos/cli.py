"""The ``kairos`` command: init, import, plays, run, moments, demo."""

from __future__ import annotations

import contextlib
import json
import logging
import signal
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from kairos.clock import ShiftedClock, SystemClock
from kairos.errors import InputError, KairosError
from kairos.settings import Settings, load_settings
from kairos.store import Database, open_database

app = typer.Typer(
    help="Kairos: timely, framework-aligned coaching in the flow of work.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
import_app = typer.Typer(help="Import people, frameworks, goals and calendars.", no_args_is_help=True)
plays_app = typer.Typer(help="Inspect and validate the play library.", no_args_is_help=True)
audit_app = typer.Typer(help="Audits: is the data ready, is the engine fair.", no_args_is_help=True)
app.add_typer(import_app, name="import")
app.add_typer(plays_app, name="plays")
app.add_typer(audit_app, name="audit")
# Wide enough that a line a test or a script greps for is never wrapped.
out = Console(width=200) if not sys.stdout.isatty() else Console()
err = Console(stderr=True, width=200) if not sys.stderr.isatty() else Console(stderr=True)


def _settings() -> Settings:
    return load_settings()


def _database(settings: Settings, *, migrate: bool = False) -> Database:
    db = open_database(settings.effective_database_url)
    if migrate:
        db.migrate()
    else:
        db.require_schema()
    return db


def _parse_now(value: str | None) -> datetime:
    if value is None:
        return SystemClock().now()
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not an ISO 8601 time such as 2026-03-02T08:00Z") from None
    if parsed.tzinfo is None:
        raise typer.BadParameter(f"{value!r} has no time zone; add Z or an offset such as +01:00")
    return parsed.astimezone(UTC)


def _parse_date(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{option} {value!r} is not a date such as 2026-03-02") from None


NowOption = Annotated[
    str | None,
    typer.Option(
        "--now",
        help="Pretend it is this time (ISO 8601 with zone), e.g. 2026-03-02T08:00Z; "
        "for a running worker, the clock starts there and runs on",
    ),
]


@app.command()
def init() -> None:
    """Create or upgrade the database schema."""
    settings = _settings()
    db = _database(settings, migrate=True)
    out.print(f"Database ready: {db.engine.url.render_as_string(hide_password=True)}")


@import_app.command("people")
def import_people_cmd(
    file: Path,
    as_of: Annotated[
        str | None, typer.Option(help="Date the snapshot is effective (YYYY-MM-DD); default today")
    ] = None,
    allow_mass_termination: Annotated[bool, typer.Option(help="Accept a snapshot that terminates many people")] = False,
    dry_run: Annotated[bool, typer.Option(help="Show what would change, and store nothing")] = False,
    now: NowOption = None,
) -> None:
    """Import a full people snapshot (CSV or JSON); changes since the last one become HR events."""
    from rich.progress import Progress, SpinnerColumn, TimeElapsedColumn

    from kairos.ingest.people import import_people

    settings = _settings()
    moment = _parse_now(now)
    effective = date.fromisoformat(as_of) if as_of else moment.date()
    with Progress(SpinnerColumn(), *Progress.get_default_columns(), TimeElapsedColumn(), console=err,
                  transient=True) as progress:  # fmt: skip
        task = progress.add_task(f"Importing {file.name}", total=None)
        result = import_people(
            _database(settings),
            file,
            as_of=effective,
            now=moment,
            max_chars=settings.max_field_chars,
            mass_termination_share=settings.mass_termination_share,
            allow_mass_termination=allow_mass_termination,
            dry_run=dry_run,
            executive_prefixes=tuple(settings.executive_level_prefixes),
            progress=lambda done, total: progress.update(task, completed=done, total=total),
        )
    table = Table("change", "events", title=f"{file}: {result.people} people" + (" (dry run: nothing stored)"
                                                                                  if dry_run else ""))  # fmt: skip
    for kind, count in sorted(result.changes.items()):
        table.add_row(kind, str(count))
    out.print(table if result.changes else f"{file}: {result.people} people; no changes")
    if not dry_run:
        cancelled = f", {result.cancelled_moments} pending moments cancelled" if result.cancelled_moments else ""
        out.print(f"{result.events} new events{cancelled}")


@import_app.command("framework")
def import_framework_cmd(
    file: Path,
    framework_id: Annotated[str | None, typer.Option(help="CSV/CASE: the framework's id")] = None,
    framework_name: Annotated[str | None, typer.Option(help="CSV/CASE: the framework's name")] = None,
    framework_version: Annotated[str | None, typer.Option(help="CSV/CASE: the version to store")] = None,
    levels: Annotated[
        str | None, typer.Option(help="CASE: level names for items without a rubric, lowest first, comma-separated")
    ] = None,
    item_type: Annotated[
        list[str] | None, typer.Option(help="CASE: a CFItemType whose items are the competencies (repeatable)")
    ] = None,
    now: NowOption = None,
) -> None:
    """Import a competency framework version: YAML (.yaml/.yml), a spreadsheet (.csv) or 1EdTech CASE (.json)."""
    from kairos.ingest.framework import FrameworkOptions, import_framework

    settings = _settings()
    options = FrameworkOptions(
        framework_id=framework_id,
        name=framework_name,
        version=framework_version,
        default_levels=tuple(n for n in (levels or "").split(",") if n.strip()) if levels is not None else (),
        item_types=tuple(item_type or ()),
    )
    framework, new = import_framework(
        _database(settings), file, now=_parse_now(now), max_chars=settings.max_field_chars, options=options
    )
    state = "stored" if new else "already stored, unchanged"
    out.print(
        f"{file}: {framework.name} version {framework.version}, {len(framework.competencies)} competencies ({state})"
    )


framework_app = typer.Typer(help="Stored competency frameworks: list versions, compare two.", no_args_is_help=True)
app.add_typer(framework_app, name="framework")


def _framework_ref(value: str) -> tuple[str, str]:
    framework_id, at, version = value.partition("@")
    if not at or not framework_id or not version:
        raise typer.BadParameter(f"{value!r} is not ID@VERSION, e.g. northwind-leadership@2026.1")
    return framework_id, version


@framework_app.command("list")
def framework_list_cmd() -> None:
    """List stored frameworks and their versions, with when each was imported."""
    from kairos.store.frameworks import latest, versions

    with _database(_settings()).transaction() as conn:
        stored = versions(conn)
        current = latest(conn)
    if not stored:
        out.print("No frameworks stored yet: kairos import framework FILE")
        return
    table = Table("framework", "version", "name", "competencies", "imported (UTC)", "in use")
    for v in stored:
        used = "yes" if current is not None and (v.id, v.version) == (current.id, current.version) else ""
        table.add_row(v.id, v.version, v.name, str(v.competencies), f"{v.imported_at.astimezone(UTC):%Y-%m-%d %H:%M}",
                      used)  # fmt: skip
    out.print(table)


@framework_app.command("use")
def framework_use_cmd(
    framework_id: Annotated[str, typer.Argument(help="The id of a stored framework (its latest version is used)")],
    by: Annotated[str, typer.Option("--by", help="Who decides (for the record)")],
    now: NowOption = None,
) -> None:
    """Choose the framework goals, feedback, focuses and transitions are read against (default: the latest import)."""
    from kairos.store.frameworks import latest, use

    with _database(_settings()).transaction() as conn:
        chosen = latest(conn, framework_id)
        if chosen is None:
            raise InputError.at("kairos framework use", "the id of a stored framework (kairos framework list)",
                                field="framework", value=framework_id)  # fmt: skip
        use(conn, framework_id, by, _parse_now(now))
    out.print(f"Using {chosen.name} ({chosen.id}); its latest version now is {chosen.version}.")


@framework_app.command("diff")
def framework_diff_cmd(
    old: Annotated[str, typer.Argument(help="ID@VERSION, e.g. northwind-leadership@2026.1")],
    new: Annotated[str, typer.Argument(help="ID@VERSION, e.g. northwind-leadership@2026.2")],
) -> None:
    """Show what changed between two stored framework versions."""
    from kairos.domain.framework_diff import diff_frameworks
    from kairos.store.frameworks import get, versions

    refs = [_framework_ref(old), _framework_ref(new)]
    with _database(_settings()).transaction() as conn:
        found = [get(conn, fid, version) for fid, version in refs]
        for (fid, version), framework in zip(refs, found, strict=True):
            if framework is None:
                known = ", ".join(v.version for v in versions(conn, fid)) or "none"
                err.print(f"error: unknown framework version {fid}@{version}; stored versions of {fid}: {known}",
                          highlight=False, markup=False, style="red")  # fmt: skip
                raise typer.Exit(2)
    a, b = found
    assert a is not None and b is not None
    changes = diff_frameworks(a, b)
    if not changes:
        out.print(f"{old} and {new} have the same competencies, levels, anchors, benchmarks and priorities.")
        return
    table = Table("change", "where", "before", "after", title=f"{old} → {new}: {len(changes)} changes")
    for change in changes:
        table.add_row(change.kind.value, change.where, change.before or "", change.after or "")
    out.print(table)


@import_app.command("benchmarks")
def import_benchmarks_cmd(
    file: Path,
    framework: Annotated[str, typer.Option(help="The stored framework they apply to, ID@VERSION")],
    new_version: Annotated[str, typer.Option(help="The version to store the framework with these benchmarks as")],
    now: NowOption = None,
) -> None:
    """Import role benchmarks (CSV) for any stored framework; they are stored as a new version of it."""
    from kairos.ingest.benchmarks import import_benchmarks

    framework_id, _, base_version = framework.partition("@")
    if not framework_id or not base_version:
        raise typer.BadParameter(f"{framework!r} is not ID@VERSION, e.g. northwind-leadership-case@2026.1")
    settings = _settings()
    stored, new = import_benchmarks(
        _database(settings),
        file,
        framework_id=framework_id,
        base_version=base_version,
        new_version=new_version,
        now=_parse_now(now),
        max_chars=settings.max_field_chars,
    )
    state = "stored" if new else "already stored, unchanged"
    out.print(f"{file}: {len(stored.benchmarks)} benchmarks; {stored.id} version {stored.version} ({state})")


@import_app.command("goals")
def import_goals_cmd(file: Path, now: NowOption = None) -> None:
    """Import development goals from a performance review (CSV or JSON)."""
    from kairos.ingest.goals import import_goals

    settings = _settings()
    added = import_goals(_database(settings), file, now=_parse_now(now), max_chars=settings.max_field_chars)
    out.print(f"{file}: {added} new goal events")


@import_app.command("calendar")
def import_calendar_cmd(
    file: Path,
    start: Annotated[
        str | None, typer.Option("--from", help="Expand recurrences from this date (default today)")
    ] = None,
    end: Annotated[str | None, typer.Option("--to", help="…up to this date (default 8 weeks later)")] = None,
    now: NowOption = None,
) -> None:
    """Import a calendar: an iCalendar (.ics) file, or Google Calendar or Microsoft Graph events JSON.

    Recurrences are expanded, meetings classified and attendees resolved; moved and cancelled occurrences
    re-plan or cancel their pending moments.
    """
    from kairos.ingest.calendar import import_calendar_file

    settings = _settings()
    moment = _parse_now(now)
    window = _calendar_window(moment, start, end)
    kind, result = import_calendar_file(
        _database(settings), file, window=window, now=moment, default_zone=settings.default_time_zone
    )
    out.print(f"{file} ({kind}): {result.summary()}", highlight=False)


def _calendar_window(moment: datetime, start: str | None, end: str | None, days: int = 56) -> tuple[datetime, datetime]:
    from kairos.ingest.ical import default_window

    window = default_window(moment, days)
    try:
        if start:
            window = (datetime.combine(date.fromisoformat(start), datetime.min.time(), UTC), window[1])
        if end:
            window = (window[0], datetime.combine(date.fromisoformat(end), datetime.min.time(), UTC))
    except ValueError:
        raise typer.BadParameter(f"--from and --to are dates such as 2026-03-02 (got {start!r}, {end!r})") from None
    return window


@import_app.command("caldav")
def import_caldav_cmd(
    url: Annotated[
        str | None, typer.Argument(help="A CalDAV server, principal or calendar (default KAIROS_CALDAV__URL)")
    ] = None,
    user: Annotated[str | None, typer.Option("--user", help="Login name (default KAIROS_CALDAV__USERNAME)")] = None,
    password_file: Annotated[
        Path | None,
        typer.Option("--password-file", help="A file holding the password (default KAIROS_CALDAV__PASSWORD)"),
    ] = None,
    start: Annotated[
        str | None, typer.Option("--from", help="Expand recurrences from this date (default today)")
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", help="…up to this date (default KAIROS_CALDAV__DAYS later)")
    ] = None,
    now: NowOption = None,
) -> None:
    """Sync CalDAV calendars incrementally: only changed objects are downloaded; deleted events cancel moments."""
    from kairos.ingest.caldav_sync import sync_caldav

    settings = _settings()
    target = url or settings.caldav.url
    if not target:
        raise typer.BadParameter("give the CalDAV URL or set KAIROS_CALDAV__URL")
    password = settings.caldav.password.get_secret_value() if settings.caldav.password else None
    if password_file is not None:
        try:
            password = password_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise typer.BadParameter(f"cannot read the password file {password_file}: {exc.strerror}") from None
    moment = _parse_now(now)
    synced = sync_caldav(
        _database(settings),
        target,
        username=user or settings.caldav.username,
        password=password,
        window=_calendar_window(moment, start, end, settings.caldav.days),
        now=moment,
        default_zone=settings.default_time_zone,
        timeout=settings.caldav.timeout_seconds,
    )
    for collection in synced:
        how = "full listing" if collection.full else "changes only"
        out.print(
            f"{collection.name} ({how}): {collection.fetched} objects downloaded, {collection.deleted} deleted; "
            f"{collection.recorded.summary()}",
            highlight=False,
        )
        for problem in collection.problems:
            err.print(f"  not read: {problem}", highlight=False, markup=False)
    if not synced:
        out.print(f"{target}: no calendars found")


@import_app.command("email-aliases")
def import_email_aliases_cmd(file: Path, now: NowOption = None) -> None:
    """Import people's other email addresses (CSV: email,person_id) so calendar attendees resolve to them."""
    from kairos.ingest.email_aliases import import_email_aliases

    settings = _settings()
    rows = import_email_aliases(_database(settings), file, now=_parse_now(now), max_chars=settings.max_field_chars)
    out.print(f"{file}: {rows} email aliases stored")


# --- feedback and reviews (A3): 360 campaigns, reviews, check-ins, development plans ----------------------
report_app = typer.Typer(help="Reports built from stored data, anonymized.", no_args_is_help=True)
app.add_typer(report_app, name="report")


def _import_feedback(importer: Callable[..., Any], file: Path, now: str | None, noun: str) -> None:
    """Run one of the feedback importers (they share a signature) and say what it stored."""
    settings = _settings()
    result = importer(_database(settings), file, now=_parse_now(now), max_chars=settings.max_field_chars)
    out.print(f"{file}: {result.records} {noun} stored, {result.events} new events")


@import_app.command("360")
def import_360_cmd(file: Path, now: NowOption = None) -> None:
    """Import a 360 feedback campaign (CSV with a campaign header block, or JSON)."""
    from kairos.ingest.three_sixty import import_three_sixty

    _import_feedback(import_three_sixty, file, now, "responses")


@import_app.command("reviews")
def import_reviews_cmd(file: Path, now: NowOption = None) -> None:
    """Import performance reviews (CSV or JSON): ratings, summary, and goals that become development goals."""
    from kairos.ingest.reviews import import_reviews

    _import_feedback(import_reviews, file, now, "reviews")


@import_app.command("check-ins")
def import_checkins_cmd(file: Path, now: NowOption = None) -> None:
    """Import check-ins (CSV or JSON); each flagged skill gap becomes a checkin.gap_flagged event."""
    from kairos.ingest.checkins import import_checkins

    _import_feedback(import_checkins, file, now, "check-ins")


@import_app.command("plans")
def import_plans_cmd(file: Path, now: NowOption = None) -> None:
    """Import individual development plans (CSV or JSON); each person's plan in the file replaces their last."""
    from kairos.ingest.idp import import_plans

    _import_feedback(import_plans, file, now, "plans")


@report_app.command("360")
def report_360_cmd(
    campaign_id: str,
    person_id: str,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON")] = False,
) -> None:
    """A person's 360 results for one campaign, anonymized: small groups merged or withheld, raters never named."""
    from rich.markup import escape

    from kairos.store import feedback as feedback_store

    settings = _settings()
    with _database(settings).transaction() as conn:
        report = feedback_store.report(conn, campaign_id, person_id, min_raters=settings.feedback_min_raters,
                                       min_comment_raters=settings.feedback_min_comment_raters)  # fmt: skip
    if report is None:
        raise KairosError(f"no 360 responses about {person_id} in campaign {campaign_id}")
    if as_json:
        print(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
        return
    table = Table("competency", "group", "raters", f"mean ({report.scale})",
                  title=escape(f"{report.campaign_name}: 360 results for {person_id}"))  # fmt: skip
    for c in report.competencies:
        for g in c.groups:
            merged = f" ({' + '.join(g.merged)})" if g.merged else ""
            table.add_row(escape(c.competency_id), g.group + merged, str(g.raters), f"{g.mean:.2f}")
        for group in c.withheld:
            table.add_row(escape(c.competency_id), group, f"fewer than {report.min_raters}", "withheld")
    out.print(table)
    if report.comments:
        out.print("Comments (unattributed, sorted):")
    for text in [f"{c.competency_id or 'general'}: {c.text}" for c in report.comments]:
        out.print(f"  - {text}", markup=False, highlight=False)
    out.print("Rules applied:")
    for rule in report.rules:
        where = f" [{rule.competency_id}]" if rule.competency_id else ""
        out.print(f"  {rule.rule}{where}: {rule.detail}", markup=False, highlight=False)


@report_app.command("priorities")
def report_priorities_cmd(
    as_of: Annotated[str | None, typer.Option("--as-of", help="Count evidence up to this date (YYYY-MM-DD)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON")] = False,
) -> None:
    """Skill-gap closure on the priority behaviors, per career stage; small groups withheld."""
    from kairos.measure.priority_report import priority_report

    settings = _settings()
    day = _parse_date(as_of, "--as-of") if as_of else date.today()
    report = priority_report(_database(settings), as_of=day, min_group=settings.min_group_size,
                             min_raters=settings.feedback_min_raters)  # fmt: skip
    if report is None:
        raise KairosError("the latest framework names no priority behaviors (see docs/formats/framework.md)")
    if as_json:
        print(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
        return

    def shown(n: int | None) -> str:
        return "withheld" if n is None else str(n)

    title = f"Priority behaviors of {report.framework}: gap closure within 6 months, as of {day}"
    table = Table("stage", "priority", "people", "with evidence", "meeting it now", "had a gap", "closed ≥ 1 level",
                  "still open", "pending", "closure rate", title=title)  # fmt: skip
    for r in report.rows:
        rate = "withheld" if r.with_evidence is None else ("—" if r.rate is None else f"{r.rate:.0%}")
        table.add_row(r.stage, f"{r.priority.competency_id} level {r.priority.level}", shown(r.people),
                      shown(r.with_evidence), shown(r.meeting_now), shown(r.with_gap), shown(r.closed),
                      shown(r.still_open), shown(r.pending), rate)  # fmt: skip
    out.print(table)
    out.print(f"Counts between 1 and {report.min_group - 1} are withheld, and so is a rate over fewer people; "
              f"{report.unstaged} active people have a job level in no career stage.")  # fmt: skip


@plays_app.command("validate")
def plays_validate() -> None:
    """Check every play file: valid plays run; invalid ones are listed with the reason."""
    from kairos.compose.templates import load_templates
    from kairos.plays.library import load_plays
    from kairos.resources import content_dir

    root = content_dir(_settings().content_dir)
    library = load_plays(root / "plays", set(load_templates(root / "templates")))
    table = Table("play", "version", "trigger", "status")
    for item in library:
        status = "valid" if item.valid else "invalid: " + "; ".join(str(p) for p in item.problems)
        play = item.play
        table.add_row(item.name, str(play.version) if play else "—", play.trigger.event.value if play else "—", status)
    out.print(table)
    if not all(item.valid for item in library):
        raise typer.Exit(1)


@plays_app.command("schema")
def plays_schema() -> None:
    """Print the play file format as JSON Schema."""
    from kairos.plays.schema import json_schema

    print(json.dumps(json_schema(), indent=2))


@app.command()
def run(
    once: Annotated[bool, typer.Option(help="Run one tick and exit")] = False,
    now: NowOption = None,
    interval: Annotated[float, typer.Option(help="Seconds between ticks")] = 30.0,
) -> None:
    """Run the worker: plan moments from new events and deliver the due ones."""
    from kairos.worker.runtime import build_runtime
    from kairos.worker.tick import run_forever, tick

    settings = _settings()
    rt = build_runtime(settings, _database(settings))
    for item in rt.library:
        if not item.valid:
            err.print(
                f"warning: play {item.name} is invalid and will not run: " + "; ".join(str(p) for p in item.problems),
                markup=False,
                highlight=False,
            )
    try:
        if once:
            report = tick(rt, _parse_now(now))
            finished = ", ".join(f"{n} {r}" for r, n in sorted(report.finished.items())) or "nothing due"
            out.print(
                f"planned {report.events_planned} events into {report.moments_created} moments; "
                f"finished: {finished}; deferred {report.deferred}"
            )
            return
        clock = ShiftedClock(_parse_now(now)) if now else SystemClock()
        stopping = []
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
        out.print("Kairos worker running; Ctrl-C to stop.")
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is how a person stops it
            run_forever(rt, clock, interval, lambda: bool(stopping))
    finally:
        for channel in rt.channels.values():
            channel.close()


@audit_app.command("data")
def audit_data_cmd(
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON")] = False,
    now: NowOption = None,
) -> None:
    """Data readiness: for every source, is it structured, current and accessible, and what is missing."""
    from kairos.ingest.readiness import audit_data

    settings = _settings()
    report = audit_data(_database(settings), _parse_now(now))
    if as_json:
        print(json.dumps(report.as_dict(), indent=2))
        return
    table = Table("source", "present", "structured", "current (12 months)", "accessible", "records", "gaps",
                  title="Data readiness")  # fmt: skip
    mark = {True: "yes", False: "no", None: "—"}
    for s in report.sources:
        table.add_row(s.source, mark[s.present], mark[s.structured], mark[s.current], s.accessible, str(s.records),
                      "; ".join(s.gaps) or "none")  # fmt: skip
    out.print(table)
    gaps = sum(len(source.gaps) for source in report.sources)
    if report.ready:
        out.print(f"Ready for go-live: people, framework, goals and calendars are present and current ({gaps} gaps).")
    else:
        out.print("Not ready: people, framework, goals and calendars must be present and updated within 12 months.")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on (default KAIROS_API__HOST)")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default KAIROS_API__PORT)")] = None,
) -> None:
    """Run the HTTP service: SCIM provisioning, HRIS webhooks, health."""
    import uvicorn

    from kairos.api.app import create_app
    from kairos.api.logs import log_config

    settings = _settings()
    application = create_app(settings, _database(settings))
    uvicorn.run(application, host=host or settings.api.host, port=port or settings.api.port, log_level="info",
                log_config=log_config())  # fmt: skip


@app.command()
def moments(
    person: Annotated[str | None, typer.Option(help="Only moments for this recipient id")] = None,
    limit: Annotated[int, typer.Option(help="How many, newest first")] = 20,
    trace: Annotated[bool, typer.Option(help="Show each moment's full trace")] = False,
) -> None:
    """List moments with their stop reason (why each fired or did not)."""
    from kairos.store.queries import recent_moments

    settings = _settings()
    rows = recent_moments(_database(settings), person, limit)
    table = Table("id", "play/action", "recipient", "due (UTC)", "status", "why it ended")
    for r in rows:
        last = r.trace[-1]["detail"] if r.trace else ""
        table.add_row(
            str(r.id),
            f"{r.play_id}/{r.action}",
            r.recipient_id or "—",
            f"{r.due_at:%Y-%m-%d %H:%M}" if r.due_at else "—",
            r.stop_reason or r.status,
            last,
        )
    out.print(table)
    if trace:
        for r in rows:
            out.print(f"[bold]moment {r.id}[/bold]")
            for step in r.trace:
                out.print(f"  {step['path']:<24} {step['outcome']:<6} {step['detail']}")


@app.command()
def demo(
    data_dir: Annotated[Path, typer.Option(help="Where the demo database and mail go (emptied first)")] = Path(
        "./kairos-demo"
    ),
) -> None:
    """Build a fresh demo organization, run two simulated weeks and show what was sent, when and why."""
    from kairos.demo.runner import run_demo

    run_demo(data_dir, out)


def _register_agreements() -> None:
    from kairos.cli_agreements import commitments_app, focus_app, observe

    app.add_typer(focus_app, name="focus")
    app.add_typer(commitments_app, name="commitments")
    app.command("observe")(observe)


_register_agreements()


def _register_styles() -> None:
    from kairos.cli_styles import import_assessments_cmd, style_app

    import_app.command("assessments")(import_assessments_cmd)
    app.add_typer(style_app, name="style")


_register_styles()


def _register_learning() -> None:
    from kairos.cli_learning import import_catalog_cmd, import_xapi_cmd

    import_app.command("catalog")(import_catalog_cmd)
    import_app.command("xapi")(import_xapi_cmd)


_register_learning()


def _register_decide() -> None:
    from kairos.cli_decide import policy_app, respond, review_app

    app.command("respond")(respond)
    app.add_typer(review_app, name="review")
    app.add_typer(policy_app, name="policy")


_register_decide()


def _register_plays() -> None:
    from kairos.cli_plays import explain_cmd, rehearse_cmd, trace_cmd

    app.command("trace")(trace_cmd)
    plays_app.command("explain")(explain_cmd)
    plays_app.command("test")(rehearse_cmd)


_register_plays()


def _register_channels() -> None:
    from kairos.cli_channels import (
        channels_app,
        deliveries_app,
        import_addresses_cmd,
        inbox_app,
        mail_in,
        preferences_app,
    )

    import_app.command("addresses")(import_addresses_cmd)
    app.add_typer(channels_app, name="channels")
    app.add_typer(preferences_app, name="preferences")
    app.add_typer(deliveries_app, name="deliveries")
    app.add_typer(inbox_app, name="inbox")
    app.command("mail-in")(mail_in)


_register_channels()


# --- calibration exercises (C1, E3): example behaviors, managers' placements, an anonymized report ----------
calibration_app = typer.Typer(
    help="Calibration exercises: managers place example behaviors on the framework's levels.", no_args_is_help=True
)
app.add_typer(calibration_app, name="calibration")


@calibration_app.command("create")
def calibration_create_cmd(file: Path, now: NowOption = None) -> None:
    """Store a calibration exercise (YAML): example behaviors with their key, on a stored framework version."""
    from kairos.ingest.calibration import create_exercise

    settings = _settings()
    exercise, state = create_exercise(
        _database(settings), file, now=_parse_now(now), max_chars=settings.max_field_chars
    )
    out.print(f"{file}: exercise {exercise.id}, {len(exercise.examples)} examples on {exercise.framework_id} "
              f"{exercise.framework_version} ({state})", markup=False, highlight=False)  # fmt: skip


@calibration_app.command("import")
def calibration_import_cmd(file: Path, now: NowOption = None) -> None:
    """Import managers' placements (CSV or JSON); a manager who placed every example records calibration.completed."""
    from kairos.ingest.calibration import import_placements

    settings = _settings()
    result = import_placements(_database(settings), file, now=_parse_now(now), max_chars=settings.max_field_chars)
    out.print(f"{file}: {result.records} placements stored, {result.events} new events")


def _percent(share: float) -> str:
    return f"{share * 100:.0f}%"


@calibration_app.command("report")
def calibration_report_cmd(
    exercise_id: str,
    manager: Annotated[
        str | None, typer.Option("--manager", help="A manager's own view: their placements against the key")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON")] = False,
) -> None:
    """The calibration report: the key and its anchors per example, and managers' placements only as groups."""
    from kairos.domain.calibration import Agreement
    from kairos.store import calibration as calibration_store

    settings = _settings()
    with _database(settings).transaction() as conn:
        report = calibration_store.report(conn, exercise_id, min_group_size=settings.min_group_size,
                                          manager_id=manager)  # fmt: skip
    if report is None:
        raise KairosError(f"no calibration exercise {exercise_id} (store it with kairos calibration create FILE)")
    if as_json:
        print(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
        return

    def say(text: str = "") -> None:
        out.print(text, markup=False, highlight=False)

    def agreement(a: Agreement) -> str:
        return (f"{_percent(a.exact_share)} on the key, {_percent(a.within_one_share)} within one level; "
                f"spread {a.spread:.2f}, mean offset {a.mean_offset:+.2f} ({a.managers} managers)")  # fmt: skip

    say(f"{report.exercise_name} ({report.exercise_id}) on {report.framework_id} {report.framework_version}")
    say(f"Managers taking part: {report.managers_taking_part}, completed: {report.managers_completed}. "
        f"Groups of fewer than {report.min_group_size} managers are withheld.")  # fmt: skip
    own = {p.example_id: p for p in report.own.placements} if report.own else {}
    for e in report.examples:
        say()
        say(f"{e.example_id} · {e.competency_name} · key: level {e.key_level} {e.key_name}")
        say(f"  {e.behavior}")
        say(f"  {report.framework_id} {report.framework_version}, {e.competency_name}, level {e.key_level}:")
        for anchor in e.key_anchors:
            say(f"    - {anchor}")
        if e.rationale:
            say(f"  Why: {e.rationale}")
        if e.shown and e.agreement:
            say("  Placed: " + "   ".join(f"level {level}: {count}" for level, count in e.distribution))
            say(f"  Agreement: {agreement(e.agreement)}")
        else:
            say(f"  Placed: {e.withheld}")
        if e.wide_disagreement:
            say("  Flag: wide disagreement; the anchors may read two ways")
        if e.off_key:
            say("  Flag: most managers chose one level other than the key")
        if report.own is not None:
            mine = own.get(e.example_id)
            offset = "" if mine is None or not mine.offset else f" ({mine.offset:+d} from the key)"
            say(f"  You: {'not placed yet' if mine is None else f'level {mine.level}{offset}'}")
    say()
    table = Table("competency", "examples shown", "on the key", "within one", "spread", "mean offset",
                  title="Agreement per competency (shown examples only)")  # fmt: skip
    for c in report.competencies:
        if c.agreement is None:
            table.add_row(c.competency_id, "0", c.withheld or "", "", "", "")
            continue
        a = c.agreement
        table.add_row(c.competency_id, str(len(c.examples_shown)), _percent(a.exact_share),
                      _percent(a.within_one_share), f"{a.spread:.2f}", f"{a.mean_offset:+.2f}")  # fmt: skip
    out.print(table)
    say(f"Overall: {agreement(report.overall) if report.overall else report.overall_withheld}")
    if report.flagged:
        say(f"Examples with wide disagreement: {', '.join(report.flagged)}")
    if report.own is not None:
        o = report.own
        rest = "" if o.completed else f"; not placed yet: {', '.join(o.unplaced)}"
        say(f"Your placements ({o.manager_id}): {len(o.placements)} of {len(report.examples)}, {o.exact} on the key, "
            f"{o.within_one} within one level{rest}")  # fmt: skip
    say("Rules applied:")
    for rule in report.rules:
        where = f" [{rule.example_id or rule.competency_id}]" if rule.example_id or rule.competency_id else ""
        say(f"  {rule.rule}{where}: {rule.detail}")


def main() -> None:
    try:
        app()
    except KairosError as exc:
        err.print(f"error: {exc}", highlight=False, markup=False, style="red")
        sys.exit(2)


if __name__ == "__main__":
    main()
