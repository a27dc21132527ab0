"""``python -m bench.scim``: SCIM requests per second on 10,000 provisioned users, SQLite.

1. A fresh SQLite file (the embedded default: WAL, synchronous=NORMAL), migrated.
2. ``--users`` Users provisioned through ``ScimService.create`` in this process: the code behind
   ``POST /Users`` (validation, person mapping, manager check, ``sync_people``, the SCIM row) without
   HTTP. Each has an employee number, a manager (8 reports per manager), enterprise and Kairos
   extensions. The create rate is printed too.
3. ``kairos serve`` (uvicorn, one process, as shipped) in a subprocess on a free port.
4. Over HTTP with keep-alive: ``GET /Users/{id}`` and ``PATCH /Users/{id}`` (replace ``title`` with a
   new value each time, so every PATCH records a ``person.role_changed`` event) on random users,
   first from one client in sequence, then from ``--concurrency`` clients in threads. A few list
   queries show what an indexed filter and a scanning filter cost.

Figures swing with whatever else runs on the machine; run it twice.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "bench-token"
CORE = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
KAIROS = "urn:kairos:params:scim:schemas:extension:kairos:2.0:User"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ZONES = ("Europe/Berlin", "America/New_York", "Asia/Tokyo", "Europe/London", "America/Los_Angeles")


def _user(n: int, manager: str | None) -> dict[str, Any]:
    enterprise: dict[str, Any] = {"employeeNumber": f"e{n:06d}", "department": f"Team {n % 40}"}
    if manager:
        enterprise["manager"] = {"value": manager}
    return {
        "schemas": [CORE, ENTERPRISE, KAIROS],
        "userName": f"user{n}@example.com",
        "externalId": f"okta-{n}",
        "name": {"givenName": f"Given{n}", "familyName": f"Family{n % 997}"},
        "displayName": f"Given{n} Family{n % 997}",
        "title": "Software Engineer",
        "timezone": ZONES[n % len(ZONES)],
        "active": True,
        "emails": [{"value": f"user{n}@example.com", "type": "work", "primary": True}],
        ENTERPRISE: enterprise,
        KAIROS: {"level": f"IC{1 + n % 5}", "location": "Berlin", "startDate": "2022-01-10"},
    }


def seed(url: str, users: int) -> tuple[list[str], float]:
    """Provision ``users`` Users through the SCIM service; returns their SCIM ids and the seconds taken."""
    from kairos.api.deps import Services
    from kairos.api.scim.service import Call, ScimService
    from kairos.clock import FrozenClock
    from kairos.settings import load_settings
    from kairos.store import open_database

    db = open_database(url)
    db.migrate()
    services = Services(load_settings(database_url=url, scim={"token": TOKEN}), db, FrozenClock(datetime.now(UTC)))
    call = Call("POST", "/scim/v2/Users", "http://127.0.0.1/scim/v2")
    ids: list[str] = []
    started = time.perf_counter()
    for n in range(users):
        manager = ids[(n - 1) // 8] if n else None
        body = json.dumps(_user(n, manager)).encode()
        created = ScimService(services, call).create("User", body)
        assert created.id is not None
        ids.append(created.id)
        if (n + 1) % 2000 == 0:
            print(f"  provisioned {n + 1:,} users ({(n + 1) / (time.perf_counter() - started):,.0f}/s)", flush=True)
    seconds = time.perf_counter() - started
    db.dispose()
    return ids, seconds


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """``python -m kairos serve`` on a free port, stopped with its process group."""

    def __init__(self, url: str, workdir: Path) -> None:
        self.port = _free_port()
        env = {
            **os.environ,
            "KAIROS_DATABASE_URL": url,
            "KAIROS_SCIM__TOKEN": TOKEN,
            "KAIROS_DATA_DIR": str(workdir),
            "PYTHONPATH": str(ROOT),
        }
        self.log = (workdir / "serve.log").open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "kairos", "serve", "--port", str(self.port)],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"kairos serve exited: {(workdir / 'serve.log').read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.root}/healthz", timeout=0.5).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("kairos serve not ready after 30 s")
            time.sleep(0.05)

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        self.log.close()


def _client(root: str) -> httpx.Client:
    return httpx.Client(
        base_url=f"{root}/scim/v2",
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/scim+json"},
        timeout=30,
    )


def _get(client: httpx.Client, rng: random.Random, ids: list[str], n: int) -> None:
    response = client.get(f"/Users/{rng.choice(ids)}")
    assert response.status_code == 200, response.text


def _patch(client: httpx.Client, rng: random.Random, ids: list[str], n: int) -> None:
    body = {"schemas": [PATCH_OP], "Operations": [{"op": "replace", "path": "title", "value": f"Engineer {n}"}]}
    response = client.patch(f"/Users/{rng.choice(ids)}", json=body)
    assert response.status_code == 200, response.text


def run(root: str, operation: Any, ids: list[str], requests: int, clients: int) -> dict[str, float]:
    """``requests`` calls spread over ``clients`` threads, each with its own keep-alive connection."""
    latencies: list[float] = []
    lock = threading.Lock()
    counter = iter(range(requests))

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        mine: list[float] = []
        with _client(root) as client:
            for n in counter:
                began = time.perf_counter()
                operation(client, rng, ids, n)
                mine.append(time.perf_counter() - began)
        with lock:
            latencies.extend(mine)

    with _client(root) as warm:  # connections, caches and the first compiled statements
        for n in range(50):
            operation(warm, random.Random(n), ids, 10**9 + n)
    threads = [threading.Thread(target=worker, args=(s,)) for s in range(clients)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - began
    latencies.sort()
    return {
        "requests": len(latencies),
        "clients": clients,
        "seconds": round(seconds, 2),
        "per_second": round(len(latencies) / seconds, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 2),
        "p95_ms": round(latencies[int(len(latencies) * 0.95) - 1] * 1000, 2),
    }


def queries(root: str) -> dict[str, float]:
    """Milliseconds for a few list requests (median of 5)."""
    wanted = {
        "userName eq (indexed)": {"filter": 'userName eq "user4321@example.com"'},
        "externalId eq (indexed)": {"filter": 'externalId eq "okta-4321"'},
        "emails.value co (reads every user)": {"filter": 'emails.value co "user4321@"'},
        "first page, count=100": {"count": "100"},
    }
    found = {}
    with _client(root) as client:
        for name, params in wanted.items():
            times = []
            for _ in range(5):
                began = time.perf_counter()
                response = client.get("/Users", params=params)
                times.append(time.perf_counter() - began)
                assert response.status_code == 200, response.text
            found[name] = round(statistics.median(times) * 1000, 1)
    return found


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.scim", description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10_000, help="Users to provision first (default 10,000)")
    parser.add_argument("--requests", type=int, default=2_000, help="requests per measurement (default 2,000)")
    parser.add_argument("--concurrency", type=int, default=8, help="clients in the concurrent runs (default 8)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="kairos-bench-scim-") as tmp:
        workdir = Path(tmp)
        url = f"sqlite:///{workdir / 'kairos.db'}"
        print(f"Provisioning {args.users:,} users into {url} …", flush=True)
        ids, seed_seconds = seed(url, args.users)
        server = Server(url, workdir)
        try:
            figures: dict[str, Any] = {
                "users": args.users,
                "cpus": os.cpu_count(),
                "python": sys.version.split()[0],
                "provision_per_second": round(args.users / seed_seconds, 1),
            }
            for name, operation in (
                ("GET /Users/{id}", _get),
                ("PATCH /Users/{id} (replace title)", _patch),
            ):
                figures[name] = {
                    "sequential": run(server.root, operation, ids, args.requests, 1),
                    "concurrent": run(server.root, operation, ids, args.requests, args.concurrency),
                }
            figures["list requests (ms)"] = queries(server.root)
        finally:
            server.stop()

    print()
    print(f"SCIM on SQLite, {args.users:,} users, kairos serve (uvicorn, 1 process), {figures['cpus']} CPUs")
    print(f"  provisioning in-process (POST /Users' code, no HTTP): {figures['provision_per_second']:,.0f} users/s")
    print(f"  {'request':36} {'clients':>7} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8}")
    for name in ("GET /Users/{id}", "PATCH /Users/{id} (replace title)"):
        for mode in ("sequential", "concurrent"):
            f = figures[name][mode]
            print(f"  {name:36} {f['clients']:>7} {f['per_second']:>8,.0f} {f['p50_ms']:>8.2f} {f['p95_ms']:>8.2f}")
    for name, ms in figures["list requests (ms)"].items():
        print(f"  GET /Users?{name}: {ms:,.1f} ms")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
