"""Archived sources (docs/registry.md#archived-sources), against a local HTTP server on 127.0.0.1
only (the network is never touched): HTML, PDF, redirects, 404, timeout, oversize, a malformed and
an encrypted PDF, refused addresses; the WARC record; the sandboxed archived copy; link rot and
the report of dead sources without a copy."""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from tiewatch.cli import main
from tiewatch.registry.archive.fetch import FetchError, Limits, fetch
from tiewatch.registry.archive.text import ExtractError, pdf_text
from tiewatch.registry.models import Source, SourceCapture, SourceLink

HTML = (b"<!doctype html><html><head><title>Chief's memo</title><script>alert('x')</script></head>"
        b"<body><h1>Memo</h1><p>Leadership and mass-casualty response only.</p></body></html>")


def make_pdf(text: str, password: str = "") -> bytes:
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    pdf = canvas.Canvas(out, encrypt=password or None)
    pdf.drawString(72, 720, text)
    pdf.save()
    return out.getvalue()


PDF = make_pdf("Council minutes: exchange program approved")
ROUTES: dict[str, tuple[int, str, bytes, dict[str, str]]] = {
    "/memo.html": (200, "text/html; charset=utf-8", HTML, {}),
    "/minutes.pdf": (200, "application/pdf", PDF, {}),
    "/moved": (301, "text/plain", b"", {"Location": "/moved-again"}),
    "/moved-again": (302, "text/plain", b"", {"Location": "/memo.html"}),
    "/loop": (302, "text/plain", b"", {"Location": "/loop"}),
    "/gone": (404, "text/html", b"<h1>Not here</h1>", {}),
    "/big": (200, "text/html", b"x" * 50_000, {}),
    "/streamed": (200, "text/html", b"y" * 50_000, {}),
    "/broken.pdf": (200, "application/pdf", b"%PDF-1.4\nthis is not a pdf at all", {}),
    "/locked.pdf": (200, "application/pdf", make_pdf("secret", password="pw"), {}),
    "/to-elsewhere": (302, "text/plain", b"", {"Location": "ftp://example.org/file"}),
}


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/slow":
            time.sleep(2)
        status, content_type, body, headers = ROUTES.get(self.path, (404, "text/plain", b"no", {}))
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if self.path != "/streamed":  # no Content-Length: the cap must hold on the bytes read
            self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client stopped at its cap
            self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


LOCAL = Limits(timeout=1, max_bytes=10_000, max_redirects=3, allow_private=True)


@pytest.fixture
def archive(settings: Any, tmp_path: Path) -> Path:
    settings.TIEWATCH_ARCHIVE_DIR = str(tmp_path / "archive")
    settings.TIEWATCH_ARCHIVE_ALLOW_PRIVATE = True
    settings.TIEWATCH_ARCHIVE_TIMEOUT = 1
    settings.TIEWATCH_ARCHIVE_MAX_BYTES = 10_000
    settings.TIEWATCH_ARCHIVE_MAX_REDIRECTS = 3
    return tmp_path / "archive"


def add_sources(server: str, *paths: str) -> list[str]:
    ids = []
    for path in paths:
        sid = "src-" + path.strip("/").replace(".", "-").replace("/", "-")
        Source.objects.create(id=sid, url=server + path, title=f"Source {path}")
        ids.append(sid)
    return ids


def test_fetch_follows_and_records_redirects(server: str) -> None:
    got = fetch(f"{server}/moved", LOCAL)
    assert got.status == 200 and got.final_url == f"{server}/memo.html" and got.body == HTML
    assert [(h["status"], h["location"]) for h in got.redirects] == [
        (301, f"{server}/moved-again"), (302, f"{server}/memo.html")]


@pytest.mark.parametrize(("path", "message"), [
    ("/loop", "more than 3 redirects"), ("/gone", "HTTP 404"), ("/big", "larger than 10000 bytes"),
    ("/streamed", "larger than 10000 bytes"),
    ("/slow", "timed out"), ("/to-elsewhere", "not an http(s) URL"),
])
def test_fetch_refuses(server: str, path: str, message: str) -> None:
    with pytest.raises(FetchError, match=message.replace("(", r"\(").replace(")", r"\)")):
        fetch(server + path, LOCAL)


def test_loopback_and_private_addresses_are_refused_by_default(server: str) -> None:
    for url in (f"{server}/memo.html", "http://10.0.0.1/", "http://[::1]/", "http://169.254.169.254/latest"):
        with pytest.raises(FetchError, match="non-public address"):
            fetch(url, Limits(timeout=1))


def test_malformed_and_encrypted_pdfs_are_clear_errors() -> None:
    with pytest.raises(ExtractError, match="not a readable PDF"):
        pdf_text(ROUTES["/broken.pdf"][2])
    with pytest.raises(ExtractError, match="encrypted"):
        pdf_text(ROUTES["/locked.pdf"][2])
    assert "exchange program approved" in pdf_text(PDF)


def test_capture_stores_html_and_pdf_content_addressed_with_warc(db: Any, server: str, archive: Path,
                                                                  capsys: Any) -> None:
    memo, minutes, moved = add_sources(server, "/memo.html", "/minutes.pdf", "/moved")
    assert main(["sources", "capture", "--all", "--concurrency", "3", "--quiet"]) == 0
    assert "captured: 3 ok, 0 failed" in capsys.readouterr().out
    html = SourceCapture.objects.get(source_id=memo)
    assert html.sha256 == hashlib.sha256(HTML).hexdigest() and html.status == 200
    assert html.content_type == "text/html" and html.size == len(HTML)
    assert "Leadership and mass-casualty response only." in html.text and "alert" not in html.text
    body_path = archive / html.sha256[:2] / html.sha256[2:4] / html.sha256
    assert body_path.read_bytes() == HTML
    via = SourceCapture.objects.get(source_id=moved)
    assert via.sha256 == html.sha256 and len(via.redirects) == 2 and via.final_url.endswith("/memo.html")
    pdf = SourceCapture.objects.get(source_id=minutes)
    assert pdf.content_type == "application/pdf" and "exchange program approved" in pdf.text
    (warc,) = body_path.parent.glob("*.warc.gz")
    with gzip.open(warc) as handle:
        records = list(ArchiveIterator(handle))
    assert records[0].rec_type == "response" and records[0].rec_headers.get_header("WARC-Target-URI").endswith(
        "/memo.html")
    # Each source is fetched once: a second run has nothing to do.
    assert main(["sources", "capture", "--all", "--quiet"]) == 0
    assert "captured: 0 ok, 0 failed" in capsys.readouterr().out
    assert SourceCapture.objects.count() == 3


def test_failed_captures_store_nothing_and_record_link_rot(db: Any, server: str, archive: Path,
                                                          capsys: Any) -> None:
    ids = add_sources(server, "/gone", "/big", "/slow", "/broken.pdf", "/locked.pdf")
    assert main(["sources", "capture", "--ids", *ids, "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "captured: 0 ok, 5 failed" in out and "HTTP 404" in out and "encrypted" in out
    assert not SourceCapture.objects.exists()
    assert not archive.exists() or not any(p.is_file() for p in archive.rglob("*"))
    gone = SourceLink.objects.get(source_id=ids[0])
    assert gone.status == 404 and gone.dead_since is not None


def test_check_records_dead_since_and_clears_it(db: Any, server: str, archive: Path, capsys: Any) -> None:
    (sid,) = add_sources(server, "/gone")
    assert main(["sources", "check", "--ids", sid, "--quiet"]) == 0
    first = SourceLink.objects.get(source_id=sid).dead_since
    assert main(["sources", "check", "--ids", sid, "--quiet"]) == 0
    link = SourceLink.objects.get(source_id=sid)
    assert link.dead_since == first and link.last_checked > first
    capsys.readouterr()
    assert main(["sources", "report"]) == 0
    assert sid in capsys.readouterr().out
    Source.objects.filter(pk=sid).update(url=f"{server}/moved")
    assert main(["sources", "check", "--all", "--quiet"]) == 0
    link = SourceLink.objects.get(source_id=sid)
    assert link.dead_since is None and link.status == 200 and len(link.redirects) == 2
    capsys.readouterr()
    assert main(["sources", "report", "--json"]) == 0
    assert capsys.readouterr().out == ""


def test_report_leaves_out_dead_sources_with_a_copy(db: Any, server: str, archive: Path, capsys: Any) -> None:
    (sid,) = add_sources(server, "/memo.html")
    assert main(["sources", "capture", "--ids", sid, "--quiet"]) == 0
    Source.objects.filter(pk=sid).update(url=f"{server}/gone")
    assert main(["sources", "check", "--ids", sid, "--quiet"]) == 0
    capsys.readouterr()
    assert main(["sources", "report"]) == 0
    assert "0 dead source(s) without an archived copy" in capsys.readouterr().out


def test_unknown_ids_and_bad_concurrency_are_errors(db: Any, archive: Path, capsys: Any) -> None:
    assert main(["sources", "capture", "--ids", "src-nope"]) == 1
    assert "src-nope" in capsys.readouterr().err
    assert main(["sources", "check", "--all", "--concurrency", "0"]) == 1


def test_the_archived_copy_is_served_sandboxed(client: Any, db: Any, server: str, archive: Path) -> None:
    memo, minutes = add_sources(server, "/memo.html", "/minutes.pdf")
    assert main(["sources", "capture", "--all", "--quiet"]) == 0
    page = client.get(f"/sources/{memo}/").content.decode()
    assert f'href="/sources/{memo}/archive/"' in page and server + "/memo.html" in page
    copy = client.get(f"/sources/{memo}/archive/")
    assert copy.status_code == 200 and copy["Content-Type"] == "text/html" and copy.content == HTML
    assert copy["Content-Security-Policy"].startswith("sandbox;") and "default-src 'none'" in copy["Content-Security-Policy"]
    assert copy["X-Content-Type-Options"] == "nosniff"
    pdf = client.get(f"/sources/{minutes}/archive/")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content == PDF
    text = client.get(f"/sources/{memo}/archive/text/")
    assert text["Content-Type"] == "text/plain; charset=utf-8" and b"mass-casualty" in text.content
    api = client.get(f"/api/sources/{memo}/archive").json()
    assert api["captures"][0]["sha256"] == hashlib.sha256(HTML).hexdigest()
    Source.objects.filter(pk=memo).update(published=False)
    assert client.get(f"/sources/{memo}/archive/").status_code == 404
    assert client.get(f"/api/sources/{memo}/archive").status_code == 404
