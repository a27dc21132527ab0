"""The measurements. Each function runs in a fresh ``spawn`` subprocess (see ``run_isolated``).

A fresh process per measurement means the peak RSS reported is that measurement's own
(the child's high-water mark, see ``_rss_mb``), and no measurement warms caches for the next one. Every
function returns a plain dict of figures; times are wall-clock ``perf_counter`` seconds.
"""

from __future__ import annotations

import csv
import multiprocessing
import resource
import sqlite3
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

AS_OF = date(2026, 2, 27)
IMPORTED_AT = datetime(2026, 2, 27, 12, tzinfo=UTC)
WINDOW = (datetime(2026, 3, 2, tzinfo=UTC), datetime(2026, 3, 9, tzinfo=UTC))  # Mon 2 Mar .. Sun 8 Mar inclusive
TICK_AT = datetime(2026, 3, 2, 12, tzinfo=UTC)  # Monday noon UTC


def _rss_mb() -> float:
    """Peak resident set size of this process so far, in MB.

    On Linux this reads ``VmHWM`` from ``/proc/self/status``: ``ru_maxrss`` is carried over
    an ``execve``, so a spawned child starts with its parent's peak (a 500 MB parent gives
    every child ru_maxrss >= 500 MB), which would hide the measurement's own peak.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    scale = 1 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB elsewhere
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / (1024 * 1024)


def _peak(before: float) -> dict[str, float]:
    after = _rss_mb()
    return {"peak_rss_mb": round(after, 1), "rss_growth_mb": round(after - before, 1)}


def _child(fn: Callable[..., dict[str, Any]], args: tuple[Any, ...], queue: Any) -> None:
    try:
        queue.put(("ok", fn(*args)))
    except BaseException as exc:  # report anything back to the parent, which re-raises
        import traceback

        queue.put(("error", f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"))


def run_isolated(fn: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
    """Run ``fn(*args)`` in a new interpreter (multiprocessing 'spawn') and return its figures."""
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(fn, args, queue))
    proc.start()
    status, value = queue.get()
    proc.join()
    if status != "ok":
        raise RuntimeError(f"{fn.__name__} failed in its subprocess:\n{value}")
    figures: dict[str, Any] = value
    return figures


def _fresh_db(path: Path):  # type: ignore[no-untyped-def]
    from kairos.store import open_database

    db = open_database(f"sqlite:///{path}")
    db.migrate()
    return db


# --------------------------------------------------------------------------- people import


def parse_people_only(csv_path: str) -> dict[str, Any]:
    """``kairos.ingest.people.parse_people``: read, decode, CSV-parse and validate; no database."""
    from kairos.ingest.people import parse_people

    before = _rss_mb()
    start = time.perf_counter()
    people = parse_people(csv_path)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "rows": len(people), **_peak(before)}


def kairos_import_people(csv_path: str, db_path: str) -> dict[str, Any]:
    """``import_people`` into a freshly migrated SQLite file (WAL, as ``open_database`` sets it up)."""
    from kairos.ingest.people import import_people

    db = _fresh_db(Path(db_path))
    before = _rss_mb()
    start = time.perf_counter()
    result = import_people(db, csv_path, as_of=AS_OF, now=IMPORTED_AT)
    seconds = time.perf_counter() - start
    figures = {"seconds": seconds, "rows": result.people, "events": result.events, **_peak(before)}
    with db.engine.connect() as conn:
        mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
    db.dispose()
    figures["journal_mode"] = mode
    figures["db_mb"] = round(
        sum(p.stat().st_size for p in Path(db_path).parent.glob(Path(db_path).name + "*")) / 1e6, 1
    )
    return figures


RAW_DDL = """
CREATE TABLE people (
    id VARCHAR(100) NOT NULL,
    name VARCHAR(300) NOT NULL,
    email VARCHAR(320) NOT NULL,
    manager_id VARCHAR(100),
    role VARCHAR(300) NOT NULL,
    level VARCHAR(50) NOT NULL,
    team VARCHAR(300) NOT NULL,
    location VARCHAR(300) NOT NULL,
    time_zone VARCHAR(64) NOT NULL,
    start_date DATE,
    status VARCHAR(20) NOT NULL,
    updated_at DATETIME NOT NULL,
    CONSTRAINT pk_people PRIMARY KEY (id)
);
CREATE INDEX ix_people_email ON people (email);
"""


def raw_sqlite_insert(csv_path: str, db_path: str) -> dict[str, Any]:
    """The floor: stdlib ``csv`` + ``sqlite3.executemany`` of the same rows, one transaction.

    Same table shape as Kairos's ``people`` (text primary key, index on email), WAL and
    synchronous=NORMAL like ``open_database``. Timed from reading the file to the commit,
    the same span ``import_people`` covers; ``insert_seconds`` is executemany+commit alone.
    """
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.executescript(RAW_DDL)
    updated_at = IMPORTED_AT.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
    before = _rss_mb()
    start = time.perf_counter()
    with open(csv_path, encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        next(reader)
        rows = [(*r[:3], r[3] or None, *r[4:], "active", updated_at) for r in reader]
    parsed = time.perf_counter()
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO people VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", rows)
    conn.execute("COMMIT")
    end = time.perf_counter()
    count = conn.execute("SELECT count(*) FROM people").fetchone()[0]
    conn.close()
    return {"seconds": end - start, "insert_seconds": end - parsed, "rows": count, **_peak(before)}


# --------------------------------------------------------------------------- the tick scenario


def prepare_org(csv_path: str, db_path: str, framework_path: str, goals_path: str) -> dict[str, Any]:
    """Setup for the tick: people, framework and goals into a fresh database (timed, not the headline)."""
    from kairos.ingest.framework import import_framework
    from kairos.ingest.goals import import_goals
    from kairos.ingest.people import import_people

    db = _fresh_db(Path(db_path))
    t0 = time.perf_counter()
    people = import_people(db, csv_path, as_of=AS_OF, now=IMPORTED_AT)
    t1 = time.perf_counter()
    framework, _ = import_framework(db, framework_path, now=IMPORTED_AT)
    t2 = time.perf_counter()
    goals = import_goals(db, goals_path, now=IMPORTED_AT)
    t3 = time.perf_counter()
    db.dispose()
    return {
        "people": people.people,
        "people_seconds": t1 - t0,
        "framework": f"{framework.id}@{framework.version}",
        "framework_seconds": t2 - t1,
        "goals": goals,
        "goals_seconds": t3 - t2,
    }


def kairos_import_calendar(ics_path: str, db_path: str) -> dict[str, Any]:
    """``import_calendar`` of the week into a database that already holds the people."""
    from sqlalchemy import func, select

    from kairos.ingest.ical import import_calendar
    from kairos.store import open_database
    from kairos.store.schema import meetings

    db = open_database(f"sqlite:///{db_path}")
    before = _rss_mb()
    start = time.perf_counter()
    result = import_calendar(db, ics_path, window=WINDOW, now=IMPORTED_AT)
    seconds = time.perf_counter() - start
    figures = {
        "seconds": seconds,
        "occurrences": result.meetings,
        "events": result.events,
        "skipped": result.skipped,
        **_peak(before),
    }
    with db.transaction() as conn:
        by_kind = select(meetings.c.kind, func.count()).group_by(meetings.c.kind)
        kinds: dict[str, int] = {kind: count for kind, count in conn.execute(by_kind)}
        first = conn.execute(select(func.min(meetings.c.start), func.max(meetings.c.start))).one()
    db.dispose()
    figures["kinds"] = kinds
    figures["first_start"], figures["last_start"] = first[0].isoformat(), first[1].isoformat()
    return figures


def kairos_tick(db_path: str, mail_dir: str) -> dict[str, Any]:
    """One ``tick`` at Monday 12:00 UTC with a real SMTP server (``MailSink``) on loopback.

    The real ``plan`` and the real channel's ``send`` are wrapped in timers (they still do
    all their work) so the tick can be split into planning, SMTP and the rest.
    """
    from sqlalchemy import func, select

    from kairos.demo.mail_sink import MailSink
    from kairos.settings import load_settings
    from kairos.store import open_database
    from kairos.store.schema import moments
    from kairos.worker import tick as tick_module
    from kairos.worker.runtime import build_runtime

    timers = {"plan": 0.0, "send": 0.0}
    real_plan = tick_module.plan  # type: ignore[attr-defined]

    def timed_plan(*args: Any, **kwargs: Any) -> Any:
        t = time.perf_counter()
        try:
            return real_plan(*args, **kwargs)
        finally:
            timers["plan"] += time.perf_counter() - t

    db_url = f"sqlite:///{db_path}"
    db = open_database(db_url)
    with MailSink(Path(mail_dir)) as sink:
        settings = load_settings(database_url=db_url, smtp={"host": "127.0.0.1", "port": sink.port})
        t = time.perf_counter()
        rt = build_runtime(settings, db)
        build_seconds = time.perf_counter() - t
        channel = rt.channels["email"]
        real_send = channel.send

        def timed_send(*args: Any, **kwargs: Any) -> Any:
            t = time.perf_counter()
            try:
                return real_send(*args, **kwargs)
            finally:
                timers["send"] += time.perf_counter() - t

        channel.send = timed_send  # type: ignore[method-assign]
        tick_module.plan = timed_plan  # type: ignore[attr-defined]
        try:
            before = _rss_mb()
            start = time.perf_counter()
            report = tick_module.tick(rt, TICK_AT)
            seconds = time.perf_counter() - start
            peak = _peak(before)
        finally:
            tick_module.plan = real_plan  # type: ignore[attr-defined]
    with db.transaction() as conn:
        outcome = func.coalesce(moments.c.stop_reason, moments.c.status)
        statuses: dict[str, int] = {
            name: count for name, count in conn.execute(select(outcome, func.count()).group_by(outcome))
        }
    db.dispose()
    eml = len(list(Path(mail_dir).glob("*.eml")))
    return {
        "seconds": seconds,
        "build_runtime_seconds": build_seconds,
        "plan_seconds": timers["plan"],
        "smtp_send_seconds": timers["send"],
        "process_seconds": seconds - timers["plan"],
        "events_planned": report.events_planned,
        "moments_created": report.moments_created,
        "finished": dict(report.finished),
        "deferred": report.deferred,
        "delivered": report.finished.get("delivered", 0),
        "eml_files": eml,
        "moments_by_outcome": statuses,
        **peak,
    }


# --------------------------------------------------------------------------- profiling


def profile_call(kind: str, args: tuple[str, ...], out_path: str, top: int = 25) -> dict[str, Any]:
    """cProfile one Kairos call (``people``, ``calendar`` or ``tick``); writes the top functions to ``out_path``."""
    import cProfile
    import io
    import pstats

    profiler = cProfile.Profile()
    if kind == "people":
        from kairos.ingest.people import import_people

        db = _fresh_db(Path(args[1]))
        profiler.enable()
        import_people(db, args[0], as_of=AS_OF, now=IMPORTED_AT)
        profiler.disable()
    elif kind == "calendar":
        from kairos.ingest.ical import import_calendar
        from kairos.store import open_database

        db = open_database(f"sqlite:///{args[1]}")
        profiler.enable()
        import_calendar(db, args[0], window=WINDOW, now=IMPORTED_AT)
        profiler.disable()
    elif kind == "tick":
        from kairos.demo.mail_sink import MailSink
        from kairos.settings import load_settings
        from kairos.store import open_database
        from kairos.worker.runtime import build_runtime
        from kairos.worker.tick import tick

        db = open_database(f"sqlite:///{args[0]}")
        with MailSink(Path(args[1])) as sink:
            rt = build_runtime(
                load_settings(database_url=f"sqlite:///{args[0]}", smtp={"host": "127.0.0.1", "port": sink.port}), db
            )
            profiler.enable()
            tick(rt, TICK_AT)
            profiler.disable()
    else:
        raise ValueError(kind)
    buf = io.StringIO()
    stats = pstats.Stats(profiler, stream=buf)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    Path(out_path).write_text(buf.getvalue(), encoding="utf-8")
    rows = sorted(stats.stats.items(), key=lambda kv: kv[1][2], reverse=True)[:10]  # type: ignore[attr-defined]
    return {
        "total_seconds": stats.total_tt,  # type: ignore[attr-defined]
        "top_tottime": [
            {
                "function": f"{Path(k[0]).name}:{k[1]}({k[2]})",
                "tottime": round(v[2], 3),
                "cumtime": round(v[3], 3),
                "calls": v[1],
            }
            for k, v in rows
        ],
    }


def kairos_snapshot_diff(first_csv: str, second_csv: str, db_path: str) -> dict[str, Any]:
    """Import ``first_csv``, then time importing ``second_csv``: the diff against a stored organization."""
    from kairos.ingest.people import import_people

    db = _fresh_db(Path(db_path))
    import_people(db, first_csv, as_of=AS_OF, now=IMPORTED_AT)
    before = _rss_mb()
    start = time.perf_counter()
    result = import_people(db, second_csv, as_of=date(2026, 3, 2), now=IMPORTED_AT)
    seconds = time.perf_counter() - start
    db.dispose()
    return {"seconds": seconds, "rows": result.people, "events": result.events, "changes": dict(result.changes),
            **_peak(before)}  # fmt: skip
