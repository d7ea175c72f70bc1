"""Benchmark: POST /api/match over real HTTP against a registry of 20,000 entities.

The stack: a throw-away SQLite database under a temp dir, filled with the synthetic registry of
bench/synthetic_registry.py, and gunicorn (one sync worker) serving config.wsgi on 127.0.0.1. One
client with a keep-alive connection sends, in the same run:

1. Baseline: GET /api/entities/{id} of random entities (a primary-key lookup through the same stack).
2. One query per request: POST /api/match with one messy name (and its state hint); p50/p95/p99.
3. Batches: POST /api/match with 1,000 queries each; queries per second.

Server CPU (the gunicorn process group, from /proc) is printed beside wall time for each phase; the
index is built by the first match request and timed apart.

    .venv/bin/python bench/match_api.py [--entities 20000] [--requests 400] [--batches 5]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from synthetic_registry import Synthetic, make_registry, queries

VENV_BIN = Path(sys.executable).parent
CLK_TCK = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def group_cpu(pgid: int) -> float:
    """CPU seconds (user+system) of the live processes in process group `pgid`."""
    total = 0.0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            raw = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = raw[raw.rindex(")") + 2:].split()
        if int(fields[2]) == pgid:
            total += (int(fields[11]) + int(fields[12])) / CLK_TCK
    return total


def populate(env: dict[str, str], registry: list[Synthetic]) -> None:
    os.environ.update(env)
    import django

    django.setup()
    from tiewatch.registry.models import Entity, Jurisdiction

    jurisdictions = {"ocd-division/country:us": Jurisdiction(id="ocd-division/country:us", name="United States")}
    for e in registry:
        if e.state:
            sid = f"ocd-division/country:us/state:{e.state.lower()}"
            jurisdictions.setdefault(sid, Jurisdiction(id=sid, name=e.state, parent_id="ocd-division/country:us"))
            if e.place:
                pid = f"{sid}/place:{e.place.lower()}"
                jurisdictions.setdefault(pid, Jurisdiction(id=pid, name=e.place, parent_id=sid))
    Jurisdiction.objects.bulk_create(sorted(jurisdictions.values(), key=lambda j: j.id.count("/")), batch_size=2000)

    def place_of(e: Synthetic) -> str | None:
        if not e.state:
            return None
        sid = f"ocd-division/country:us/state:{e.state.lower()}"
        return f"{sid}/place:{e.place.lower()}" if e.place else sid

    Entity.objects.bulk_create([Entity(id=e.id, name=e.name, kind=e.kind, country=e.country, aliases=[],
                                       jurisdiction_id=place_of(e), search_text=e.name.lower())
                                for e in registry], batch_size=2000)


class Client:
    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def request(self, method: str, path: str, body: object | None = None) -> tuple[int, bytes, float]:
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json"} if data else {}
        t0 = time.perf_counter()
        self.conn.request(method, path, body=data, headers=headers)
        response = self.conn.getresponse()
        payload = response.read()
        return response.status, payload, time.perf_counter() - t0


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def phase(name: str, pgid: int, run: callable) -> tuple[list[float], float, float]:
    cpu0, t0 = group_cpu(pgid), time.perf_counter()
    latencies = run()
    wall, cpu = time.perf_counter() - t0, group_cpu(pgid) - cpu0
    return latencies, wall, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entities", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--batches", type=int, default=5)
    args = parser.parse_args()

    root = Path(tempfile.mkdtemp(prefix="tiewatch-match-bench-"))
    env = dict(os.environ)
    env.update({"DATABASE_URL": f"sqlite:///{root / 'db.sqlite3'}", "DEBUG": "false", "LOG_LEVEL": "ERROR",
                "SECRET_KEY": "tiewatch-bench-only-throwaway-database", "DJANGO_SETTINGS_MODULE": "config.settings",
                "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH", "")]))})
    subprocess.run([str(VENV_BIN / "tiewatch"), "migrate"], cwd=REPO, env=env, check=True, stdout=subprocess.DEVNULL)
    registry = make_registry(args.entities)
    t0 = time.perf_counter()
    populate(env, registry)
    print(f"registry: {len(registry):,} entities written in {time.perf_counter() - t0:.1f} s (SQLite, {root})")

    port = free_port()
    with open(root / "gunicorn.log", "wb") as log:
        server = subprocess.Popen([str(VENV_BIN / "gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{port}",
                                   "--workers", "1", "--keep-alive", "30", "--timeout", "300"],
                                  cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        return run_phases(server, port, registry, args)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(10)


def run_phases(server: subprocess.Popen, port: int, registry: list[Synthetic], args: argparse.Namespace) -> int:
    deadline = time.time() + 60
    while True:
        try:
            if Client(port).request("GET", "/api/reconcile")[0] == 200:
                break
        except OSError as error:
            if time.time() > deadline:
                raise SystemExit("gunicorn did not start") from error
            time.sleep(0.2)
    client = Client(port)
    rng = random.Random(3)
    qs = queries(registry, args.requests + args.batches * 1000)
    print(f"stack: gunicorn 1 sync worker on 127.0.0.1:{port}; one keep-alive client; {os.cpu_count()} CPUs")

    status, _, build = client.request("POST", "/api/match", {"queries": [qs[0]]})
    assert status == 200, status
    print(f"first match request (builds the index of {len(registry):,} entities): {build * 1000:.0f} ms")

    ids = [rng.choice(registry).id for _ in range(args.requests)]

    def baseline() -> list[float]:
        return [client.request("GET", f"/api/entities/{i}")[2] for i in ids]

    def one_query() -> list[float]:
        out = []
        for q in qs[:args.requests]:
            status, _, seconds = client.request("POST", "/api/match", {"queries": [q], "limit": 5})
            assert status == 200, status
            out.append(seconds)
        return out

    def batches() -> list[float]:
        out = []
        for b in range(args.batches):
            chunk = qs[args.requests + b * 1000: args.requests + (b + 1) * 1000]
            status, _, seconds = client.request("POST", "/api/match", {"queries": chunk, "limit": 5})
            assert status == 200, status
            out.append(seconds)
        return out

    pgid = server.pid
    base, base_wall, base_cpu = phase("baseline", pgid, baseline)
    one, one_wall, one_cpu = phase("match", pgid, one_query)
    batch, batch_wall, batch_cpu = phase("batch", pgid, batches)
    print(f"baseline GET /api/entities/{{id}} x{len(base)}: p50 {pct(base, 50) * 1000:.1f} ms, "
          f"p95 {pct(base, 95) * 1000:.1f} ms; server CPU {base_cpu / len(base) * 1000:.2f} ms/request "
          f"(wall {base_wall:.1f} s)")
    print(f"POST /api/match, 1 query x{len(one)}: p50 {pct(one, 50) * 1000:.1f} ms, p95 {pct(one, 95) * 1000:.1f} ms, "
          f"p99 {pct(one, 99) * 1000:.1f} ms; server CPU {one_cpu / len(one) * 1000:.2f} ms/request "
          f"(wall {one_wall:.1f} s)")
    total = args.batches * 1000
    print(f"POST /api/match, {args.batches} batches of 1,000: {total / batch_wall:,.0f} queries/s, "
          f"{sum(batch) / len(batch):.2f} s per batch; server CPU {batch_cpu / total * 1000:.2f} ms/query "
          f"(wall {batch_wall:.1f} s)")
    ratio = pct(one, 95) / pct(base, 95)
    print(f"ratio: match p95 / entity-lookup p95 = {ratio:.1f}x; target p95 <= 50 ms: "
          f"{'met' if pct(one, 95) <= 0.050 else 'NOT met'}")
    return 0 if pct(one, 95) <= 0.050 else 1


if __name__ == "__main__":
    sys.exit(main())
