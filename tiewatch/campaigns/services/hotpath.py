"""What the signing path shares: settings read once per process and one prepared-statement runner.

The signing path reads a handful of settings on every request; each read looks in Django's settings,
then the environment, then parses. They are read once and kept until a setting changes (Django's
`setting_changed` signal: override_settings in tests); the environment does not change at runtime.
"""

from __future__ import annotations

import select
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.db import connection

from tiewatch.campaigns import conf

_hot: dict[str, Any] = {}
_RATE_SETTINGS = (("ip", "TIEWATCH_CAMPAIGNS_RATE_IP_SHORT"), ("ip", "TIEWATCH_CAMPAIGNS_RATE_IP_LONG"),
                  ("email", "TIEWATCH_CAMPAIGNS_RATE_EMAIL_SHORT"), ("email", "TIEWATCH_CAMPAIGNS_RATE_EMAIL_LONG"))


def hot_settings() -> dict[str, Any]:
    if not _hot:
        _hot.update({
            # (kind, seconds, count) of every enabled limit
            "rates": tuple((kind, r.seconds, r.count) for kind, name in _RATE_SETTINGS
                           if (r := conf.rate(name)).enabled),
            "proxy_hops": conf.trusted_proxy_hops(),
            "petition_ttl": float(conf.get("TIEWATCH_CAMPAIGNS_PETITION_CACHE_SECONDS")),
            "secret": settings.SECRET_KEY.encode(),
        })
    return _hot


def _forget_hot_settings(**kwargs: Any) -> None:
    _hot.clear()


setting_changed.connect(_forget_hot_settings, dispatch_uid="tiewatch.campaigns.services.hot_settings")


def hot_query(sql: str, params: list[Any]) -> list[tuple]:
    """Run one statement of the signing path. On PostgreSQL: server-side parameters and a prepared
    statement (parsed and planned once per connection), through Django's error wrapping."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    _drop_if_hung_up()
    connection.ensure_connection()
    raw = connection.connection
    cached = getattr(connection, "_tiewatch_hot_cursor", None)  # one cursor per (thread's) connection
    if cached is None or cached[0] is not raw or cached[1].closed:
        import psycopg

        cached = (raw, psycopg.Cursor(raw))
        connection._tiewatch_hot_cursor = cached  # type: ignore[attr-defined]
    hot = cached[1]
    with connection.wrap_database_errors:
        hot.execute(sql, params, prepare=True)
        return hot.fetchall()


def _drop_if_hung_up() -> None:
    """Django's CONN_HEALTH_CHECKS runs before the ORM's first query of a request, not before this raw
    cursor. Its check costs a round trip (SELECT 1); a kept connection is checked here only when its
    socket is readable while idle, which between requests means the server has said something,
    usually goodbye (restart, failover, terminated backend): one poll() call, no round trip."""
    raw = connection.connection
    if raw is None or not connection.settings_dict.get("CONN_HEALTH_CHECKS") or connection.in_atomic_block:
        return
    try:
        poller = select.poll()
        poller.register(raw.fileno(), select.POLLIN)
        hung_up = bool(poller.poll(0))
    except Exception:  # noqa: BLE001 - a closed connection has no socket left to poll
        hung_up = True
    if hung_up and not connection.is_usable():
        connection.close()
