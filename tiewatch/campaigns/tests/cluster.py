"""A small tiewatch deployment on 127.0.0.1 for the multi-node tests: a throwaway PostgreSQL cluster
(.ci/pg-start / .ci/pg-stop), N gunicorn app nodes, M outbox workers (`tiewatch worker`), and an SMTP
server that records every message the workers deliver through Django's SMTP backend.

Every wait is bounded in time; every process is stopped by its own process group id.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

REPO = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent
SLUG = "example"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(what: str, check: Callable[[], bool], timeout: float, step: float = 0.1) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(step)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


class Postgres:
    """A cluster of its own in a temp dir, started and stopped by the CI scripts."""

    def __init__(self, root: Path) -> None:
        self.dir = root / "pg"
        self.port = free_port()
        self.url = ""

    def start(self) -> None:
        out = subprocess.run(["bash", str(REPO / ".ci" / "pg-start"), str(self.dir), str(self.port)],
                             check=True, capture_output=True, text=True, timeout=120)
        self.url = out.stdout.strip().splitlines()[-1]

    def stop(self) -> None:
        subprocess.run(["bash", str(REPO / ".ci" / "pg-stop"), str(self.dir)], check=False,
                       capture_output=True, timeout=60)

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        import psycopg

        with psycopg.connect(self.url, connect_timeout=5) as db:
            return db.execute(sql, params).fetchall()


@dataclass
class Recorder:
    """aiosmtpd handler: keeps (recipient, Message-ID, body) of every message accepted."""

    messages: list[tuple[str, str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        body = parsed.get_body(preferencelist=("plain",))
        text = body.get_content() if body is not None else ""
        with self.lock:
            for rcpt in envelope.rcpt_tos:
                self.messages.append((rcpt, str(parsed["Message-ID"]), text))
        return "250 Message accepted for delivery"

    def snapshot(self) -> list[tuple[str, str, str]]:
        with self.lock:
            return list(self.messages)


class Process:
    """A child in its own process group (gunicorn's master and workers, or a `tiewatch worker`)."""

    def __init__(self, name: str, cmd: list[str], env: dict[str, str], log: Path) -> None:
        self.name, self.cmd, self.env, self.log = name, cmd, env, log
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(self.cmd, cwd=REPO, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                         start_new_session=True)

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def group_pids(self) -> set[int]:
        """Every live process of this child's process group (gunicorn: master and its workers)."""
        assert self.proc is not None
        pids = set()
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    stat = Path(f"/proc/{entry}/stat").read_text()
                except OSError:
                    continue
                if int(stat[stat.rindex(")") + 2:].split()[2]) == self.proc.pid:
                    pids.add(int(entry))
        return pids

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def request(port: int, method: str, path: str, body: dict | None = None,
            forwarded_for: str | None = None) -> tuple[int, dict]:
    """One HTTP request on its own connection; (status, JSON body or {}). Raises OSError when the
    node does not answer."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    headers = {"Content-Type": "application/json"}
    if forwarded_for:
        headers["X-Forwarded-For"] = forwarded_for
    try:
        conn.request(method, path, json.dumps(body) if body is not None else None, headers)
        response = conn.getresponse()
        raw = response.read()
    finally:
        conn.close()
    try:
        data = json.loads(raw) if raw else {}
    except ValueError:
        data = {}
    return response.status, data if isinstance(data, dict) else {}


def signer(email_address: str) -> dict[str, Any]:
    return {"name": "Multi Node", "email": email_address, "postal_code": "27701", "address": "1 Main Street",
            "resident": True, "consent": True}


def sign(port: int, email_address: str, ip: str) -> int:
    return request(port, "POST", f"/api/petitions/{SLUG}/signatures", signer(email_address), forwarded_for=ip)[0]


def token_in(body: str) -> str:
    match = re.search(r"/confirm/([^/\s]+)/", body)
    assert match, body
    return match.group(1)


class Deployment:
    """PostgreSQL, `nodes` gunicorn app servers, `workers` outbox workers and the SMTP recorder."""

    def __init__(self, nodes: int = 2, workers: int = 2) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="tiewatch-multinode-"))
        os.chmod(self.root, 0o755)  # the postgres OS user must reach its data dir below
        self.pg = Postgres(self.root)
        self.recorder = Recorder()
        self.smtp = Controller(self.recorder, hostname="127.0.0.1", port=free_port())
        self.node_ports = [free_port() for _ in range(nodes)]
        self.nodes: list[Process] = []
        self.workers: list[Process] = []
        self.n_workers = workers

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TIEWATCH_", "DJANGO_", "EMAIL_"))}
        env.update({
            "PYTHONPATH": str(REPO), "DJANGO_SETTINGS_MODULE": "config.settings", "DATABASE_URL": self.pg.url,
            "DB_CONN_MAX_AGE": "600", "DB_CONN_HEALTH_CHECKS": "true", "DEBUG": "false", "LOG_LEVEL": "WARNING",
            "SECRET_KEY": "multinode-test-secret: every node and worker shares it",
            "TIEWATCH_VAR_DIR": str(self.root / "var"), "TIEWATCH_SITE_URL": f"http://127.0.0.1:{self.node_ports[0]}",
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(self.smtp.port),
            # Behind one (simulated) load balancer: the client is the last X-Forwarded-For entry.
            "TIEWATCH_CAMPAIGNS_TRUSTED_PROXY_HOPS": "1",
            "TIEWATCH_CAMPAIGNS_RATE_IP_SHORT": "10/3600", "TIEWATCH_CAMPAIGNS_RATE_IP_LONG": "0",
            "TIEWATCH_CAMPAIGNS_RATE_EMAIL_SHORT": "3/3600", "TIEWATCH_CAMPAIGNS_RATE_EMAIL_LONG": "0",
            # The petition stays cached, so a signature's first query is the signing path's own
            # (raw) statement: its reconnection after a database restart is tested, not the ORM's.
            "TIEWATCH_CAMPAIGNS_PETITION_CACHE_SECONDS": "3600",
        })
        return env

    def start(self) -> None:
        self.pg.start()
        self.smtp.start()
        env = self.env()
        for command in (["migrate"], ["campaigns", "load-demo"]):
            subprocess.run([str(BIN / "tiewatch"), *command], cwd=REPO, env=env, check=True, capture_output=True,
                           timeout=180)
        for i, port in enumerate(self.node_ports):
            self.nodes.append(Process(f"node{i}", [
                str(BIN / "gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1",
                "--threads", "4", "--graceful-timeout", "2"], env, self.root / f"node{i}.log"))
        for i in range(self.n_workers):
            self.workers.append(Process(f"worker{i}", [str(BIN / "tiewatch"), "worker", "--interval", "0.2"], env,
                                        self.root / f"worker{i}.log"))
        for child in self.nodes + self.workers:
            child.start()
        for port, node in zip(self.node_ports, self.nodes):
            wait_for(f"{node.name} to serve", lambda p=port: self._answers(p), timeout=60, step=0.2)

    @staticmethod
    def _answers(port: int) -> bool:
        try:
            return request(port, "GET", f"/api/petitions/{SLUG}")[0] == 200
        except OSError:
            return False

    def unsent(self) -> int:
        return int(self.pg.query("SELECT count(*) FROM campaigns_outboxmessage WHERE sent_at IS NULL "
                                 "AND NOT failed")[0][0])

    def stop(self) -> None:
        for child in self.nodes + self.workers:
            child.stop()
        with contextlib.suppress(Exception):  # a controller that never started has nothing to stop
            self.smtp.stop()
        self.pg.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def logs(self) -> str:
        return "\n".join(f"--- {c.name}\n{c.output()[-3000:]}" for c in self.nodes + self.workers)
