"""The one rule for links that come from data: only absolute http(s) URLs are accepted or rendered.

A `javascript:`, `data:` or scheme-relative value must never become a clickable link, whether it
arrives through an import, a campaign data file, a form or the admin. Every loader, validator and
template that handles a URL from data asks `is_http_url` (or uses `safe_href`), so a new feature
inherits the rule instead of re-deriving it.
"""

from __future__ import annotations

import re

# Scheme, then a host that starts with a non-delimiter, then no whitespace or control characters.
_HTTP_URL = re.compile(r"^https?://[^\s/$.?#\x00-\x1f\x7f][^\s\x00-\x1f\x7f]*$", re.IGNORECASE)


def is_http_url(value: object) -> bool:
    """True when `value` is a string holding an absolute http:// or https:// URL."""
    return isinstance(value, str) and len(value) <= 2048 and _HTTP_URL.match(value) is not None


def safe_href(value: object) -> str | None:
    """The URL itself when it may be rendered as a link, else None (render it as text, not a link)."""
    return value if is_http_url(value) else None  # type: ignore[return-value]
