"""Petition signing under load, and a crash in the middle of it.

The real stack: a throw-away PostgreSQL 15 cluster under a temp dir and gunicorn serving
config.wsgi, both on 127.0.0.1, rate limits raised by setting. Concurrent clients (threads with
keep-alive http.client connections) send a mix of valid, duplicate and invalid signatures.

1. Baseline: the same clients GET the public count page (/api/petitions/example).
2. Load: POST /api/petitions/example/signatures; report accepted signatures/s and p50/p99 latency,
   and the ratio against the baseline.
3. Fault: the same load; `kill -9` the whole gunicorn process group mid-run, restart it, carry on.
   Then check in the database that every signature answered 202 is there exactly once, that no
   duplicate got in, and that no request meant as a duplicate was accepted.

    .venv/bin/python bench/petition_load.py [--clients 16] [--seconds 15] [--workers 3] [--threads 4]

Run as root (PostgreSQL runs as the `postgres` OS user via runuser). Exits 1 if a check fails.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PG_BIN = Path("/usr/lib/postgresql/15/bin")
VENV_BIN = Path(sys.executable).parent  # the venv running this script (the repo's .venv under make bench)
SLUG = "example"
POSTAL_CODES = ["27701", "27705", "10001"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def as_postgres(*cmd: str) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else list(cmd)


class Postgres:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.data = root / "pg"
        self.port = free_port()

    def start(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
        subprocess.run(as_postgres(str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres",
                                   "-E", "UTF8"), check=True, stdout=subprocess.DEVNULL)
        opts = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c max_connections=100 "
                f"-c shared_buffers=128MB")
        subprocess.run(as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "pg.log"),
                                   "-w", "-o", opts, "start"), check=True, stdout=subprocess.DEVNULL)
        subprocess.run(as_postgres(str(PG_BIN / "psql"),
                                   "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-q", "-c",
                                   "CREATE DATABASE tiewatch"), check=True)

    def stop(self) -> None:
        subprocess.run(as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "stop"),
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/tiewatch"


class Gunicorn:
    def __init__(self, env: dict[str, str], workers: int, threads: int, log: Path, worker_class: str) -> None:
        self.env, self.workers, self.threads, self.log = env, workers, threads, log
        self.worker_class = worker_class
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        cmd = [str(VENV_BIN / "gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{self.port}",
               "--workers", str(self.workers), "--worker-class", self.worker_class, "--threads", str(self.threads),
               "--keep-alive", "30", "--backlog", "2048"]
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(cmd, cwd=REPO, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", f"/api/petitions/{SLUG}")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise SystemExit(f"gunicorn did not start; see {self.log}")

    def kill9(self) -> None:
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)


@dataclass
class Results:
    latencies: list[float] = field(default_factory=list)  # seconds, completed requests only
    statuses: Counter = field(default_factory=Counter)
    accepted: list[str] = field(default_factory=list)  # emails answered 202
    dup_accepted: list[str] = field(default_factory=list)  # duplicates wrongly answered 202
    errors: int = 0  # connection errors (server killed): outcome unknown
    cpu: tuple[float, float, float] = (0.0, 0.0, 0.0)  # app, db, client CPU seconds
    lock: threading.Lock = field(default_factory=threading.Lock)


CLK_TCK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw[raw.rindex(")") + 2:].split()  # fields from 'state' on


def cpu_of(match) -> float:
    """CPU seconds (user+system) of every live process for which match(pid, fields) holds."""
    total = 0.0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        fields = _stat(int(entry))
        if fields and match(int(entry), fields):
            total += (int(fields[11]) + int(fields[12])) / CLK_TCK
    return total


class CpuMeter:
    """CPU used by the app server (gunicorn process group), PostgreSQL (postmaster and children) and
    this client process: contention from other programs on the machine does not inflate it."""

    def __init__(self, server: Gunicorn, pg: Postgres) -> None:
        self.server, self.pg = server, pg

    def sample(self) -> tuple[float, float, float]:
        pgid = self.server.proc.pid if self.server.proc else -1
        postmaster = int((self.pg.data / "postmaster.pid").read_text().split()[0])
        app = cpu_of(lambda pid, f: int(f[2]) == pgid)
        db = cpu_of(lambda pid, f: pid == postmaster or int(f[1]) == postmaster)
        t = os.times()
        return app, db, t.user + t.system


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    k = min(len(values) - 1, max(0, round(p / 100 * (len(values) - 1))))
    return values[k]


class RawHTTP:
    """A minimal HTTP/1.1 keep-alive client on a socket: cheap enough that the load generator, which
    shares the 2 CPUs with the server, takes as little of them as possible."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def _fill(self) -> None:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("server closed the connection")
        self.buf += chunk

    def request(self, raw: bytes) -> tuple[int, bool]:
        """Send one request; return (status, server wants to close)."""
        self.sock.sendall(raw)
        while b"\r\n\r\n" not in self.buf:
            self._fill()
        head, _, self.buf = self.buf.partition(b"\r\n\r\n")
        status = int(head[9:12])
        lower = head.lower()
        close = b"connection: close" in lower
        marker = lower.find(b"content-length:")
        if marker >= 0:
            length = int(lower[marker + 15:].split(b"\r\n", 1)[0])
            while len(self.buf) < length:
                self._fill()
            self.buf = self.buf[length:]
        elif b"transfer-encoding: chunked" in lower:
            while True:
                while b"\r\n" not in self.buf:
                    self._fill()
                size_line, _, rest = self.buf.partition(b"\r\n")
                size = int(size_line.split(b";")[0], 16)
                while len(rest) < size + 2:
                    self._fill()
                    size_line, _, rest = self.buf.partition(b"\r\n")
                self.buf = rest[size + 2:]
                if size == 0:
                    break
        else:
            close = True
        return status, close

    def close(self) -> None:
        self.sock.close()


def client_loop(port_ref: list[int], mode: str, stop_at: float, max_requests: int, seed: int, tag: str,
                results: Results, accepted_pool: list[str]) -> None:
    rnd = random.Random(seed)
    conn: RawHTTP | None = None
    n = 0
    get = f"GET /api/petitions/{SLUG} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()
    post = f"POST /api/petitions/{SLUG}/signatures HTTP/1.1\r\nHost: 127.0.0.1\r\n" \
           f"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n"
    body_template = ('{"name": "Bench Signer %d %d", "email": "%s", "postal_code": "%s", '
                     '"address": "%d Bench Street", "resident": true, "consent": %s}')
    while time.time() < stop_at and n < max_requests:
        n += 1
        kind, email, raw = "get", "", get
        if mode == "sign":
            roll = rnd.random()
            if roll < 0.8 or not accepted_pool:
                kind, email = "valid", f"{tag}-{seed}-{n}@bench.example"
            elif roll < 0.9:
                kind, email = "duplicate", rnd.choice(accepted_pool)
            else:
                kind, email = "invalid", f"{tag}-{seed}-{n}-invalid"
            # The JSON body from a template (every value is plain ASCII without quotes or backslashes):
            # cheaper for the load generator than json.dumps of a dict per request.
            body = (body_template % (seed, n, email.upper() if kind == "duplicate" else email,
                                     rnd.choice(POSTAL_CODES), n,
                                     "false" if kind == "invalid" else "true")).encode()
            raw = (post % len(body)).encode() + body
        try:
            if conn is None:
                conn = RawHTTP(port_ref[0])
            t0 = time.perf_counter()
            status, close = conn.request(raw)
            elapsed = time.perf_counter() - t0
            if close:
                conn.close()
                conn = None
        except (OSError, ValueError):
            with results.lock:
                results.errors += 1
            if conn is not None:
                conn.close()
            conn = None
            time.sleep(0.05)
            continue
        with results.lock:
            results.latencies.append(elapsed)
            results.statuses[(kind, status)] += 1
            if status == 202:
                if kind == "duplicate":
                    results.dup_accepted.append(email)
                else:
                    results.accepted.append(email)
                    if kind == "valid":
                        accepted_pool.append(email)
    if conn is not None:
        conn.close()


def run_phase(port_ref: list[int], mode: str, clients: int, seconds: float, max_requests: int, tag: str,
              during=None, meter: CpuMeter | None = None) -> tuple[Results, float]:
    results = Results()
    before = meter.sample() if meter else None
    pool: list[str] = []
    stop_at = time.time() + seconds
    threads = [threading.Thread(target=client_loop, args=(port_ref, mode, stop_at, max_requests, i, tag,
                                                          results, pool)) for i in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    if during is not None:
        during()
    for t in threads:
        t.join()
    if meter and before:
        after = meter.sample()
        results.cpu = tuple(a - b for a, b in zip(after, before))  # type: ignore[attr-defined]
    return results, time.perf_counter() - t0


def summary(name: str, r: Results, wall: float, counted: int) -> dict:
    n = max(1, len(r.latencies))
    return {
        "cpu_ms": tuple(1000 * c / n for c in r.cpu),
        "server_cpu_ms_per_counted": 1000 * (r.cpu[0] + r.cpu[1]) / max(1, counted),
        "phase": name, "seconds": round(wall, 2), "requests": len(r.latencies),
        "rate": counted / wall, "p50_ms": percentile(r.latencies, 50) * 1000,
        "p99_ms": percentile(r.latencies, 99) * 1000, "errors": r.errors,
        "statuses": {f"{k[0]}:{k[1]}": v for k, v in sorted(r.statuses.items())},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=15.0, help="length of each phase")
    parser.add_argument("--max-requests", type=int, default=50_000, help="per client and phase")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--worker-class", default="gthread", choices=["gthread", "sync"])
    parser.add_argument("--rate-limits", default="raised", choices=["raised", "off"],
                        help="raised: every limit active with high values (default); off: disabled (diagnosis)")
    parser.add_argument("--settings", default="config.settings",
                        help="DJANGO_SETTINGS_MODULE of the app server (diagnosis: a module that imports "
                             "config.settings and changes one thing, found through PYTHONPATH)")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (logs, database)")
    args = parser.parse_args()

    root = Path(tempfile.mkdtemp(prefix="tiewatch-bench-"))
    os.chmod(root, 0o755)
    pg = Postgres(root)
    server: Gunicorn | None = None
    ok = True
    try:
        pg.start()
        env = dict(os.environ)
        env.update({
            "DJANGO_SETTINGS_MODULE": args.settings, "DATABASE_URL": pg.url, "DB_CONN_MAX_AGE": "600",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH", "")])),
            "TIEWATCH_VAR_DIR": str(root / "var"), "LOG_LEVEL": "ERROR", "DEBUG": "false",
            "SECRET_KEY": os.environ.get("SECRET_KEY") or "tiewatch-bench-only-throwaway-database",
            "EMAIL_FILE_PATH": str(root / "var" / "outbox"),
            # Raised so the benchmark measures signing, not the limiter refusing one client IP.
            "TIEWATCH_CAMPAIGNS_RATE_IP_SHORT": "100000000/60", "TIEWATCH_CAMPAIGNS_RATE_IP_LONG": "100000000/86400",
            "TIEWATCH_CAMPAIGNS_RATE_EMAIL_SHORT": "1000/600", "TIEWATCH_CAMPAIGNS_RATE_EMAIL_LONG": "1000/86400",
        })
        if args.rate_limits == "off":
            for name in ("IP_SHORT", "IP_LONG", "EMAIL_SHORT", "EMAIL_LONG"):
                env[f"TIEWATCH_CAMPAIGNS_RATE_{name}"] = "0"
        subprocess.run([str(VENV_BIN / "tiewatch"), "migrate"], cwd=REPO, env=env, check=True,
                       stdout=subprocess.DEVNULL)
        subprocess.run([str(VENV_BIN / "tiewatch"), "campaigns", "load-demo"], cwd=REPO, env=env, check=True,
                       stdout=subprocess.DEVNULL)
        server = Gunicorn(env, args.workers, args.threads, root / "gunicorn.log", args.worker_class)
        server.start()
        port_ref = [server.port]
        meter = CpuMeter(server, pg)
        print(f"stack: PostgreSQL 15 on 127.0.0.1:{pg.port}, gunicorn {args.workers} {args.worker_class} workers x "
              f"{args.threads} threads on 127.0.0.1:{server.port}; {args.clients} clients; {os.cpu_count()} CPUs", flush=True)

        # Warm up (connections, imports).
        run_phase(port_ref, "get", args.clients, 2, 200, "warm")

        base, base_wall = run_phase(port_ref, "get", args.clients, args.seconds, args.max_requests, "base",
                                    meter=meter)
        base_ok = sum(v for (k, s), v in base.statuses.items() if s == 200)
        b = summary("baseline GET /api/petitions/example", base, base_wall, base_ok)

        load, load_wall = run_phase(port_ref, "sign", args.clients, args.seconds, args.max_requests, "load",
                                    meter=meter)
        s = summary("POST signatures (80% valid, 10% duplicate, 10% invalid)", load, load_wall, len(load.accepted))
        s["requests_per_s"] = len(load.latencies) / load_wall

        def crash() -> None:
            time.sleep(args.seconds / 3)
            assert server is not None
            server.kill9()
            print(f"  kill -9 gunicorn at t={args.seconds / 3:.1f}s", flush=True)
            time.sleep(0.5)
            server.start()
            print("  gunicorn restarted", flush=True)

        fault, fault_wall = run_phase(port_ref, "sign", args.clients, args.seconds, args.max_requests, "fault",
                                      during=crash)
        f = summary("same load with kill -9 + restart", fault, fault_wall, len(fault.accepted))

        # Verify against the database.
        import psycopg

        sys.path.insert(0, str(REPO))
        from tiewatch.campaigns.normalise import normalise_email

        with psycopg.connect(f"host=127.0.0.1 port={pg.port} user=postgres dbname=tiewatch") as db:
            rows = db.execute(
                "SELECT s.email, count(*) FROM campaigns_signature s JOIN campaigns_petition p "
                "ON p.id = s.petition_id WHERE p.slug = %s GROUP BY s.email", (SLUG,)).fetchall()
            outbox = db.execute("SELECT count(*) FROM campaigns_outboxmessage").fetchone()[0]
        in_db = dict(rows)
        acked = [normalise_email(e) for e in load.accepted + fault.accepted]
        missing = [e for e in acked if in_db.get(e, 0) == 0]
        twice_in_db = [e for e, n in in_db.items() if n > 1]
        acked_twice = [e for e, n in Counter(acked).items() if n > 1]
        dup_accepted = load.dup_accepted + fault.dup_accepted
        unacknowledged = len(set(in_db) - set(acked))
        ok = not (missing or twice_in_db or acked_twice or dup_accepted)

        print()
        print("| phase | requests | rate/s | p50 ms | p99 ms | conn. errors |")
        print("|---|---:|---:|---:|---:|---:|")
        for row, label in ((b, "GET /s (200)"), (s, "accepted/s"), (f, "accepted/s")):
            print(f"| {row['phase']} | {row['requests']} | {row['rate']:.0f} {label} | {row['p50_ms']:.1f} | "
                  f"{row['p99_ms']:.1f} | {row['errors']} |")
        print()
        print(f"signing: {s['requests_per_s']:.0f} requests/s, {s['rate']:.0f} accepted signatures/s; "
              f"ratio accepted/s to baseline GET/s = {s['rate'] / b['rate']:.2f}; "
              f"p99 {s['p99_ms']:.1f} ms vs baseline {b['p99_ms']:.1f} ms")
        print(f"CPU per request (app server / PostgreSQL / load client), ms: baseline "
              f"{b['cpu_ms'][0]:.2f} / {b['cpu_ms'][1]:.2f} / {b['cpu_ms'][2]:.2f}; signing "
              f"{s['cpu_ms'][0]:.2f} / {s['cpu_ms'][1]:.2f} / {s['cpu_ms'][2]:.2f}")
        cap = 2000 / s["server_cpu_ms_per_counted"] if s["server_cpu_ms_per_counted"] else float("nan")
        print(f"server CPU (app + PostgreSQL) per accepted signature: {s['server_cpu_ms_per_counted']:.2f} ms "
              f"-> capacity on 2 dedicated cores ~ {cap:.0f} accepted signatures/s")
        load1 = os.getloadavg()[0]
        print(f"machine load average (1 min) at the end: {load1:.1f} on {os.cpu_count()} CPUs")
        print(f"load statuses: {s['statuses']}")
        print(f"fault statuses: {f['statuses']}")
        print(f"crash check: {len(acked)} signatures answered 202; missing from DB: {len(missing)}; "
              f"in DB more than once: {len(twice_in_db)}; duplicates answered 202: {len(dup_accepted)}; "
              f"committed but unacknowledged (in flight at the kill): {unacknowledged}; "
              f"outbox messages: {outbox} for {len(in_db)} signatures")
        target = s["rate"] >= 500 and s["p99_ms"] < 200
        print(f"target (>= 500 accepted/s, p99 < 200 ms): {'met' if target else 'NOT met'}; "
              f"integrity: {'OK' if ok else 'FAILED'}")
    finally:
        if server is not None:
            server.stop()
        pg.stop()
        if args.keep:
            print(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
