"""Template filters for links that come from data, for every app's templates (`{% load safe_links %}`).

They apply THE rule of tiewatch/core/urls.py at render time, so a `javascript:` (or `data:`, or
scheme-relative) value stored before the rule existed, or slipped in some other way, is shown as text
and never becomes a clickable link:

    {% with href=source.url|safe_href %}{% if href %}<a href="{{ href }}">…</a>{% else %}…{% endif %}{% endwith %}
"""

from __future__ import annotations

from django import template

from tiewatch.core import urls
from tiewatch.core.url_labels import url_label

register = template.Library()


@register.filter
def safe_href(value: object) -> str:
    """The value when it is an absolute http(s) URL, else '' (falsy: render the text without a link)."""
    return urls.safe_href(value) or ""


@register.filter
def site_href(value: object) -> str:
    """The value when it is a path on this site or an absolute http(s) URL, else ''."""
    return urls.site_href(value) or ""



@register.filter
def source_label(source: object) -> str:
    """A source (a dict from data, or a Source) named for people: its title, else its publisher, else
    its address as site and words (tiewatch/core/url_labels.py); a title that is itself an address too."""
    get = source.get if isinstance(source, dict) else (lambda key: getattr(source, key, ""))
    text = str(get("title") or get("publisher") or get("url") or "")
    label = url_label(text) if urls.is_http_url(text) else text
    publisher = str(get("publisher") or "")
    return f"{label} ({publisher})" if get("title") and publisher and publisher != label else label
