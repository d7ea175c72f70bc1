"""The pydantic types of tiewatch.core.urls: the same rule at load time as at render time."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from tiewatch.core.urls import HTTP_URL_MESSAGE, HttpUrlStr, SiteHrefStr, is_site_path, site_href


class _Link(BaseModel):
    url: HttpUrlStr


class _Event(BaseModel):
    link: SiteHrefStr


def test_http_url_type_accepts_http_and_https() -> None:
    assert _Link(url="https://example.org/a").url == "https://example.org/a"
    assert _Link(url="http://example.org").url == "http://example.org"


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,x", "//evil.example/", "ftp://x.org",
                                 "/votes/x/", ""])
def test_http_url_type_refuses_the_rest_naming_the_field(url: str) -> None:
    with pytest.raises(ValidationError) as info:
        _Link(url=url)
    error = info.value.errors()[0]
    assert error["loc"] == ("url",)
    assert HTTP_URL_MESSAGE in error["msg"]


@pytest.mark.parametrize("link", ["/votes/x/", "https://example.org/"])
def test_site_href_type_accepts_site_paths_and_http(link: str) -> None:
    assert _Event(link=link).link == link
    assert site_href(link) == link


@pytest.mark.parametrize("link", ["javascript:alert(1)", "//evil.example/x", "/\\evil.example", "/a b",
                                  "votes/x/", "/a\x00"])
def test_site_href_type_refuses_other_hosts_and_schemes(link: str) -> None:
    with pytest.raises(ValidationError):
        _Event(link=link)
    assert site_href(link) is None
    assert not is_site_path(link)


def test_safe_sources_blank_the_urls_that_break_the_rule() -> None:
    from tiewatch.core.urls import safe_sources

    sources = [{"url": "javascript:alert(1)", "title": "x"}, {"url": "https://a.example/", "title": "y"}, "junk"]
    assert safe_sources(sources) == [{"url": None, "title": "x"}, {"url": "https://a.example/", "title": "y"}]
    assert safe_sources(None) == []
