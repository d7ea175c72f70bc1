"""Template filters for links that come from data, for every app's templates (`{% load safe_links %}`).

They apply THE rule of tiewatch/core/urls.py at render time, so a `javascript:` (or `data:`, or
scheme-relative) value stored before the rule existed, or slipped in some other way, is shown as text
and never becomes a clickable link:

    {% with href=source.url|safe_href %}{% if href %}<a href="{{ href }}">…</a>{% else %}…{% endif %}{% endwith %}
"""

from __future__ import annotations

from django import template

from tiewatch.core import urls

register = template.Library()


@register.filter
def safe_href(value: object) -> str:
    """The value when it is an absolute http(s) URL, else '' (falsy: render the text without a link)."""
    return urls.safe_href(value) or ""


@register.filter
def site_href(value: object) -> str:
    """The value when it is a path on this site or an absolute http(s) URL, else ''."""
    return urls.site_href(value) or ""
