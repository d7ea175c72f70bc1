"""Names for people: countries by name, sources without a title by their site and address words."""

from __future__ import annotations

from tiewatch.core.countries import COUNTRY_CODES
from tiewatch.core.country_names import COUNTRY_NAMES, country_name
from tiewatch.core.url_labels import url_label


def test_every_accepted_country_code_has_a_name() -> None:
    assert set(COUNTRY_NAMES) == set(COUNTRY_CODES)
    assert country_name("US") == "United States" and country_name("il") == "Israel"
    assert country_name("suhh") == "Soviet Union" and country_name("q1") == "Q1"


def test_a_source_without_a_title_reads_as_its_site_and_words() -> None:
    assert url_label("https://www.seattletimes.com/nation-world/city-panel-oks-policy-banning-exchanges/") == (
        "seattletimes.com: city panel oks policy banning exchanges")
    assert url_label("https://www.newsobserver.com/news/local/article207967584.html") == "newsobserver.com"
    assert url_label("https://example.org") == "example.org"
