from __future__ import annotations

import pytest

from tiewatch.core.urls import is_http_url, safe_href


@pytest.mark.parametrize("url", ["http://example.org", "https://example.org/a?b=c#d", "HTTPS://EXAMPLE.ORG/x"])
def test_http_urls_pass(url: str) -> None:
    assert is_http_url(url)
    assert safe_href(url) == url


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)", "data:text/html,<script>",
    "//evil.example/x", "ftp://example.org", "http://", "https://exa mple.org", "http://a\nb",
    "vbscript:msgbox", "", None, 5, ["http://example.org"], "http://example.org/" + "a" * 3000,
])
def test_other_values_are_refused(url: object) -> None:
    assert not is_http_url(url)
    assert safe_href(url) is None
