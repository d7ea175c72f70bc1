"""Uploaded response documents: what kind each is, checked before anything is stored, and the text
of a PDF extracted with pypdf. A malformed, encrypted or oversized file is refused with a clear error."""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass

from pypdf import PdfReader
from pypdf.errors import PyPdfError

from tiewatch.core.errors import Problem, ValidationFailed

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
TEXT_SUFFIXES = (".txt", ".text", ".csv", ".md")
HTML_SUFFIXES = (".html", ".htm")
# pypdf logs every recoverable oddity of a damaged file; the error we raise is what the user needs.
logging.getLogger("pypdf").setLevel(logging.ERROR)


@dataclass(frozen=True, slots=True)
class CheckedDocument:
    filename: str
    content_type: str
    content: bytes
    sha256: str
    text: str


def _refuse(message: str) -> ValidationFailed:
    return ValidationFailed(message, [Problem(message, field="document")])


def check_document(filename: str, content: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> CheckedDocument:
    """The upload as it will be stored, or a ValidationFailed naming the `document` field."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()[:200]
    if not name:
        raise _refuse("the document has no file name")
    if not content:
        raise _refuse(f"{name} is empty")
    if len(content) > max_bytes:
        raise _refuse(f"{name} is {len(content):,} bytes; the limit is {max_bytes:,}")
    lower = name.lower()
    if content.startswith(b"%PDF-") or lower.endswith(".pdf"):
        kind, text = "application/pdf", pdf_text(name, content)
    elif lower.endswith(HTML_SUFFIXES + TEXT_SUFFIXES):
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError:
            raise _refuse(f"{name} is not UTF-8 text") from None
        kind = "text/html" if lower.endswith(HTML_SUFFIXES) else "text/plain"
    else:
        raise _refuse(f"{name}: only PDF, HTML and text documents are accepted")
    return CheckedDocument(name, kind, content, hashlib.sha256(content).hexdigest(), text)


def pdf_text(name: str, content: bytes) -> str:
    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        if reader.is_encrypted:
            raise _refuse(f"{name} is an encrypted PDF; upload an unencrypted copy")
        return "\n\n".join((page.extract_text() or "").strip() for page in reader.pages).strip()
    except ValidationFailed:
        raise
    except (PyPdfError, ValueError, TypeError, KeyError, IndexError, AttributeError, OSError) as exc:
        raise _refuse(f"{name} is not a readable PDF ({type(exc).__name__}: {exc})"[:500]) from None
