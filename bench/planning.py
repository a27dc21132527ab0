"""``python -m bench.planning``: plan 10,000 people's four weeks of meetings; re-plan after 1 % of them change.

Issue 7. On the embedded SQLite default (``open_database``: WAL, synchronous=NORMAL), one database file:

1. Setup: ``bench/generate.py``'s organization (``--people``), its people, ``examples/demo-org/framework.yaml``
   and goals for ~70 % of people (``measure.prepare_org``, as the tick scenario).
2. A busy calendar (``generate.write_calendar(per_person=…, weeks=…)``): the weekly 1:1s and team meetings,
   daily stand-ups, recurring cross-team groups and peer 1:1s, and each week's one-off meetings, about
   ``--per-person`` meetings a person a week, imported through ``kairos.ingest.ical.import_calendar`` for the
   window of ``--weeks`` weeks from Monday 2 March 2026.
3. ``kairos.worker.plan.plan(runtime, now)`` with ``build_runtime(load_settings(…), db)``: planning only,
   nothing is claimed or delivered.
4. The floor, in the same run: raw ``sqlite3.executemany`` of the very rows Kairos wrote (the moments planning
   stored; the meetings, attendances and events the import stored) into tables of the same shape (their
   ``CREATE TABLE``/``CREATE INDEX`` copied from the Kairos file), one transaction, WAL, synchronous=NORMAL.
5. ``--change`` (1 %) of the occurrences change: ``generate.change_calendar`` edits the .ics (moves by a new
   DTSTART or a RECURRENCE-ID override, cancels by STATUS:CANCELLED, a cancelled override or an EXDATE), the
   edited file is imported again (``meeting_sync.record`` finds the changes; pending moments of cancelled
   occurrences are cancelled in the same transaction) and ``plan`` runs again (moved occurrences re-plan their
   moments in place).

Each step runs in its own ``spawn`` subprocess (``measure.run_isolated``), so each peak RSS (``VmHWM``) is the
step's own. Figures swing with whatever else runs on the cores; the load average is printed with them.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import generate, measure

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
FRAMEWORK = ROOT / "examples" / "demo-org" / "framework.yaml"

IMPORTED_AT = datetime(2026, 2, 27, 12, tzinfo=UTC)  # the Friday before the first week
PLAN_AT = datetime(2026, 2, 27, 12, 5, tzinfo=UTC)
CHANGED_AT = datetime(2026, 2, 27, 17, tzinfo=UTC)  # the edited calendar's DTSTAMP
REPLAN_AT = datetime(2026, 2, 27, 17, 5, tzinfo=UTC)


def _say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _db_mb(db_path: str) -> float:
    path = Path(db_path)
    return round(sum(p.stat().st_size for p in path.parent.glob(path.name + "*")) / 1e6, 1)


# --------------------------------------------------------------------------- children (spawned subprocesses)


def import_calendar_child(ics_path: str, db_path: str, weeks: int, now: str) -> dict[str, Any]:
    """``import_calendar`` of the file for the window; ``parse_calendar`` and ``record`` are timed inside it."""
    from sqlalchemy import func, select

    from kairos.ingest import ical
    from kairos.store import open_database
    from kairos.store.schema import meeting_attendees, meetings

    timers = {"parse": 0.0, "record": 0.0}

    def timed(name: str, real: Any) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            t = time.perf_counter()
            try:
                return real(*args, **kwargs)
            finally:
                timers[name] += time.perf_counter() - t

        return call

    real_parse, real_record = ical.parse_calendar, ical.record
    ical.parse_calendar, ical.record = timed("parse", real_parse), timed("record", real_record)  # type: ignore[assignment]
    db = open_database(f"sqlite:///{db_path}")
    try:
        before = measure._rss_mb()
        start = time.perf_counter()
        result = ical.import_calendar(
            db, ics_path, window=generate.calendar_window(weeks), now=datetime.fromisoformat(now)
        )
        seconds = time.perf_counter() - start
        peak = measure._peak(before)
    finally:
        ical.parse_calendar, ical.record = real_parse, real_record  # type: ignore[assignment]
    with db.transaction() as conn:
        kinds = {k: n for k, n in conn.execute(select(meetings.c.kind, func.count()).group_by(meetings.c.kind))}
        attendances = conn.execute(select(func.count()).select_from(meeting_attendees)).scalar_one()
        mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
    db.dispose()
    return {
        "seconds": seconds,
        "parse_seconds": timers["parse"],
        "record_seconds": timers["record"],
        "occurrences": result.meetings,
        "events": result.events,
        "skipped": result.skipped,
        "new": result.new,
        "moved": result.moved,
        "updated": result.updated,
        "cancelled": result.cancelled,
        "cancelled_moments": result.cancelled_moments,
        "stored_meetings": sum(kinds.values()),
        "stored_attendances": attendances,
        "kinds": kinds,
        "journal_mode": mode,
        "db_mb": _db_mb(db_path),
        **peak,
    }


def plan_child(db_path: str, now: str, profile_to: str = "") -> dict[str, Any]:
    """``plan(build_runtime(…), now)``: planning only. With ``profile_to``, under cProfile (listing written there)."""
    from sqlalchemy import func, select

    from kairos.settings import load_settings
    from kairos.store import open_database
    from kairos.store.schema import moments
    from kairos.worker.plan import plan
    from kairos.worker.runtime import build_runtime

    url = f"sqlite:///{db_path}"
    db = open_database(url)
    t = time.perf_counter()
    runtime = build_runtime(load_settings(database_url=url), db)
    build_seconds = time.perf_counter() - t
    profiler = None
    if profile_to:
        import cProfile

        profiler = cProfile.Profile()
    before = measure._rss_mb()
    start = time.perf_counter()
    if profiler is not None:
        profiler.enable()
    events_planned, created = plan(runtime, datetime.fromisoformat(now))
    if profiler is not None:
        profiler.disable()
    seconds = time.perf_counter() - start
    peak = measure._peak(before)
    if profiler is not None:
        _write_profile(profiler, profile_to)
    with db.transaction() as conn:
        outcome = func.coalesce(moments.c.stop_reason, moments.c.status)
        by_outcome = {k: n for k, n in conn.execute(select(outcome, func.count()).group_by(outcome))}
        planned_by_type = dict(
            conn.exec_driver_sql(
                "SELECT e.type, count(*) FROM planned_events p JOIN events e ON e.seq = p.event_seq GROUP BY e.type"
            ).all()
        )
        replanned = conn.exec_driver_sql("SELECT count(*) FROM moments WHERE trace LIKE '%\"replan\"%'").scalar()
    db.dispose()
    return {
        "seconds": seconds,
        "build_runtime_seconds": build_seconds,
        "events_planned": events_planned,
        "moments_created": created,
        "moments_total": sum(by_outcome.values()),
        "moments_by_outcome": by_outcome,
        "moments_replanned_ever": replanned,
        "events_planned_by_type_ever": planned_by_type,
        "db_mb": _db_mb(db_path),
        "profiled": bool(profile_to),
        **peak,
    }


def reimport_profile_child(ics_path: str, db_path: str, weeks: int, now: str, profile_to: str) -> dict[str, Any]:
    """The re-import of the edited calendar under cProfile (listing written to ``profile_to``)."""
    import cProfile

    from kairos.ingest.ical import import_calendar
    from kairos.store import open_database

    db = open_database(f"sqlite:///{db_path}")
    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    result = import_calendar(db, ics_path, window=generate.calendar_window(weeks), now=datetime.fromisoformat(now))
    profiler.disable()
    seconds = time.perf_counter() - start
    db.dispose()
    _write_profile(profiler, profile_to)
    return {"seconds": seconds, "moved": result.moved, "cancelled": result.cancelled}


def _write_profile(profiler: Any, path: str, top: int = 30) -> None:
    import io
    import pstats

    buf = io.StringIO()
    stats = pstats.Stats(profiler, stream=buf)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    Path(path).write_text(buf.getvalue(), encoding="utf-8")


def raw_copy_child(source_db: str, raw_db: str, tables: list[str]) -> dict[str, Any]:
    """The floor: ``sqlite3.executemany`` of the rows Kairos stored in ``tables`` into an empty file.

    Each table is created with the Kairos file's own ``CREATE TABLE`` and ``CREATE INDEX`` statements (so the
    same primary keys, unique and secondary indexes), WAL and synchronous=NORMAL as ``open_database`` sets them;
    the rows (every column but an autoincrement key, which SQLite assigns again) are read first, then inserted
    in one transaction: timed from BEGIN to COMMIT. ``events:meeting`` copies only the meeting events.
    Foreign keys are not checked (the referenced tables are not copied); Kairos checks them.
    """
    src = sqlite3.connect(f"file:{source_db}?mode=ro", uri=True)
    dst = sqlite3.connect(raw_db, isolation_level=None)
    dst.execute("PRAGMA journal_mode=WAL")
    dst.execute("PRAGMA synchronous=NORMAL")
    loads: list[tuple[str, list[str], list[tuple[Any, ...]]]] = []
    for spec in tables:
        table, _, only = spec.partition(":")
        for (sql,) in src.execute(
            "SELECT sql FROM sqlite_master WHERE tbl_name = ? AND sql IS NOT NULL ORDER BY type DESC", (table,)
        ):
            dst.execute(sql)  # the table first ("table" sorts after "index" descending), then its indexes
        columns = [r[1] for r in src.execute(f"PRAGMA table_info({table})")]
        auto = {"moments": "id", "events": "seq"}.get(table)
        columns = [c for c in columns if c != auto]
        where = " WHERE type LIKE 'meeting.%'" if only == "meeting" else ""
        quoted = ", ".join(f'"{c}"' for c in columns)
        loads.append((table, columns, src.execute(f"SELECT {quoted} FROM {table}{where}").fetchall()))
    src.close()
    before = measure._rss_mb()
    start = time.perf_counter()
    dst.execute("BEGIN")
    for table, columns, rows in loads:
        quoted = ", ".join(f'"{c}"' for c in columns)
        dst.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({', '.join('?' * len(columns))})", rows)
    dst.execute("COMMIT")
    seconds = time.perf_counter() - start
    counts = {table: dst.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table, _, _ in loads}
    dst.close()
    return {"seconds": seconds, "rows": sum(counts.values()), "rows_by_table": counts, **measure._peak(before)}


# --------------------------------------------------------------------------- the run


def run(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    people, weeks = args.people, args.weeks
    t = time.perf_counter()
    org = generate.make_org(people)
    csv_path, ics_path, goals_path = work / "people.csv", work / "calendar.ics", work / "goals.csv"
    changed_ics = work / "calendar-changed.ics"
    generate.write_people_csv(org, csv_path)
    expected = generate.write_calendar(org, ics_path, per_person=args.per_person, weeks=weeks)
    from kairos.ingest.framework import parse_framework

    framework = parse_framework(FRAMEWORK)
    goals = generate.write_goals(org, {c.id: len(c.levels) for c in framework.competencies}, goals_path)
    del org
    generated_s = time.perf_counter() - t
    _say(
        f"[planning] {people:,} people, {weeks} week(s): {expected['occurrences']:,} occurrences expected "
        f"({expected['meetings_per_person_week']} meetings a person a week), {goals:,} goals; generated in "
        f"{generated_s:.1f} s (calendar {ics_path.stat().st_size / 1e6:.1f} MB)"
    )
    db = work / "kairos.db"
    setup = measure.run_isolated(measure.prepare_org, str(csv_path), str(db), str(FRAMEWORK), str(goals_path))
    _say(f"[planning] setup: {setup['people']:,} people in {setup['people_seconds']:.2f} s, goals {setup['goals']:,}")

    load = {"import": _load()}
    imported = measure.run_isolated(import_calendar_child, str(ics_path), str(db), weeks, IMPORTED_AT.isoformat())
    _say(
        f"[planning] calendar import: {imported['occurrences']:,} occurrences in {imported['seconds']:.1f} s "
        f"(parse {imported['parse_seconds']:.1f} s, record {imported['record_seconds']:.1f} s), "
        f"peak RSS {imported['peak_rss_mb']:,.0f} MB"
    )
    if imported["occurrences"] != expected["occurrences"] or imported["skipped"]:
        raise RuntimeError(
            f"the import read {imported['occurrences']} occurrences (expected {expected['occurrences']}), "
            f"skipped {imported['skipped']}"
        )
    if imported["kinds"].get("one_on_one", 0) < expected["one_on_ones"]:
        raise RuntimeError(f"kinds {imported['kinds']}: fewer 1:1s than the {expected['one_on_ones']} weekly series")
    profiled_db = work / "profile-plan.db"
    if args.profile:
        _copy_db(db, profiled_db)

    load["plan"] = _load()
    planned = measure.run_isolated(plan_child, str(db), PLAN_AT.isoformat())
    _say(
        f"[planning] plan: {planned['events_planned']:,} events, {planned['moments_created']:,} moments in "
        f"{planned['seconds']:.1f} s, peak RSS {planned['peak_rss_mb']:,.0f} MB"
    )
    if planned["events_planned_by_type_ever"].get("meeting.scheduled") != imported["events"]:
        raise RuntimeError(
            f"planned {planned['events_planned_by_type_ever']}, the import recorded {imported['events']}"
        )

    if args.profile:
        _copy_db(db, work / "profile-reimport.db")
    load["raw"] = _load()
    raw_moments = measure.run_isolated(raw_copy_child, str(db), str(work / "raw-moments.db"), ["moments"])
    raw_import = measure.run_isolated(
        raw_copy_child, str(db), str(work / "raw-import.db"), ["meetings", "meeting_attendees", "events:meeting"]
    )
    _drop_db(work / "raw-moments.db")
    _drop_db(work / "raw-import.db")
    _say(
        f"[planning] raw floor: {raw_moments['rows']:,} moment rows in {raw_moments['seconds']:.2f} s; "
        f"{raw_import['rows']:,} import rows in {raw_import['seconds']:.2f} s"
    )

    t = time.perf_counter()
    change = generate.change_calendar(ics_path, changed_ics, weeks=weeks, share=args.change)
    _say(
        f"[planning] edited the calendar in {time.perf_counter() - t:.1f} s: {change['changed']:,} occurrences "
        f"changed ({change['moved']:,} moved, {change['cancelled']:,} cancelled)"
    )
    load["reimport"] = _load()
    reimported = measure.run_isolated(import_calendar_child, str(changed_ics), str(db), weeks, CHANGED_AT.isoformat())
    _say(
        f"[planning] re-import: {reimported['moved']:,} moved, {reimported['cancelled']:,} cancelled, "
        f"{reimported['cancelled_moments']:,} pending moments cancelled in {reimported['seconds']:.1f} s "
        f"(parse {reimported['parse_seconds']:.1f} s, record {reimported['record_seconds']:.1f} s)"
    )
    seen = (reimported["moved"], reimported["cancelled"], reimported["new"], reimported["updated"])
    if seen != (change["moved"], change["cancelled"], 0, 0):
        raise RuntimeError(f"re-import found moved/cancelled/new/updated {seen}, the edit made {change}")
    if args.profile:
        _copy_db(db, work / "profile-replan.db")

    load["replan"] = _load()
    replanned = measure.run_isolated(plan_child, str(db), REPLAN_AT.isoformat())
    _say(
        f"[planning] re-plan: {replanned['events_planned']:,} events, {replanned['moments_created']:,} new "
        f"moments in {replanned['seconds']:.2f} s"
    )
    if replanned["events_planned"] != change["moved"]:
        raise RuntimeError(f"re-planned {replanned['events_planned']} events for {change['moved']} moved occurrences")

    profiles: dict[str, str] = {}
    if args.profile:
        RESULTS.mkdir(parents=True, exist_ok=True)
        _say("[planning] cProfile runs …")
        for name, path, now in (("plan", profiled_db, PLAN_AT), ("replan", work / "profile-replan.db", REPLAN_AT)):
            out = RESULTS / f"profile-planning-{name}.txt"
            measure.run_isolated(plan_child, str(path), now.isoformat(), str(out))
            profiles[name] = str(out.relative_to(ROOT))
        out = RESULTS / "profile-planning-reimport.txt"
        measure.run_isolated(
            reimport_profile_child,
            str(changed_ics),
            str(work / "profile-reimport.db"),
            weeks,
            CHANGED_AT.isoformat(),
            str(out),
        )
        profiles["reimport"] = str(out.relative_to(ROOT))
    return {
        "people": setup["people"],
        "weeks": weeks,
        "per_person": args.per_person,
        "generated": {k: v for k, v in expected.items()},
        "calendar_mb": round(ics_path.stat().st_size / 1e6, 1),
        "goals": goals,
        "setup": setup,
        "import": imported,
        "plan": planned,
        "raw_moments": raw_moments,
        "raw_import": raw_import,
        "change": change,
        "reimport": reimported,
        "replan": replanned,
        "load": load,
        "profiles": profiles,
    }


def _copy_db(source: Path, target: Path) -> None:
    """A consistent copy of a closed database (SQLite's backup API, so a WAL left behind is included)."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    with dst:
        src.backup(dst)
    src.close()
    dst.close()


def _drop_db(path: Path) -> None:
    for leftover in path.parent.glob(path.name + "*"):
        leftover.unlink()


# --------------------------------------------------------------------------- output


def _table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    out = ["  ".join(h.rjust(w) for h, w in zip(headers, widths, strict=True)), "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(out)


def _rss(step: dict[str, Any]) -> str:
    return f"{step['peak_rss_mb']:,.0f} (+{step['rss_growth_mb']:,.0f})"


def render(doc: dict[str, Any]) -> str:
    r = doc["result"]
    imp, pl, raw_m, raw_i = r["import"], r["plan"], r["raw_moments"], r["raw_import"]
    re_i, re_p, ch, gen = r["reimport"], r["replan"], r["change"], r["generated"]
    lines = [
        f"Kairos planning benchmark — {doc['started_at']} — {doc['machine']['cpus']} CPUs, Python "
        f"{doc['versions']['python']}, SQLite {doc['versions']['sqlite']}; load average {doc['load_before']} → "
        f"{doc['load_after']} (before each step: {r['load']})",
        f"\n{r['people']:,} people, {r['weeks']} week(s) from Mon 2 Mar 2026: {gen['occurrences']:,} meeting "
        f"occurrences ({gen['meetings_per_person_week']} meetings a person a week; calendar {r['calendar_mb']} MB: "
        f"{gen['one_on_ones']:,} weekly 1:1 and {gen['team_meetings']:,} team series, {gen['standups']:,} stand-ups, "
        f"{gen['group_meetings']:,} cross-team groups, {gen['peer_one_on_ones']:,} peer 1:1s, {gen['one_offs']:,} "
        f"one-offs); {r['goals']:,} goals. Setup (not timed here): people {r['setup']['people_seconds']:.2f} s.",
        f"Stored kinds: {imp['kinds']}",
        "",
    ]
    rows = [
        ["calendar import", f"{imp['seconds']:.1f}", f"{imp['occurrences']:,} occurrences, {imp['events']:,} events",
         f"{imp['occurrences'] / imp['seconds']:,.0f} occurrences/s", _rss(imp),
         f"{raw_i['seconds'] / imp['seconds']:.3f}"],
        ["  of which parse", f"{imp['parse_seconds']:.1f}", "icalendar + recurring_ical_events + attendees", "", "",
         ""],
        ["  of which record", f"{imp['record_seconds']:.1f}",
         f"{imp['stored_meetings']:,} meetings, {imp['stored_attendances']:,} attendances, {imp['events']:,} events",
         f"{raw_i['rows'] / imp['record_seconds']:,.0f} rows/s", "", f"{raw_i['seconds'] / imp['record_seconds']:.2f}"],
        ["  raw floor of its rows", f"{raw_i['seconds']:.2f}", f"{raw_i['rows']:,} rows",
         f"{raw_i['rows'] / raw_i['seconds']:,.0f} rows/s", _rss(raw_i), ""],
        ["planning", f"{pl['seconds']:.1f}", f"{pl['events_planned']:,} events, {pl['moments_created']:,} moments",
         f"{pl['moments_created'] / pl['seconds']:,.0f} moments/s", _rss(pl),
         f"{raw_m['seconds'] / pl['seconds']:.3f}"],
        ["  raw floor: moments", f"{raw_m['seconds']:.2f}", f"{raw_m['rows']:,} rows",
         f"{raw_m['rows'] / raw_m['seconds']:,.0f} rows/s", _rss(raw_m), ""],
        [f"{ch['changed']:,} changed: re-import", f"{re_i['seconds']:.1f}",
         f"{re_i['moved']:,} moved, {re_i['cancelled']:,} cancelled, {re_i['cancelled_moments']:,} moments cancelled",
         f"{ch['changed'] / re_i['seconds']:,.1f} changes/s", _rss(re_i), ""],
        ["  of which parse", f"{re_i['parse_seconds']:.1f}", "", "", "", ""],
        ["  of which record", f"{re_i['record_seconds']:.2f}", f"{re_i['events']:,} events",
         f"{ch['changed'] / re_i['record_seconds']:,.1f} changes/s", "", ""],
        ["  re-plan", f"{re_p['seconds']:.2f}",
         f"{re_p['events_planned']:,} events, {re_p['moments_created']:,} new moments",
         f"{re_p['events_planned'] / re_p['seconds']:,.1f} events/s", _rss(re_p), ""],
    ]  # fmt: skip
    lines.append(_table(["step", "seconds", "work", "rate", "peak RSS MB (+growth)", "kairos/raw rate"], rows))
    lines.append(
        f"   kairos/raw rate = raw seconds / Kairos seconds for the same rows (1.0 would be the floor). "
        f"Moments by outcome after planning: {pl['moments_by_outcome']}; after the re-plan: "
        f"{re_p['moments_by_outcome']} ({re_p['moments_replanned_ever']:,} carry a re-plan step). "
        f"Edit: {ch}. Database {re_p['db_mb']:,} MB."
    )
    if r["profiles"]:
        lines.append(f"   cProfile listings: {r['profiles']}")
    return "\n".join(lines)


def _versions() -> dict[str, str]:
    from importlib import metadata

    found = {"python": platform.python_version(), "sqlite": sqlite3.sqlite_version}
    for name in ("sqlalchemy", "icalendar", "recurring-ical-events"):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "?"
    return found


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench.planning", description=__doc__.splitlines()[0])
    p.add_argument("--people", type=int, default=10_000, help="people in the organization (default 10,000)")
    p.add_argument("--weeks", type=int, default=4, help="weeks of calendar imported and planned (default 4)")
    p.add_argument("--per-person", type=int, default=30, help="meetings a person has a week (default 30)")
    p.add_argument("--change", type=float, default=0.01, help="share of occurrences changed (default 0.01)")
    p.add_argument(
        "--profile",
        action="store_true",
        help="also cProfile the planning, the re-import and the re-plan on copies of the database "
        "(listings to bench/results/profile-planning-*.txt)",
    )
    p.add_argument("--out", type=Path, default=RESULTS / "planning.json", help="where to write the JSON figures")
    p.add_argument(
        "--workdir", type=Path, help="keep the generated files and the database here (default: a temporary folder)"
    )
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    wall = time.perf_counter()
    doc: dict[str, Any] = {
        "started_at": datetime.now(UTC).astimezone().isoformat(timespec="seconds"),
        "command": " ".join(["python -m bench.planning", *(argv if argv is not None else sys.argv[1:])]),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "versions": _versions(),
        "load_before": _load(),
    }
    if args.workdir:
        args.workdir.mkdir(parents=True, exist_ok=True)
        doc["result"] = run(args, args.workdir)
    else:
        with tempfile.TemporaryDirectory(prefix="kairos-bench-planning-") as tmp:
            doc["result"] = run(args, Path(tmp))
    doc["load_after"] = _load()
    doc["wall_seconds"] = time.perf_counter() - wall
    print(render(doc))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(doc, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    print(f"\nFigures written to {args.out} (whole run {doc['wall_seconds']:.0f} s).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
