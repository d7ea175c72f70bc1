"""Rate limits on signing, per client IP and per normalised email, each over a short and a long window.

Counted in the database (`RateCounter`), so every app-server process and node shares them. Keys are
HMACs of the IP/email: no raw IP or email is stored there.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import time
from typing import Any

from django.core.signals import setting_changed
from django.db import connection

from tiewatch.campaigns.models import RateCounter
from tiewatch.campaigns.services.hotpath import hot_query, hot_settings
from tiewatch.core.errors import RateLimited


def client_ip(request: Any) -> str | None:
    """The address of the client: the peer itself, or behind TIEWATCH_CAMPAIGNS_TRUSTED_PROXY_HOPS
    proxies the address the outermost of them saw (when the header holds a valid one)."""
    remote = request.META.get("REMOTE_ADDR") or None
    hops = hot_settings()["proxy_hops"]
    if hops <= 0:
        return remote
    return forwarded_client(request.META.get("HTTP_X_FORWARDED_FOR", ""), hops) or remote


def forwarded_client(header: str, hops: int) -> str | None:
    """Each proxy appends the address it received the request from, so behind `hops` proxies the
    client is the `hops`-th entry from the right. Entries left of it were written by the client
    (anyone can send the header) and are never read. None when the header is too short to have
    passed every proxy or that entry is not an IP address; the caller then keeps the peer address."""
    entries = [entry.strip() for entry in header.split(",")] if header.strip() else []
    if len(entries) < hops:
        return None
    try:
        return str(ipaddress.ip_address(entries[-hops]))
    except ValueError:
        return None


def _key_hash(kind: str, value: str) -> str:
    digest = hmac.new(hot_settings()["secret"], f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()
    return f"{kind}:{digest[:40]}"


_key_cache: dict[tuple[str, str], str] = {}  # (kind, client IP) -> key: the same IPs sign again and again


def _ip_key_hash(kind: str, ip: str) -> str:
    key = _key_cache.get((kind, ip))
    if key is None:
        if len(_key_cache) >= 4096:
            _key_cache.clear()
        key = _key_cache[(kind, ip)] = _key_hash(kind, ip)
    return key


def _forget_keys(**kwargs: Any) -> None:
    _key_cache.clear()  # the keys depend on SECRET_KEY


setting_changed.connect(_forget_keys, dispatch_uid="tiewatch.campaigns.services.ratelimits.keys")


RateRow = tuple[str, int, int, int, str]  # key, window start, expires, limit, kind


def _rate_rows(ip: str | None, email: str | None) -> list[RateRow]:
    now = int(time.time())
    rows: list[RateRow] = []
    for kind, seconds, count in hot_settings()["rates"]:
        value = ip if kind == "ip" else email
        if not value:
            continue
        window = now - now % seconds
        key = _ip_key_hash(f"ip{seconds}", value) if kind == "ip" else _key_hash(f"{kind}{seconds}", value)
        rows.append((key, window, window + seconds, count, kind))
    rows.sort()  # one lock order for every request: no deadlocks between concurrent upserts
    return rows


def _upsert_sql(rows: list[RateRow]) -> tuple[str, list[Any]]:
    table = RateCounter._meta.db_table
    qn = connection.ops.quote_name
    values = ", ".join(["(%s, %s, 1, %s)"] * len(rows))
    params: list[Any] = []
    for key, window, expires, _, _ in rows:
        params += [key, window, expires]
    sql = (
        f"INSERT INTO {qn(table)} ({qn('key')}, {qn('window_start')}, {qn('count')}, {qn('expires')}) "
        f"VALUES {values} ON CONFLICT ({qn('key')}, {qn('window_start')}) "
        f"DO UPDATE SET {qn('count')} = {qn(table)}.{qn('count')} + 1 "
        f"RETURNING {qn('key')}, {qn('window_start')}, {qn('count')}"
    )
    return sql, params


_pg_upsert_cache: list[str] = []


def _pg_upsert_sql() -> str:
    if not _pg_upsert_cache:
        rc = connection.ops.quote_name(RateCounter._meta.db_table)
        _pg_upsert_cache.append(
            f"INSERT INTO {rc} (key, window_start, count, expires) "
            f"SELECT k, w, 1, e FROM unnest(string_to_array(%s, ','), string_to_array(%s, ',')::bigint[], "
            f"string_to_array(%s, ',')::bigint[]) AS t (k, w, e) "
            f"ON CONFLICT (key, window_start) DO UPDATE SET count = {rc}.count + 1 "
            f"RETURNING key, window_start, count")
    return _pg_upsert_cache[0]


def _raise_if_blocked(rows: list[RateRow], blocked_keys: set[str]) -> None:
    for key, _, _, _, kind in rows:
        if key in blocked_keys:
            what = "address" if kind == "ip" else "email address"
            raise RateLimited(f"Too many signing attempts from this {what}; please try again later.")


def hit_rate_limits(ip: str | None, email: str | None) -> None:
    """Count this attempt against every enabled window; raise RateLimited if one is exceeded.

    One statement (INSERT ... ON CONFLICT DO UPDATE ... RETURNING) on SQLite and PostgreSQL, so
    all app-server processes share the counters. Keys are HMACs: no raw IP or email is stored.
    """
    rows = _rate_rows(ip, email)
    if not rows:
        return
    if connection.vendor == "postgresql":
        # Its own (autocommit) statement on an UNLOGGED table: the row locks on hot counters (one
        # client IP) are held for microseconds, never across the signature's durable commit.
        sql = _pg_upsert_sql()
        params: list[Any] = [",".join(r[0] for r in rows), ",".join(str(r[1]) for r in rows),
                             ",".join(str(r[2]) for r in rows)]
    else:
        sql, params = _upsert_sql(rows)
    counts = {(k, w): c for k, w, c in hot_query(sql, params)}
    _raise_if_blocked(rows, {key for key, window, _, limit, _ in rows if counts.get((key, window), 0) > limit})
