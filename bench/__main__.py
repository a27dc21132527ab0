"""``python -m bench``: measure the real engine on the embedded SQLite default and print a table.

Figures also go to ``bench/results/latest.json``. Each measurement runs in a fresh
``spawn`` subprocess on a fresh temporary SQLite file, so peak RSS is per measurement.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from bench import generate, measure

RESULTS = Path(__file__).resolve().parent / "results"
ROOT = Path(__file__).resolve().parent.parent
FRAMEWORK = ROOT / "examples" / "demo-org" / "framework.yaml"


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(s.replace("_", "")) for s in text.split(",") if s.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected numbers separated by commas, got {text!r}") from None
    if not sizes or min(sizes) < 2:
        raise argparse.ArgumentTypeError("sizes must be at least 2 people")
    return sizes


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__.splitlines()[0],
        epilog=f"Other benchmarks: python -m bench {{{','.join(SUITES)}}} [--help]",
    )
    p.add_argument(
        "--quick", action="store_true", help="smoke run: 2,000 and 10,000 people, a 1,000-person tick, 1 repeat"
    )
    p.add_argument("--sizes", type=_sizes, help="people counts for the import measurement (default 10000,100000)")
    p.add_argument("--tick-people", type=int, help="people in the tick scenario (default 10000)")
    p.add_argument("--repeat", type=int, help="runs of each import measurement; the median is shown (default 3)")
    p.add_argument(
        "--profile",
        action="store_true",
        help="also cProfile the people import, calendar import and tick at the tick size "
        "(top functions to bench/results/profile-*.txt)",
    )
    p.add_argument("--no-tick", action="store_true", help="skip the calendar import and tick scenario")
    p.add_argument("--snapshot-people", type=int, help="people in the snapshot-diff measurement (default 100000)")
    p.add_argument("--out", type=Path, default=RESULTS / "latest.json", help="where to write the JSON figures")
    return p


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _versions() -> dict[str, str]:
    found = {"python": platform.python_version(), "sqlite": sqlite3.sqlite_version}
    for name in ("kairos-coach", "sqlalchemy", "icalendar", "recurring-ical-events", "aiosmtpd"):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "?"
    return found


def bench_imports(work: Path, sizes: list[int], repeat: int) -> list[dict[str, Any]]:
    results = []
    for n in sizes:
        t = time.perf_counter()
        org = generate.make_org(n)
        csv_path = work / f"people-{n}.csv"
        generate.write_people_csv(org, csv_path)
        del org
        _say(
            f"[imports] {n:,} people: CSV generated in {time.perf_counter() - t:.1f} s "
            f"({csv_path.stat().st_size / 1e6:.1f} MB)"
        )
        runs: list[dict[str, Any]] = []
        for i in range(repeat):
            # kairos, raw and parse back to back in each round, so each round's ratio compares like with like
            load = _load()
            kairos = measure.run_isolated(measure.kairos_import_people, str(csv_path), str(work / f"k-{n}-{i}.db"))
            raw = measure.run_isolated(measure.raw_sqlite_insert, str(csv_path), str(work / f"r-{n}-{i}.db"))
            parse = measure.run_isolated(measure.parse_people_only, str(csv_path))
            for leftover in work.glob(f"[kr]-{n}-{i}.db*"):
                leftover.unlink()
            if kairos["rows"] != n or raw["rows"] != n or parse["rows"] != n:
                raise RuntimeError(
                    f"row counts differ: kairos {kairos['rows']}, raw {raw['rows']}, parse {parse['rows']}"
                )
            runs.append(
                {
                    "kairos": kairos,
                    "raw": raw,
                    "parse": parse,
                    "ratio": raw["seconds"] / kairos["seconds"],
                    "load_before": load,
                }
            )
            _say(
                f"[imports] {n:,} people run {i + 1}/{repeat}: kairos {kairos['seconds']:.2f} s, "
                f"raw {raw['seconds']:.2f} s, parse {parse['seconds']:.2f} s"
            )
        kairos_s = statistics.median(r["kairos"]["seconds"] for r in runs)
        raw_s = statistics.median(r["raw"]["seconds"] for r in runs)
        parse_s = statistics.median(r["parse"]["seconds"] for r in runs)
        results.append(
            {
                "people": n,
                "kairos_seconds": kairos_s,
                "kairos_rows_per_s": n / kairos_s,
                "kairos_peak_rss_mb": max(r["kairos"]["peak_rss_mb"] for r in runs),
                "kairos_rss_growth_mb": max(r["kairos"]["rss_growth_mb"] for r in runs),
                "kairos_events": runs[0]["kairos"]["events"],
                "journal_mode": runs[0]["kairos"]["journal_mode"],
                "db_mb": runs[0]["kairos"]["db_mb"],
                "raw_seconds": raw_s,
                "raw_insert_seconds": statistics.median(r["raw"]["insert_seconds"] for r in runs),
                "raw_rows_per_s": n / raw_s,
                "raw_peak_rss_mb": max(r["raw"]["peak_rss_mb"] for r in runs),
                # kairos rate / raw rate, paired within each round, then the median over rounds
                "rate_ratio": statistics.median(r["ratio"] for r in runs),
                "parse_seconds": parse_s,
                "parse_rows_per_s": n / parse_s,
                "parse_peak_rss_mb": max(r["parse"]["peak_rss_mb"] for r in runs),
                "parse_share_of_import": parse_s / kairos_s,
                "runs": runs,
            }
        )
        csv_path.unlink()
    return results


def bench_snapshot(work: Path, n: int, repeat: int) -> dict[str, Any]:
    """A second snapshot with 2 % changes, imported against a stored one, next to the raw insert of its rows."""
    org = generate.make_org(n)
    later, planned = generate.changed_org(org)
    first, second = work / f"snap-{n}-a.csv", work / f"snap-{n}-b.csv"
    generate.write_people_csv(org, first)
    generate.write_people_csv(later, second)
    runs = []
    for i in range(repeat):
        diff = measure.run_isolated(measure.kairos_snapshot_diff, str(first), str(second), str(work / f"snap-{i}.db"))
        raw = measure.run_isolated(measure.raw_sqlite_insert, str(second), str(work / f"snap-raw-{i}.db"))
        _drop_db(work / f"snap-{i}.db")
        _drop_db(work / f"snap-raw-{i}.db")
        runs.append({"diff": diff, "raw": raw, "ratio": raw["seconds"] / diff["seconds"]})
        _say(f"[snapshot] {n:,} people, run {i + 1}/{repeat}: diff import {diff['seconds']:.2f} s, "
             f"raw {raw['seconds']:.2f} s, changes {diff['changes']}")  # fmt: skip
    seconds = statistics.median(r["diff"]["seconds"] for r in runs)
    raw_s = statistics.median(r["raw"]["seconds"] for r in runs)
    return {
        "people": n,
        "planned_changes": planned,
        "changes": runs[0]["diff"]["changes"],
        "events": runs[0]["diff"]["events"],
        "seconds": seconds,
        "rows_per_s": len(later.rows) / seconds,
        "peak_rss_mb": max(r["diff"]["peak_rss_mb"] for r in runs),
        "rss_growth_mb": max(r["diff"]["rss_growth_mb"] for r in runs),
        "raw_seconds": raw_s,
        "raw_rows_per_s": len(later.rows) / raw_s,
        "rate_ratio": statistics.median(r["ratio"] for r in runs),
    }


def bench_tick(work: Path, n: int, repeat: int) -> dict[str, Any]:
    from kairos.ingest.framework import parse_framework

    t = time.perf_counter()
    org = generate.make_org(n)
    csv_path, ics_path, goals_path = work / "tick-people.csv", work / "tick-week.ics", work / "tick-goals.csv"
    generate.write_people_csv(org, csv_path)
    expected = generate.write_calendar(org, ics_path)
    framework = parse_framework(FRAMEWORK)
    goals_written = generate.write_goals(org, {c.id: len(c.levels) for c in framework.competencies}, goals_path)
    _say(
        f"[tick] {n:,} people, {sum(expected.values()):,} weekly meetings, {goals_written:,} goals generated in "
        f"{time.perf_counter() - t:.1f} s (calendar {ics_path.stat().st_size / 1e6:.1f} MB)"
    )

    # The same-run reference every tick-scenario time is also expressed against.
    refs = [
        measure.run_isolated(measure.raw_sqlite_insert, str(csv_path), str(work / f"ref-{i}.db")) for i in range(repeat)
    ]
    reference = statistics.median(r["seconds"] for r in refs)

    # Setup once; then each repeat imports the calendar into a copy of the set-up database, and ticks on a
    # copy of the database as the first calendar import left it, so every tick starts from the same state.
    setup_db = work / "tick-setup.db"
    setup = measure.run_isolated(measure.prepare_org, str(csv_path), str(setup_db), str(FRAMEWORK), str(goals_path))
    _say(
        f"[tick] setup: {setup['people']:,} people in {setup['people_seconds']:.2f} s, "
        f"{setup['goals']:,} goals in {setup['goals_seconds']:.2f} s"
    )
    want = expected["one_on_ones"] + expected["team_meetings"]
    calendars: list[dict[str, Any]] = []
    planned_db = work / "tick-planned.db"
    for i in range(repeat):
        db_path = _copy_db(setup_db, work / f"tick-cal-{i}.db")
        calendar = measure.run_isolated(measure.kairos_import_calendar, str(ics_path), str(db_path))
        if calendar["occurrences"] != want or calendar["skipped"]:
            raise RuntimeError(
                f"calendar import found {calendar['occurrences']} occurrences (expected {want}), "
                f"skipped {calendar['skipped']}"
            )
        if calendar["kinds"].get("one_on_one") != expected["one_on_ones"]:
            raise RuntimeError(f"calendar kinds {calendar['kinds']} do not match the generated {expected}")
        calendars.append(calendar)
        if i == 0:
            _copy_db(db_path, planned_db)
        _drop_db(db_path)
        _say(
            f"[tick] calendar run {i + 1}/{repeat}: {calendar['occurrences']:,} occurrences in "
            f"{calendar['seconds']:.2f} s"
        )
    ticks: list[dict[str, Any]] = []
    for i in range(repeat):
        db_path = _copy_db(planned_db, work / f"tick-run-{i}.db")
        tick = measure.run_isolated(measure.kairos_tick, str(db_path), str(work / f"mail-{i}"))
        if tick["eml_files"] != tick["delivered"]:
            raise RuntimeError(f"{tick['delivered']} delivered but {tick['eml_files']} .eml files in the mail sink")
        if ticks and (tick["moments_created"], tick["finished"]) != (ticks[0]["moments_created"], ticks[0]["finished"]):
            raise RuntimeError(f"tick runs disagree: {tick['finished']} vs {ticks[0]['finished']}")
        ticks.append(tick)
        _drop_db(db_path)
        _say(
            f"[tick] tick run {i + 1}/{repeat}: {tick['seconds']:.2f} s (planning {tick['plan_seconds']:.2f} s), "
            f"{tick['moments_created']:,} moments, {tick['delivered']} delivered"
        )
    calendar = _median_run(calendars, ("seconds",), ("peak_rss_mb", "rss_growth_mb"))
    tick = _median_run(
        ticks,
        ("seconds", "plan_seconds", "process_seconds", "smtp_send_seconds", "build_runtime_seconds"),
        ("peak_rss_mb", "rss_growth_mb"),
    )
    return {
        "people": n,
        "expected_meetings": expected,
        "goals_written": goals_written,
        "reference_raw_insert_seconds": reference,
        "reference_runs": [r["seconds"] for r in refs],
        "setup": setup,
        "calendar": {
            **calendar,
            "occurrences_per_s": calendar["occurrences"] / calendar["seconds"],
            "x_reference": calendar["seconds"] / reference,
        },
        "tick": {
            **tick,
            "planning_moments_per_s": tick["moments_created"] / tick["plan_seconds"],
            "planning_events_per_s": tick["events_planned"] / tick["plan_seconds"],
            "x_reference": tick["seconds"] / reference,
        },
        "calendar_runs": [c["seconds"] for c in calendars],
        "tick_runs": [{"seconds": k["seconds"], "plan_seconds": k["plan_seconds"]} for k in ticks],
        "paths": {"csv": csv_path, "ics": ics_path, "setup_db": setup_db},
    }


def _copy_db(source: Path, target: Path) -> Path:
    """Copy a closed SQLite database (its WAL, if one was left behind, too)."""
    for suffix in ("", "-wal"):
        if Path(f"{source}{suffix}").exists():
            shutil.copyfile(f"{source}{suffix}", f"{target}{suffix}")
    return target


def _drop_db(path: Path) -> None:
    for leftover in path.parent.glob(path.name + "*"):
        leftover.unlink()


def _median_run(runs: list[dict[str, Any]], times: tuple[str, ...], peaks: tuple[str, ...]) -> dict[str, Any]:
    """The first run's counts with the median of each time and the largest of each memory figure."""
    merged = dict(runs[0])
    for key in times:
        merged[key] = statistics.median(r[key] for r in runs)
    for key in peaks:
        merged[key] = max(r[key] for r in runs)
    return merged


def bench_profile(work: Path, tick_paths: dict[str, Path] | None, n: int) -> dict[str, Any]:
    RESULTS.mkdir(parents=True, exist_ok=True)
    found: dict[str, Any] = {}
    csv_path = tick_paths["csv"] if tick_paths else work / "profile-people.csv"
    if not tick_paths:
        generate.write_people_csv(generate.make_org(n), csv_path)
    out = RESULTS / "profile-people-import.txt"
    found["people_import"] = measure.run_isolated(
        measure.profile_call, "people", (str(csv_path), str(work / "p.db")), str(out)
    )
    found["people_import"]["file"] = str(out.relative_to(ROOT))
    if tick_paths:
        # profile the calendar import and then the tick, on a copy of the scenario's set-up database
        db = _copy_db(tick_paths["setup_db"], work / "profile-tick.db")
        out = RESULTS / "profile-calendar-import.txt"
        found["calendar_import"] = measure.run_isolated(
            measure.profile_call, "calendar", (str(tick_paths["ics"]), str(db)), str(out)
        )
        found["calendar_import"]["file"] = str(out.relative_to(ROOT))
        out = RESULTS / "profile-tick.txt"
        found["tick"] = measure.run_isolated(
            measure.profile_call, "tick", (str(db), str(work / "profile-mail")), str(out)
        )
        found["tick"]["file"] = str(out.relative_to(ROOT))
    return found


# --------------------------------------------------------------------------- output


def _table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    line = "  ".join(h.rjust(w) for h, w in zip(headers, widths, strict=True))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(out)


def _n(x: float, digits: int = 0) -> str:
    return f"{x:,.{digits}f}"


def render(doc: dict[str, Any]) -> str:
    parts = [
        f"Kairos benchmark — {doc['started_at']} — {doc['machine']['cpus']} CPUs, "
        f"Python {doc['versions']['python']}, SQLite {doc['versions']['sqlite']}, "
        f"SQLAlchemy {doc['versions']['sqlalchemy']}; load average {doc['load_before']} → {doc['load_after']}"
    ]
    if doc["imports"]:
        parts.append(f"\n1. People import (median of {doc['repeat']} run(s); fresh SQLite file in WAL mode each)")
        rows = []
        for r in doc["imports"]:
            rows.append(
                [
                    _n(r["people"]),
                    f"{r['kairos_seconds']:.2f}",
                    _n(r["kairos_rows_per_s"]),
                    f"{r['kairos_peak_rss_mb']:,.0f} (+{r['kairos_rss_growth_mb']:,.0f})",
                    f"{r['raw_seconds']:.3f}",
                    _n(r["raw_rows_per_s"]),
                    _n(r["raw_peak_rss_mb"]),
                    f"{r['rate_ratio']:.2f}",
                    f"{r['parse_seconds']:.2f}",
                    f"{r['parse_share_of_import']:.0%}",
                ]
            )
        parts.append(
            _table(
                [
                    "people",
                    "kairos s",
                    "kairos rows/s",
                    "peak RSS MB (+growth)",
                    "raw s",
                    "raw rows/s",
                    "raw RSS MB",
                    "kairos/raw rate",
                    "parse s",
                    "parse share",
                ],
                rows,
            )
        )
        modes = sorted({r["journal_mode"] for r in doc["imports"]})
        parts.append(
            "   kairos = import_people (parse + validate + people upsert + one event per person), "
            f"journal_mode={'/'.join(modes)}; raw = stdlib csv + sqlite3.executemany, one transaction, WAL, "
            "synchronous=NORMAL;\n   kairos/raw rate = raw s / kairos s, paired per run; parse = parse_people "
            "alone (its share of the kairos time)."
        )
    snap = doc.get("snapshot")
    if snap:
        parts.append(f"\n3. Snapshot diff: {snap['people']:,} people stored, a new snapshot with 2 % changes "
                     f"({sum(snap['changes'].values()):,} events: {snap['changes']})")  # fmt: skip
        parts.append(_table(
            ["people", "diff import s", "rows/s", "peak RSS MB (+growth)", "raw s", "raw rows/s", "kairos/raw rate"],
            [[_n(snap["people"]), f"{snap['seconds']:.2f}", _n(snap["rows_per_s"]),
              f"{snap['peak_rss_mb']:,.0f} (+{snap['rss_growth_mb']:,.0f})", f"{snap['raw_seconds']:.3f}",
              _n(snap["raw_rows_per_s"]), f"{snap['rate_ratio']:.2f}"]],
        ))  # fmt: skip
        parts.append(
            "   diff import = import_people of the second snapshot against the stored first (validate, diff, "
            "save changed people, record events); raw = sqlite3.executemany of the same rows into an empty table."
        )
    t = doc.get("tick")
    if t:
        c, k, s = t["calendar"], t["tick"], t["setup"]
        ref = t["reference_raw_insert_seconds"]
        parts.append(
            f"\n2. Scheduler tick scenario: {t['people']:,} people, week of Mon 2 – Sun 8 Mar 2026, "
            f"tick at Mon 12:00 UTC"
        )
        parts.append(
            f"   setup (not the headline): people {s['people_seconds']:.2f} s, framework "
            f"{s['framework_seconds']:.2f} s, {s['goals']:,} goals {s['goals_seconds']:.2f} s; "
            f"same-run reference = raw insert of these {t['people']:,} people: {ref:.3f} s"
        )
        rows = [
            [
                "calendar import",
                f"{c['seconds']:.2f}",
                f"{c['occurrences']:,} occurrences",
                f"{_n(c['occurrences_per_s'])} occurrences/s",
                f"{c['peak_rss_mb']:,.0f} (+{c['rss_growth_mb']:,.0f})",
                f"{c['x_reference']:.0f}×",
            ],
            [
                "tick (total)",
                f"{k['seconds']:.2f}",
                f"{k['events_planned']:,} events planned, {k['moments_created']:,} moments, {k['delivered']} delivered",
                "",
                f"{k['peak_rss_mb']:,.0f} (+{k['rss_growth_mb']:,.0f})",
                f"{k['x_reference']:.0f}×",
            ],
            [
                "  planning",
                f"{k['plan_seconds']:.2f}",
                f"{k['moments_created']:,} moments",
                f"{_n(k['planning_moments_per_s'])} moments/s",
                "",
                "",
            ],
            [
                "  claim+process+deliver",
                f"{k['process_seconds']:.2f}",
                f"{sum(k['finished'].values())} finished {k['finished']}",
                f"{sum(k['finished'].values()) / max(k['process_seconds'], 1e-9):.1f} moments/s",
                "",
                "",
            ],
            [
                "    of which SMTP send",
                f"{k['smtp_send_seconds']:.2f}",
                f"{k['eml_files']} .eml files in the sink",
                "",
                "",
                "",
            ],
        ]
        parts.append(_table(["step", "seconds", "work", "rate", "peak RSS MB (+growth)", "× reference"], rows))
        parts.append(
            f"   median of {len(t['tick_runs'])} run(s) each; × reference = seconds / the same-run raw insert "
            "above. Planning = kairos.worker.plan.plan inside the tick; the rest claims, decides, "
            "composes and sends."
        )
    p = doc.get("profile")
    if p:
        parts.append("\n3. cProfile (top functions by own time; full listings in bench/results/)")
        for name, prof in p.items():
            parts.append(f"   {name} ({prof['total_seconds']:.2f} s under the profiler, {prof['file']}):")
            for f in prof["top_tottime"][:6]:
                parts.append(
                    f"     {f['tottime']:7.3f} s own  {f['cumtime']:7.3f} s cum  {f['calls']:>9,} calls  "
                    f"{f['function']}"
                )
    return "\n".join(parts)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, float):
        return round(value, 6)
    return value


# ``python -m bench <name> [options]`` (and ``./kairos.sh bench <name>``) runs one of the other benchmarks.
SUITES = {"deliveries": "bench.deliveries", "embeddings": "bench.embeddings", "planning": "bench.planning",
          "scim": "bench.scim"}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in SUITES:
        from importlib import import_module

        return int(import_module(SUITES[argv[0]]).main(argv[1:]) or 0)
    args = _parser().parse_args(argv)
    sizes = args.sizes or ([2000, 10000] if args.quick else [10000, 100000])
    tick_n = args.tick_people or (1000 if args.quick else 10000)
    repeat = args.repeat or (1 if args.quick else 3)
    started = datetime.now(UTC).astimezone()
    wall = time.perf_counter()
    doc: dict[str, Any] = {
        "started_at": started.isoformat(timespec="seconds"),
        "command": " ".join(["python -m bench", *(argv if argv is not None else sys.argv[1:])]).strip(),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "versions": _versions(),
        "load_before": _load(),
        "repeat": repeat,
        "database": "SQLite file per measurement (kairos.store.open_database: WAL, synchronous=NORMAL)",
    }
    with tempfile.TemporaryDirectory(prefix="kairos-bench-") as tmp:
        work = Path(tmp)
        doc["imports"] = bench_imports(work, sizes, repeat)
        snapshot_n = args.snapshot_people or (10000 if args.quick else 100000)
        doc["snapshot"] = bench_snapshot(work, snapshot_n, repeat)
        tick = None if args.no_tick else bench_tick(work, tick_n, repeat)
        if tick:
            doc["tick"] = {k: v for k, v in tick.items() if k != "paths"}
        if args.profile:
            _say("[profile] cProfile runs …")
            doc["profile"] = bench_profile(work, tick["paths"] if tick else None, tick_n)
    doc["load_after"] = _load()
    doc["wall_seconds"] = time.perf_counter() - wall
    text = render(doc)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(_jsonable(doc), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nFigures written to {args.out} (whole run {doc['wall_seconds']:.0f} s).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
