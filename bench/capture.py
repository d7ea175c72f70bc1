"""Capturing 1,000 sources from a local HTTP server: `tiewatch sources capture`'s own code path
(archive/services.capture: fetch, text extraction, sha256 store, WARC record, database rows),
with bounded concurrency against a sequential baseline (concurrency 1) in the same run.

The server runs on 127.0.0.1 in this process (threads) and waits `--latency` ms before each answer,
standing in for a remote site's round trip; pages are ~`--kb` KB of HTML, every tenth one a PDF. A
throwaway SQLite database (migrated here) holds the sources and captures. Prints sources/s, CPU beside
wall, the speed-up over the baseline, and the storage per source (bodies + WARC records on disk).

    DEBUG=true .venv/bin/python bench/capture.py [--sources 1000] [--concurrency 16] [--latency 20]
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
WORK = Path(tempfile.mkdtemp(prefix="tiewatch-bench-capture-"))
os.environ["DATABASE_URL"] = f"sqlite:///{WORK / 'bench.sqlite3'}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "true")


def make_pdf(n: int) -> bytes:
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    pdf = canvas.Canvas(out)
    for line in range(30):
        pdf.drawString(72, 760 - line * 20, f"Council minutes {n}, item {line}: exchange program discussed.")
    pdf.save()
    return out.getvalue()


def make_html(n: int, kb: int) -> bytes:
    para = f"<p>Source {n}: the department's delegation met its counterparts; the memo says otherwise.</p>"
    body = para * max(1, kb * 1024 // len(para))
    return f"<html><head><title>Source {n}</title><script>var x = {n};</script></head><body>{body}</body></html>".encode()


def serve(pages: dict[str, tuple[str, bytes]], latency: float) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            time.sleep(latency)
            content_type, body = pages.get(self.path, ("text/plain", b"missing"))
            self.send_response(200 if self.path in pages else 404)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    httpd.request_queue_size = 256
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


def disk_bytes(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file())


def run(label: str, pairs: list[tuple[str, str]], concurrency: int, archive: Path) -> float:
    from django.conf import settings
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from tiewatch.registry.archive.services import capture
    from tiewatch.registry.models import SourceCapture, SourceLink

    SourceCapture.objects.all().delete()
    SourceLink.objects.all().delete()
    shutil.rmtree(archive, ignore_errors=True)
    settings.TIEWATCH_ARCHIVE_DIR = str(archive)
    with Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), transient=True) as bar:
        task = bar.add_task(label, total=len(pairs))
        wall, cpu = time.perf_counter(), time.process_time()
        report = capture(pairs, concurrency, lambda done, total: bar.update(task, completed=done))
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    assert report.done == len(pairs) and not report.failed, report.failed[:3]
    rate = len(pairs) / wall
    print(f"{label:<22} {wall:7.2f} s wall  {cpu:6.2f} s CPU  {rate:7.1f} sources/s")
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sources", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--latency", type=float, default=20.0, help="server delay per answer, ms")
    parser.add_argument("--kb", type=int, default=20, help="size of each HTML page, KB")
    args = parser.parse_args()

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from django.conf import settings

    from tiewatch.registry.models import Source

    settings.TIEWATCH_ARCHIVE_ALLOW_PRIVATE = True
    pdf = make_pdf(0)
    pages = {f"/s/{n}": ("application/pdf", pdf) if n % 10 == 0 else ("text/html; charset=utf-8", make_html(n, args.kb))
             for n in range(args.sources)}
    httpd = serve(pages, args.latency / 1000)
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    Source.objects.bulk_create([Source(id=f"src-{n:05d}", url=f"{base}/s/{n}") for n in range(args.sources)])
    pairs = list(Source.objects.order_by("id").values_list("id", "url"))
    archive = WORK / "archive"
    print(f"{args.sources} sources, {args.latency:g} ms server latency, ~{args.kb} KB HTML (every tenth a PDF)")
    try:
        baseline = run("sequential (1)", pairs, 1, archive)
        measured = run(f"concurrency {args.concurrency}", pairs, args.concurrency, archive)
        stored = disk_bytes(archive)
        print(f"speed-up over sequential: {measured / baseline:.1f}x")
        print(f"storage: {stored / args.sources / 1024:.1f} KB per source on disk (bodies + WARC), "
              f"{stored / 1024 / 1024:.1f} MB in all")
    finally:
        httpd.shutdown()
        shutil.rmtree(WORK, ignore_errors=True)


if __name__ == "__main__":
    main()
