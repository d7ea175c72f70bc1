"""One HTTP(S) fetch of a source, hostile-web safe: only http(s), at most a few redirects (each one
recorded and checked again), a timeout, a cap on the bytes read, and no private, loopback or
link-local address unless allowed (the tests' local server). Plain Python (urllib), no Django."""

from __future__ import annotations

import http.client
import ipaddress
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from tiewatch.core.urls import is_http_url

USER_AGENT = "tiewatch-archiver/1 (+https://github.com/tiewatch; archiving cited sources)"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# Headers that describe the transfer, not the document: the stored body is already de-chunked.
HOP_HEADERS = frozenset({"transfer-encoding", "connection", "keep-alive"})


@dataclass(frozen=True)
class Limits:
    timeout: float = 20.0
    max_bytes: int = 20 * 1024 * 1024
    max_redirects: int = 5
    allow_private: bool = False


class FetchError(Exception):
    """The source could not be fetched; `status` is the last HTTP status seen (None: no answer)."""

    def __init__(self, message: str, status: int | None = None, redirects: list[dict[str, Any]] | None = None,
                 final_url: str = "") -> None:
        super().__init__(message)
        self.status, self.redirects, self.final_url = status, redirects or [], final_url


@dataclass
class Fetched:
    url: str
    final_url: str
    status: int
    reason: str
    content_type: str  # the media type, lower case, without parameters
    charset: str
    headers: list[tuple[str, str]]
    body: bytes
    redirects: list[dict[str, Any]] = field(default_factory=list)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Redirects are followed by `fetch` itself, so each hop is recorded and checked."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


# No proxy from the environment: what is fetched, and from where, is decided here.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())


def check_address(url: str, allow_private: bool) -> None:
    """Refuse a URL that is not http(s), or whose host resolves to a private, loopback, link-local,
    reserved or multicast address (unless `allow_private`)."""
    if not is_http_url(url):
        raise FetchError(f"not an http(s) URL: {url[:200]!r}")
    host = urlsplit(url).hostname or ""
    if allow_private:
        return
    try:
        infos = socket.getaddrinfo(host, None)
    except (socket.gaierror, UnicodeError) as error:
        raise FetchError(f"cannot resolve {host!r}: {error}") from error
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if (address.is_private or address.is_loopback or address.is_link_local or address.is_reserved
                or address.is_multicast or address.is_unspecified):
            raise FetchError(f"refused: {host} resolves to a non-public address ({address})")


def fetch(url: str, limits: Limits, read_body: bool = True) -> Fetched:
    """GET `url`, following up to `limits.max_redirects` redirects. A final status of 400 or more, a
    timeout, a refused address or a body over `limits.max_bytes` raise FetchError."""
    hops: list[dict[str, Any]] = []
    current = url
    for _ in range(limits.max_redirects + 1):
        check_address(current, limits.allow_private)
        response = _open(current, limits, hops)
        with response:
            status = int(response.status)
            location = response.headers.get("Location")
            if status in REDIRECT_STATUSES and location:
                target = urljoin(current, location.strip())
                hops.append({"url": current, "status": status, "location": target})
                current = target
                continue
            if status >= 400:
                raise FetchError(f"HTTP {status}", status, hops, current)
            body = _read_capped(response, limits, hops, current) if read_body else b""
            media, charset = _content_type(response.headers.get("Content-Type", ""))
            headers = [(k, v) for k, v in response.headers.items() if k.lower() not in HOP_HEADERS]
            return Fetched(url, current, status, str(response.reason or ""), media, charset, headers, body, hops)
    raise FetchError(f"more than {limits.max_redirects} redirects", hops[-1]["status"] if hops else None, hops, current)


def _open(url: str, limits: Limits, hops: list[dict[str, Any]]) -> Any:
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "text/html,application/pdf,*/*;q=0.5"})
    try:
        return _OPENER.open(request, timeout=limits.timeout)
    except urllib.error.HTTPError as error:
        return error  # a 3xx (not followed by urllib) or an error status: handled by the caller
    except (urllib.error.URLError, TimeoutError, OSError, http.client.HTTPException, ValueError) as error:
        reason = getattr(error, "reason", error)
        message = "timed out" if isinstance(reason, TimeoutError) else f"no answer: {reason}"
        raise FetchError(message, None, hops, url) from error


def _read_capped(response: Any, limits: Limits, hops: list[dict[str, Any]], url: str) -> bytes:
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > limits.max_bytes:
        raise FetchError(f"larger than {limits.max_bytes} bytes ({declared} declared)", int(response.status), hops, url)
    try:
        body = response.read(limits.max_bytes + 1)
    except (TimeoutError, OSError, http.client.HTTPException) as error:
        raise FetchError("timed out" if isinstance(error, TimeoutError) else f"read failed: {error}",
                         int(response.status), hops, url) from error
    if len(body) > limits.max_bytes:
        raise FetchError(f"larger than {limits.max_bytes} bytes", int(response.status), hops, url)
    return bytes(body)


def _content_type(header: str) -> tuple[str, str]:
    media, _, params = header.partition(";")
    charset = ""
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return media.strip().lower() or "application/octet-stream", charset
