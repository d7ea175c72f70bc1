"""The one rule for links that come from data: only absolute http(s) URLs are accepted or rendered.

A `javascript:`, `data:` or scheme-relative value must never become a clickable link, whether it
arrives through an import, a campaign data file, a form or the admin. Every loader, validator and
template that handles a URL from data asks `is_http_url` (or uses `safe_href`), so a new feature
inherits the rule instead of re-deriving it. Pydantic models declare such fields as `HttpUrlStr`
(or `SiteHrefStr` where a path on this site is also allowed); templates use the `safe_href` and
`site_href` filters of `tiewatch/registry/templatetags/links.py`.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

# Scheme, then a host that starts with a non-delimiter, then no whitespace or control characters.
_HTTP_URL = re.compile(r"^https?://[^\s/$.?#\x00-\x1f\x7f][^\s\x00-\x1f\x7f]*$", re.IGNORECASE)


def is_http_url(value: object) -> bool:
    """True when `value` is a string holding an absolute http:// or https:// URL."""
    return isinstance(value, str) and len(value) <= 2048 and _HTTP_URL.match(value) is not None


def safe_href(value: object) -> str | None:
    """The URL itself when it may be rendered as a link, else None (render it as text, not a link)."""
    return value if is_http_url(value) else None  # type: ignore[return-value]


# Whitespace (the regex's \s is str.isspace) or a control character: one C-level scan, not a Python loop
# per character (a map links a thousand counties).
_SPACE_OR_CONTROL = re.compile(r"[\s\x00-\x1f]")


def is_site_path(value: object) -> bool:
    """True for a path on this site (`/votes/x/`): one leading slash, never `//` or a backslash, which
    browsers would read as another host."""
    return (isinstance(value, str) and value.startswith("/") and not value.startswith("//")
            and "\\" not in value and len(value) <= 2048 and _SPACE_OR_CONTROL.search(value) is None)


def site_href(value: object) -> str | None:
    """A path on this site or an http(s) URL when it may be rendered as a link, else None."""
    return value if is_site_path(value) or is_http_url(value) else None  # type: ignore[return-value]


def safe_sources(sources: object) -> list[dict[str, object]]:
    """A record's `sources` as the public may see them (API answers): entries whose `url` breaks the
    rule keep their other keys with `url` None, so nothing clickable slips through a client."""
    if not isinstance(sources, list):
        return []
    return [{**s, "url": safe_href(s.get("url"))} for s in sources if isinstance(s, dict)]


HTTP_URL_MESSAGE = "Enter an absolute http:// or https:// URL."


def _require_http_url(value: str) -> str:
    if not is_http_url(value):
        raise PydanticCustomError("http_url", HTTP_URL_MESSAGE)
    return value


SITE_HREF_MESSAGE = "Enter a path on this site (/votes/...) or an absolute http:// or https:// URL."


def _require_site_href(value: str) -> str:
    if site_href(value) is None:
        raise PydanticCustomError("site_href", SITE_HREF_MESSAGE)
    return value


# For pydantic models of data that holds links (campaign data files, API input): the same rules at load
# as at render. HttpUrlStr: an external link (sources, videos). SiteHrefStr: a link that may also be a
# page of this site (a campaign event's `link`).
HttpUrlStr = Annotated[str, AfterValidator(_require_http_url)]
SiteHrefStr = Annotated[str, AfterValidator(_require_site_href)]

