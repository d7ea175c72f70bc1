"""tiewatch as several stateless app nodes against one PostgreSQL (issue 9 item 17).

Two gunicorn nodes and two outbox workers share one throwaway PostgreSQL cluster (always a real
server, on the SQLite pass of the suite too) and a local SMTP server that records what is delivered.
Signatures go through both nodes: rate limits and counts hold across them, every confirmation email
is delivered exactly once, and a PostgreSQL restart in the middle of the load loses no acknowledged
signature while nodes and workers carry on by themselves.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator

import pytest

from tiewatch.campaigns.tests.cluster import SLUG, Deployment, request, sign, token_in, wait_for


@pytest.fixture(scope="module")
def deployment() -> Iterator[Deployment]:
    dep = Deployment(nodes=2, workers=2)
    try:
        dep.start()
        yield dep
    finally:
        dep.stop()


def _outside_window_edge(seconds: int, margin: float) -> None:
    """Rate windows start at multiples of their length: keep a check from straddling two windows."""
    left = seconds - time.time() % seconds
    if left < margin:
        time.sleep(left + 0.5)


def _delivered(dep: Deployment, emails: set[str]) -> Counter:
    return Counter(rcpt for rcpt, _, _ in dep.recorder.snapshot() if rcpt in emails)


def test_two_nodes_two_workers_share_limits_counts_and_send_each_email_once(deployment: Deployment) -> None:
    dep = deployment
    a, b = dep.node_ports
    emails = [f"multi{i}@example.org" for i in range(24)]
    statuses: list[int] = []
    threads = [threading.Thread(target=lambda chunk=emails[k::4], k=k: statuses.extend(
        sign(dep.node_ports[(k + j) % 2], e, f"198.51.100.{10 + k * 30 + j}") for j, e in enumerate(chunk)))
        for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert statuses == [202] * len(emails), statuses

    # Rate limits are counted in the database, so they hold whichever node answers.
    _outside_window_edge(3600, 15)
    ip_limited = [f"limited{i}@example.org" for i in range(15)]
    codes = [sign((a, b)[i % 2], e, "203.0.113.9") for i, e in enumerate(ip_limited)]
    assert codes == [202] * 10 + [429] * 5, codes
    same_email = [sign((a, b)[i % 2], "once@example.org", f"192.0.2.{i + 1}") for i in range(5)]
    assert same_email == [202, 409, 409, 429, 429], same_email

    expected = set(emails) | set(ip_limited[:10]) | {"once@example.org"}
    wait_for("every confirmation email", lambda: set(_delivered(dep, expected)) == expected and dep.unsent() == 0,
             timeout=60)
    time.sleep(1)  # a second delivery, if any worker were to make one, would arrive by now
    delivered = _delivered(dep, expected | set(ip_limited))
    assert delivered == Counter(dict.fromkeys(expected, 1)), delivered
    messages = [m for m in dep.recorder.snapshot() if m[0] in expected]
    assert len({message_id for _, message_id, _ in messages}) == len(expected)

    # Confirm through both nodes; both show the same counts.
    for i, (_, _, body) in enumerate(messages):
        status, _ = request((a, b)[i % 2], "POST", "/api/signatures/confirm", {"token": token_in(body)})
        assert status == 200
    for port in (a, b):
        status, petition = request(port, "GET", f"/api/petitions/{SLUG}")
        assert status == 200 and petition["counts"]["confirmed"] == len(expected), petition["counts"]


def test_postgresql_restart_under_load_loses_no_acknowledged_signature(deployment: Deployment) -> None:
    dep = deployment
    busy, idle = dep.node_ports
    nodes_before = [node.group_pids() for node in dep.nodes]
    answers: list[tuple[float, int, str, int]] = []  # time, node port, email, status (0: no answer)
    lock = threading.Lock()
    in_flight = Counter[int]()
    stop, only_busy = threading.Event(), threading.Event()

    def client(k: int) -> None:
        for n in range(400):  # bounded in count as well as by the stop event
            if stop.is_set():
                return
            with lock:
                port = busy if only_busy.is_set() else dep.node_ports[(k + n) % 2]
                in_flight[port] += 1
            address = f"restart{k}-{n}@example.org"
            try:
                status = sign(port, address, f"10.{k}.{n // 250}.{n % 250 + 1}")
            except OSError:
                status = 0
            with lock:
                in_flight[port] -= 1
                answers.append((time.monotonic(), port, address, status))
            time.sleep(0.02)

    def idle_node_quiet() -> bool:
        with lock:
            return in_flight[idle] == 0

    threads = [threading.Thread(target=client, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    time.sleep(1.5)
    with lock:
        only_busy.set()  # one node keeps taking load through the restart; the other sits idle with kept connections
    wait_for("the idle node's last requests", idle_node_quiet, timeout=20, step=0.02)
    dep.pg.stop()
    time.sleep(0.5)
    dep.pg.start()
    back = time.monotonic()
    time.sleep(0.5)
    only_busy.clear()
    time.sleep(3.5)
    stop.set()
    for t in threads:
        t.join(30)

    # The nodes were never restarted: same gunicorn master and worker processes.
    assert [node.group_pids() for node in dep.nodes] == nodes_before
    # The busy node refused signatures while the database was down, and signs again by itself once
    # it is back (a second for requests in flight at the restart to finish).
    assert any(status != 202 for _, p, _, status in answers if p == busy)
    # ... each refusal a JSON 503 the client may retry (config/api.py), never a 500.
    refused = {status for _, p, _, status in answers if p == busy and status != 202}
    assert refused <= {503}, refused
    late = [status for t, p, _, status in answers if p == busy and t > back + 1.0]
    assert late and set(late) == {202}, late
    # The idle node's kept connections died with the restart: each is found dead before use and
    # replaced, so not one of its requests fails.
    idle_after = [status for t, p, _, status in answers if p == idle and t > back]
    assert len(idle_after) >= 8 and {status for _, p, _, status in answers if p == idle} == {202}, idle_after

    acknowledged = {address for _, _, address, status in answers if status == 202}
    stored = dict(dep.pg.query("SELECT email, count(*) FROM campaigns_signature WHERE email LIKE 'restart%%' "
                               "GROUP BY email"))
    assert acknowledged <= set(stored), sorted(acknowledged - set(stored))
    assert set(stored.values()) == {1}

    # Both workers lived through it (logging the lost database) and delivered every confirmation.
    wait_for("the confirmations of the restart phase",
             lambda: set(_delivered(dep, set(stored))) == set(stored) and dep.unsent() == 0, timeout=60)
    assert all(worker.alive for worker in dep.workers)
    assert all("database unavailable" in worker.output() for worker in dep.workers), dep.logs()
    delivered = _delivered(dep, set(stored))
    # At least once each. A worker whose connection dies between handing a message to SMTP and
    # committing its "sent" mark sends that message again: at most one per worker, same Message-ID.
    repeats = sum(n - 1 for n in delivered.values())
    assert repeats <= len(dep.workers), delivered
