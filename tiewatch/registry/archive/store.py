"""The archive on disk: each captured body stored once under its sha256 (`ab/cd/<sha256>`), and one
gzipped WARC response record per capture (`warc/<sha256>-<url hash>.warc.gz`, ISO 28500, written
with warcio) so the captures can be handed to any Web-archive tool. Plain Python, no Django."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import tempfile
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from tiewatch.registry.archive.fetch import Fetched

SHA256_HEX = frozenset("0123456789abcdef")


class ArchiveStore:
    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    def body_path(self, sha256: str) -> Path:
        if len(sha256) != 64 or not set(sha256) <= SHA256_HEX:
            raise ValueError(f"not a sha256 hex digest: {sha256[:80]!r}")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def warc_path(self, sha256: str, url: str) -> Path:
        url_hash = hashlib.sha1(url.encode()).hexdigest()[:12]
        return self.body_path(sha256).parent / f"{sha256}-{url_hash}.warc.gz"

    def put(self, fetched: Fetched, captured_at: dt.datetime) -> str:
        """Store the body (once per content) and a WARC record of this capture; returns the sha256."""
        sha256 = hashlib.sha256(fetched.body).hexdigest()
        path = self.body_path(sha256)
        if not path.exists():
            _write_atomically(path, fetched.body)
        _write_atomically(self.warc_path(sha256, fetched.final_url), _warc_record(fetched, captured_at))
        return sha256

    def read(self, sha256: str) -> bytes | None:
        path = self.body_path(sha256)
        return path.read_bytes() if path.is_file() else None


def _warc_record(fetched: Fetched, captured_at: dt.datetime) -> bytes:
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=True)
    http_headers = StatusAndHeaders(f"{fetched.status} {fetched.reason}".strip(), fetched.headers,
                                    protocol="HTTP/1.1")
    record = writer.create_warc_record(
        fetched.final_url, "response", payload=io.BytesIO(fetched.body), http_headers=http_headers,
        warc_headers_dict={"WARC-Date": captured_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")})
    writer.write_record(record)
    return out.getvalue()


def _write_atomically(path: Path, data: bytes) -> None:
    """A reader never sees half a file: write beside it, then rename over it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
