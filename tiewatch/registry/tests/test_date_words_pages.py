"""Dates in words on the registry's pages, each in a machine-readable <time datetime>; exports and the
API keep ISO dates."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.template import Context, Template
from django.test import Client

from tiewatch.registry.models import Source, Tie

TIE = "us-vt-vermont-state-police--adl-regional-seminars--2018-12-02-2018-12-11"


def render(text: str, **context: Any) -> str:
    return Template("{% load plain_words %}" + text).render(Context(context))


def test_the_filter_wraps_each_date_in_a_time_element() -> None:
    assert render("{{ d|date_words }}", d=dt.date(2018, 4, 16)) == '<time datetime="2018-04-16">16 April 2018</time>'
    assert render("{{ d|date_words }}", d="2015-2017") == (
        '<time datetime="2015">2015</time>–<time datetime="2017">2017</time>')
    assert render("{{ d|date_words:'text' }}", d="2018-04") == "April 2018"
    assert render("{{ d|date_words|default:'never' }}", d=None) == "never"
    assert render("{{ d|date_words }}", d="<b>2018</b>") == "&lt;b&gt;2018&lt;/b&gt;"


def test_a_datetime_reads_in_the_sites_time_zone_and_day_drops_its_time(settings: Any) -> None:
    settings.TIME_ZONE = "America/New_York"
    at = dt.datetime(2018, 4, 17, 2, 30, tzinfo=dt.UTC)  # still the 16th in New York
    assert render("{{ d|date_words:'text day' }}", d=at) == "16 April 2018"
    assert render("{{ d|date_words:'text' }}", d=at) == "16 April 2018, 22:30 EDT"


@pytest.mark.django_db
def test_a_tie_page_shows_its_dates_in_words(client: Client, seeded: Any) -> None:
    html = client.get(f"/ties/{TIE}/").content.decode()
    assert '<time datetime="2018-12-02">2</time>–<time datetime="2018-12-11">11 December 2018</time>' in html
    assert "2018-12-02 – 2018-12-11" not in html
    assert client.get(f"/ties/{TIE}/?format=json").json()["dates"] == "2018-12-02/2018-12-11"


@pytest.mark.django_db
def test_source_dates_read_as_words_on_the_source_and_tie_pages(client: Client, seeded: Any) -> None:
    tie = Tie.objects.get(pk=TIE)
    source = tie.sources.first()
    assert source is not None
    Source.objects.filter(pk=source.pk).update(published_on=dt.date(2018, 11, 29), title="Police pull out",
                                               publisher="Times of Israel")
    page = client.get(f"/sources/{source.pk}/").content.decode()
    assert '<time datetime="2018-11-29">29 November 2018</time>' in page
    assert "(Times of Israel, 29 November 2018)" in client.get(f"/ties/?subject={tie.subject_id}").content.decode()
    assert "2018-11-29" in client.get("/sources/?format=csv").content.decode()
