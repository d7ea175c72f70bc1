"""The text of a captured document, for reading and searching beside the archived bytes: HTML through
the standard library's parser (scripts, styles and templates left out), PDF through pypdf. A
malformed or encrypted PDF is an error, so nothing is stored for it."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

MAX_TEXT = 2_000_000
_SKIPPED = frozenset({"script", "style", "noscript", "template", "svg", "head"})
_BLOCKS = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article",
                     "blockquote", "pre", "table", "ul", "ol", "title"})
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9._-]+)""", re.IGNORECASE)


class ExtractError(Exception):
    pass


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.title: list[str] = []
        self.in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self.in_title = True
        if tag in _SKIPPED:
            self.skipping += 1
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        if tag in _SKIPPED and self.skipping:
            self.skipping -= 1
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title.append(data)
        if not self.skipping:
            self.parts.append(data)


def _tidy(text: str) -> str:
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)[:MAX_TEXT]


def html_text(body: bytes, charset: str = "") -> str:
    if not charset:
        found = _META_CHARSET.search(body[:4096])
        charset = found.group(1).decode("ascii") if found else "utf-8"
    parser = _Text()
    parser.feed(_decode(body, charset))
    parser.close()
    title = _tidy("".join(parser.title))
    text = _tidy("".join(parser.parts))
    return text if not title or text.startswith(title) else f"{title}\n{text}"


def _decode(body: bytes, charset: str) -> str:
    try:
        return body.decode(charset, errors="replace")
    except LookupError:  # a charset name Python does not know
        return body.decode("utf-8", errors="replace")


def pdf_text(body: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(body), strict=False)
        if reader.is_encrypted:
            raise ExtractError("the PDF is encrypted: its text cannot be read")
        pages = [page.extract_text() or "" for page in reader.pages]
    except ExtractError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError,
            RecursionError, ZeroDivisionError, AssertionError) as error:
        raise ExtractError(f"not a readable PDF: {str(error)[:200] or type(error).__name__}") from error
    return _tidy("\n".join(pages))


def extract_text(body: bytes, content_type: str, charset: str = "") -> str:
    """The document's text; "" for a type we do not read (an image, say)."""
    if content_type == "application/pdf" or (content_type == "application/octet-stream" and body[:5] == b"%PDF-"):
        return pdf_text(body)
    if content_type in ("text/html", "application/xhtml+xml"):
        return html_text(body, charset)
    if content_type.startswith("text/"):
        return _tidy(_decode(body, charset or "utf-8"))
    return ""
