"""``python -m bench.deliveries``: nudges delivered per second per channel by the real worker, and their latency.

Against servers on 127.0.0.1; latency is how long after their due time the nudges arrive.

1. Setup, once per people count: ``bench/generate.py``'s organization (``--people``; ``--matrix-people`` for
   Matrix), everyone moved to Europe/Berlin, the ``examples/demo-org/framework.yaml`` framework, and a goal for
   every person dated the benchmark Monday. The bundled ``goal-updated`` play plans one ``acknowledge-goal`` nudge
   per person, all due at the same instant (09:00 Berlin on the next working morning): a burst of ``--people``
   deliveries due at once.
2. Per channel, in its own ``spawn`` subprocess on its own copy of the database: start the channel's local
   server in another process, build the runtime with ``delivery={"channels": [channel]}``, warm up what is loaded
   on first use (the content library's model and vectors), then run ``tick(rt, due)`` until nothing is left.
   Each delivery's latency is the wall time from the start of that tick (the due instant) to the moment the
   channel's ``send`` returned delivered: the whole queue is due at once, so the p50 is where the middle of the
   burst landed and the p99 is nearly the whole burst.
3. The servers count what they accepted (Matrix: the bot's messages in its rooms, read back from Synapse); the run
   checks it against the worker's delivered count (and, for webhooks, that every signature verified).

Channels: ``email`` (aiosmtpd as its own process, writing ``.eml`` files), ``webhook`` (a threaded HTTP receiver
in its own process that verifies Standard Webhooks signatures with ``kairos.deliver.signing.verify``) and
``matrix`` (Synapse as ``tests/support/synapse.py`` starts it, in its own process, with a bot and an account per
person). A person's first Matrix delivery also creates their direct room, about a second under load, so Matrix runs
with its own, smaller people count (``--matrix-people``, default 200) and its figures include that room creation.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import io
import json
import multiprocessing
import os
import platform
import pstats
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from bench import generate, measure

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
FRAMEWORK = ROOT / "examples" / "demo-org" / "framework.yaml"
ZONE = "Europe/Berlin"
GOAL_DATE = date(2026, 3, 2)  # the benchmark Monday; the goal-updated play takes goals dated within 7 days
SETUP_AT = datetime(2026, 3, 2, 6, tzinfo=UTC)
CHANNELS = ("email", "webhook", "matrix")
WEBHOOK_SECRET = "whsec_a2Fpcm9zLWJlbmNoLWRlbGl2ZXJpZXMtc2VjcmV0"  # "kairos-bench-deliveries-secret": local only


def _say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --------------------------------------------------------------------------- local servers, one per channel


@dataclass
class Target:
    """A channel's local server while it runs: the settings that point Kairos at it, and what it accepted."""

    settings: dict[str, Any]  # load_settings overrides for this channel
    received: Callable[[], int]  # messages the server accepted so far
    rejected: Callable[[], int] = field(default=lambda: 0)  # requests it refused (a bad signature)
    server: str = ""  # what ran, for the report


def _wait_for_port(port: int, proc: subprocess.Popen[bytes] | multiprocessing.process.BaseProcess) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            alive = proc.poll() is None if isinstance(proc, subprocess.Popen) else proc.is_alive()
            if not alive:
                raise RuntimeError(f"the local server on port {port} exited before it listened") from None
            time.sleep(0.05)
    raise RuntimeError(f"the local server on port {port} did not listen within 20 s")


@contextmanager
def email_target(work: Path) -> Iterator[Target]:
    """aiosmtpd in its own process with Kairos's .eml folder handler (what ``kairos demo`` uses in-process)."""
    port, folder = _free_port(), work / "mail"
    folder.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", "-c",
           "kairos.demo.mail_sink.EmlFolder", str(folder)]  # fmt: skip
    with (work / "smtp.log").open("wb") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait_for_port(port, proc)
            yield Target({"smtp": {"host": "127.0.0.1", "port": port}}, lambda: len(list(folder.glob("*.eml"))),
                         server="aiosmtpd (own process), .eml files")  # fmt: skip
        finally:
            proc.terminate()
            proc.wait(10)


def serve_webhooks(port: int, secret: str, accepted: Any, refused: Any, stop: Any) -> None:
    """The benchmark's webhook receiver (a subprocess): verify each request as an integrator would, answer 200."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from kairos.deliver.signing import SignatureError, secret_key, verify

    keys = [secret_key(secret)]

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:  # noqa: N802 (the name http.server calls)
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            try:
                verify(keys, {k.lower(): v for k, v in self.headers.items()}, body, time.time())
                status, counter = 200, accepted
            except SignatureError:
                status, counter = 401, refused
            with counter.get_lock():
                counter.value += 1
            self.send_response(status)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    server.timeout = 0.2
    while not stop.is_set():
        server.handle_request()
    server.server_close()


@contextmanager
def webhook_target(work: Path) -> Iterator[Target]:
    ctx = multiprocessing.get_context("spawn")
    port, stop = _free_port(), ctx.Event()
    accepted, refused = ctx.Value("i", 0), ctx.Value("i", 0)
    proc = ctx.Process(target=serve_webhooks, args=(port, WEBHOOK_SECRET, accepted, refused, stop))
    proc.start()
    try:
        _wait_for_port(port, proc)
        settings = {"webhook_out": {"url": f"http://127.0.0.1:{port}/kairos", "secret": WEBHOOK_SECRET}}
        yield Target(settings, lambda: int(accepted.value), lambda: int(refused.value),
                     server="ThreadingHTTPServer (own process), signatures verified")  # fmt: skip
    finally:
        stop.set()
        proc.join(10)


@contextmanager
def matrix_target(work: Path) -> Iterator[Target]:
    """Synapse in its own process (``tests/support/synapse.py``) with a bot and one account per person in
    ``work / 'people.csv'``, named after their email's local part so ``user_id_template`` reaches everyone;
    ``received`` counts the bot's messages in its rooms (each person's direct room, made on first delivery)."""
    from importlib import metadata

    from tests.support.synapse import SERVER_NAME, SynapseServer

    home = work / "synapse"
    home.mkdir(parents=True, exist_ok=True)
    with (work / "people.csv").open(encoding="utf-8", newline="") as f:
        localparts = sorted({row["email"].rsplit("@", 1)[0].lower() for row in csv.DictReader(f)})
    server = SynapseServer(home)
    try:
        bot = server.register("kairos-bot")
        started = time.perf_counter()
        with ThreadPoolExecutor(8) as pool:  # one at a time, 1,000 accounts take a while even with cheap bcrypt
            list(pool.map(server.register, localparts))
        _say(f"[deliveries] matrix: Synapse started in {server.start_seconds:.1f} s, {len(localparts):,} people "
             f"registered in {time.perf_counter() - started:.1f} s")  # fmt: skip
        matrix = {"homeserver": server.url, "user_id": bot.user_id, "access_token": bot.access_token,
                  "device_id": bot.device_id, "user_id_template": f"@{{email_local}}:{SERVER_NAME}"}  # fmt: skip
        settings = {"matrix": matrix}
        yield Target(settings, lambda: _messages_from(server.url, bot.user_id, bot.access_token),
                     server=f"Synapse {metadata.version('matrix-synapse')} (own process), SQLite, a direct room "
                            "per person created on their first delivery")  # fmt: skip
    finally:
        server.stop()


def _matrix_get(url: str, token: str) -> Any:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def _messages_from(homeserver: str, sender: str, token: str) -> int:
    """The ``m.room.message`` events ``sender`` has in the rooms it joined, read back page by page."""
    wanted = quote(json.dumps({"types": ["m.room.message"], "senders": [sender]}))

    def in_room(room: str) -> int:
        count, since = 0, ""
        while True:
            page = _matrix_get(f"{homeserver}/_matrix/client/v3/rooms/{quote(room, safe='')}/messages?dir=b"
                               f"&limit=100&filter={wanted}{since}", token)  # fmt: skip
            count += len(page.get("chunk", []))
            if not page.get("chunk") or "end" not in page:
                return count
            since = f"&from={quote(page['end'])}"

    rooms = _matrix_get(f"{homeserver}/_matrix/client/v3/joined_rooms", token)["joined_rooms"]
    with ThreadPoolExecutor(8) as pool:
        return sum(pool.map(in_room, rooms))


TARGETS: dict[str, Callable[[Path], AbstractContextManager[Target]]] = {
    "email": email_target,
    "webhook": webhook_target,
    "matrix": matrix_target,
}


# --------------------------------------------------------------------------- setup and measurement (subprocesses)


def write_inputs(people: int, work: Path) -> dict[str, Path]:
    """The organization in one zone and a goal for everyone, dated the benchmark Monday."""
    org = generate.make_org(people)
    for row in org.rows:
        row["time_zone"], row["location"] = ZONE, "Berlin"
    paths = {"people": work / "people.csv", "goals": work / "goals.csv"}
    generate.write_people_csv(org, paths["people"])
    from kairos.ingest.framework import parse_framework

    competencies = [c.id for c in parse_framework(FRAMEWORK).competencies]
    with paths["goals"].open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(generate.GOAL_COLUMNS)
        for n, row in enumerate(org.rows):
            cid = competencies[n % len(competencies)]
            writer.writerow([row["id"], cid, 2, f"Practise {cid.replace('-', ' ')} every week.", GOAL_DATE])
    return paths


def setup_child(people_csv: str, goals_csv: str, db_path: str) -> dict[str, Any]:
    """Import, then plan (a tick at setup time: nothing is due yet). Returns the instant the burst is due."""
    from sqlalchemy import func, select

    from kairos.ingest.framework import import_framework
    from kairos.ingest.goals import import_goals
    from kairos.ingest.people import import_people
    from kairos.settings import load_settings
    from kairos.store import open_database
    from kairos.store.schema import moments
    from kairos.worker.runtime import build_runtime
    from kairos.worker.tick import tick

    db = open_database(f"sqlite:///{db_path}")
    db.migrate()
    start = time.perf_counter()
    people = import_people(db, people_csv, as_of=GOAL_DATE, now=SETUP_AT)
    import_framework(db, FRAMEWORK, now=SETUP_AT)
    goals = import_goals(db, goals_csv, now=SETUP_AT)
    rt = build_runtime(load_settings(database_url=f"sqlite:///{db_path}", data_dir=Path(db_path).parent), db)
    report = tick(rt, SETUP_AT)
    with db.transaction() as conn:
        due = conn.execute(
            select(moments.c.due_at, func.count()).where(moments.c.status == "planned").group_by(moments.c.due_at)
        ).all()
    db.dispose()
    if len(due) != 1 or report.finished:
        raise RuntimeError(f"expected one burst of planned moments and nothing finished; got {due}, {report}")
    return {"people": people.people, "goals": goals, "moments": due[0][1], "due_at": due[0][0].isoformat(),
            "seconds": time.perf_counter() - start}  # fmt: skip


def _runtime(settings: Any, db: Any, channel: str) -> Any:
    """The worker's runtime as ``kairos worker`` builds it. A channel whose registry line is not in yet is built
    from its own module beside the registered ones."""
    from importlib import import_module

    from kairos.deliver.registry import FACTORIES, build_channels
    from kairos.worker.runtime import build_runtime

    if channel in FACTORIES:
        return build_runtime(settings, db)
    others = settings.model_copy(update={"delivery": settings.delivery.model_copy(update={"channels": []})})
    built = import_module(f"kairos.deliver.channels.{channel}").from_settings(settings)
    return build_runtime(settings, db, {**build_channels(others), channel: built})


def deliver_child(channel: str, db_path: str, work_dir: str, due_at: str, profile_to: str = "") -> dict[str, Any]:
    """One channel's burst: start its server, warm up, tick at the due instant until nothing is due; time it.
    With ``profile_to``, the timed loop runs under cProfile and the top functions are written there."""
    from kairos.deliver.base import ReceiptStatus
    from kairos.settings import load_settings
    from kairos.store import open_database
    from kairos.worker.tick import tick

    work, due = Path(work_dir), datetime.fromisoformat(due_at)
    db = open_database(f"sqlite:///{db_path}")
    with TARGETS[channel](work) as target:
        settings = load_settings(database_url=f"sqlite:///{db_path}", data_dir=work / "data",
                                 delivery={"channels": [channel]}, **target.settings)  # fmt: skip
        rt = _runtime(settings, db, channel)
        rt.content.vectors()  # loaded on first use: not part of any delivery's latency
        rt.content.embedder.embed(["warm up"])
        sender = rt.channels[channel]
        real_send = sender.send
        done: list[float] = []
        in_send = [0.0]
        start = 0.0

        def timed_send(*args: Any, **kwargs: Any) -> Any:
            t = time.perf_counter()
            receipt = real_send(*args, **kwargs)
            now = time.perf_counter()
            in_send[0] += now - t
            if receipt.status is ReceiptStatus.DELIVERED:
                done.append(now - start)
            return receipt

        sender.send = timed_send
        profiler = cProfile.Profile() if profile_to else None
        before = measure._rss_mb()
        if profiler:
            profiler.enable()
        start = time.perf_counter()
        ticks, finished = 0, dict[str, int]()
        while True:
            report = tick(rt, due)
            ticks += 1
            for reason, count in report.finished.items():
                finished[reason] = finished.get(reason, 0) + count
            if not report.finished and not report.deferred:
                break
        seconds = time.perf_counter() - start
        if profiler:
            profiler.disable()
            _write_profile(profiler, profile_to)
        peak = measure._peak(before)
        for ch in rt.channels.values():
            ch.close()
        deadline = time.monotonic() + 5  # the server may still be writing the last message
        while target.received() < len(done) and time.monotonic() < deadline:
            time.sleep(0.05)
        received, rejected = target.received(), target.rejected()
    db.dispose()
    return {"channel": channel, "server": target.server, "seconds": seconds, "send_seconds": in_send[0],
            "ticks": ticks, "finished": finished, "delivered": len(done), "received": received,
            "rejected": rejected, "latencies": done, **peak}  # fmt: skip


def _write_profile(profiler: cProfile.Profile, path: str, top: int = 35) -> None:
    buf = io.StringIO()
    stats = pstats.Stats(profiler, stream=buf)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    Path(path).write_text(buf.getvalue(), encoding="utf-8")


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def _copy_db(source: Path, target: Path) -> Path:
    """A consistent copy of a closed database (SQLite's backup API, so a WAL left behind is included)."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    with dst:
        src.backup(dst)
    src.close()
    dst.close()
    return target


# --------------------------------------------------------------------------- the run and its report


def set_up(people: int, work: Path) -> tuple[dict[str, Any], Path]:
    """The organization of ``people`` and its planned database, in a folder of its own (once per people count)."""
    folder = work / f"org-{people}"
    folder.mkdir()
    paths = write_inputs(people, folder)
    setup = measure.run_isolated(setup_child, str(paths["people"]), str(paths["goals"]), str(folder / "planned.db"))
    _say(f"[deliveries] setup: {setup['people']:,} people, {setup['moments']:,} nudges due at {setup['due_at']} "
         f"({setup['seconds']:.1f} s)")  # fmt: skip
    return setup, folder


def run(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    results: dict[str, Any] = {"setups": {}, "channels": {}}
    orgs: dict[int, tuple[dict[str, Any], Path]] = {}
    if args.profile:
        RESULTS.mkdir(parents=True, exist_ok=True)
    for channel in args.channels:
        people = args.matrix_people if channel == "matrix" else args.people
        if people not in orgs:
            orgs[people] = set_up(people, work)
            results["setups"][str(people)] = orgs[people][0]
        setup, org = orgs[people]
        runs = []
        for i in range(args.repeat):
            folder = work / f"{channel}-{i}"
            folder.mkdir()
            shutil.copyfile(org / "people.csv", folder / "people.csv")  # a server may need the people (Matrix)
            db = _copy_db(org / "planned.db", folder / "kairos.db")
            load = _load()
            profile = str(RESULTS / f"profile-deliveries-{channel}.txt") if args.profile and i == 0 else ""
            got = measure.run_isolated(deliver_child, channel, str(db), str(folder), setup["due_at"], profile)
            if got["delivered"] != setup["moments"] or got["received"] != got["delivered"] or got["rejected"]:
                raise RuntimeError(
                    f"{channel}: {got['delivered']} delivered of {setup['moments']} due, the server accepted "
                    f"{got['received']} and refused {got['rejected']}; finished {got['finished']}"
                )
            got["load_before"] = load
            if profile:
                got["profile"] = str(Path(profile).relative_to(ROOT))
            runs.append(got)
            _say(f"[deliveries] {channel} run {i + 1}/{args.repeat}: {got['delivered']:,} in {got['seconds']:.2f} s "
                 f"({got['delivered'] / got['seconds']:,.1f}/s), p50 {_percentile(got['latencies'], 0.5):.2f} s, "
                 f"p99 {_percentile(got['latencies'], 0.99):.2f} s")  # fmt: skip
        results["channels"][channel] = {"people": people, **summarize(runs)}
    return results


def summarize(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The median run by throughput, with every run's figures kept."""
    best = sorted(runs, key=lambda r: r["delivered"] / r["seconds"])[len(runs) // 2]
    lat = best["latencies"]
    return {
        "server": best["server"],
        "delivered": best["delivered"],
        "seconds": best["seconds"],
        "per_second": best["delivered"] / best["seconds"],
        "send_seconds": best["send_seconds"],
        "send_ms_each": 1000 * best["send_seconds"] / best["delivered"],
        "worker_ms_each": 1000 * (best["seconds"] - best["send_seconds"]) / best["delivered"],
        "p50": _percentile(lat, 0.5),
        "p99": _percentile(lat, 0.99),
        "max": max(lat),
        "first": min(lat),
        "peak_rss_mb": best["peak_rss_mb"],
        "ticks": best["ticks"],
        "runs": [
            {k: v for k, v in r.items() if k != "latencies"} | {"per_second": r["delivered"] / r["seconds"]}
            for r in runs
        ],
    }


def render(doc: dict[str, Any]) -> str:
    r = doc["result"]
    due = ", ".join(sorted({s["due_at"] for s in r["setups"].values()}))
    lines = [
        f"Kairos delivery benchmark — {doc['started_at']} — {doc['machine']['cpus']} CPUs, Python "
        f"{doc['versions']['python']}, SQLite {doc['versions']['sqlite']}; load average {doc['load_before']} → "
        f"{doc['load_after']}",
        f"\nEveryone in {ZONE}, one goal-updated nudge per person, all due at {due}; one worker process (tick at "
        f"the due instant until nothing is left); median of {doc['repeat']} run(s).",
        "",
    ]
    header = ["channel", "people", "delivered", "seconds", "per second", "p50 s", "p99 s", "max s", "send ms each",
              "rest of worker ms each", "peak RSS MB"]  # fmt: skip
    rows = []
    for name, c in r["channels"].items():
        rows.append([name, f"{c['people']:,}", f"{c['delivered']:,}", f"{c['seconds']:.2f}",
                     f"{c['per_second']:,.1f}", f"{c['p50']:.2f}", f"{c['p99']:.2f}", f"{c['max']:.2f}",
                     f"{c['send_ms_each']:.1f}", f"{c['worker_ms_each']:.1f}", f"{c['peak_rss_mb']:,.0f}"])  # fmt: skip
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(header)]
    lines.append("  ".join(h.rjust(w) for h, w in zip(header, widths, strict=True)))
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    lines.append(
        "   latency = wall time from the start of the tick at the due instant to the channel's send returning "
        "delivered;\n   send ms = time inside the channel's send (connect, protocol, the server's answer); the rest "
        "is claim, rules, decide, compose and the delivery ledger."
    )
    for name, c in r["channels"].items():
        lines.append(f"   {name}: {c['server']}")
    if "matrix" in r["channels"]:
        lines.append("   matrix has its own people count (--matrix-people): each person's first delivery also creates "
                     "their direct room.")  # fmt: skip
    return "\n".join(lines)


def _versions() -> dict[str, str]:
    from importlib import metadata

    found = {"python": platform.python_version(), "sqlite": sqlite3.sqlite_version}
    for name in ("sqlalchemy", "httpx", "aiosmtpd", "matrix-synapse", "matrix-nio"):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "?"
    return found


def _channels(text: str) -> list[str]:
    names = [c.strip() for c in text.split(",") if c.strip()]
    unknown = [c for c in names if c not in CHANNELS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"channels are among {', '.join(CHANNELS)}; got {text!r}")
    return names


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench.deliveries", description=__doc__.splitlines()[0])
    p.add_argument("--people", type=int, default=1_000, help="people, one nudge each, all due at once (default 1,000)")
    p.add_argument("--channels", type=_channels, default=list(CHANNELS),
                   help="comma-separated, among email, webhook, matrix (default all)")  # fmt: skip
    p.add_argument("--matrix-people", type=int, default=200,
                   help="people on the Matrix channel: each first delivery creates a room (default 200)")  # fmt: skip
    p.add_argument("--repeat", type=int, default=1, help="runs per channel; the median is shown (default 1)")
    p.add_argument("--quick", action="store_true", help="smoke run: 200 people")
    p.add_argument(
        "--profile",
        action="store_true",
        help="cProfile each channel's first run (a slower run; top functions to "
        "bench/results/profile-deliveries-<channel>.txt)",
    )
    p.add_argument("--out", type=Path, default=RESULTS / "deliveries.json", help="where to write the JSON figures")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.quick:
        args.people = 200
    wall = time.perf_counter()
    doc: dict[str, Any] = {
        "started_at": datetime.now(UTC).astimezone().isoformat(timespec="seconds"),
        "command": " ".join(["python -m bench.deliveries", *(argv if argv is not None else sys.argv[1:])]),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "versions": _versions(),
        "repeat": args.repeat,
        "load_before": _load(),
    }
    with tempfile.TemporaryDirectory(prefix="kairos-bench-deliveries-") as tmp:
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
