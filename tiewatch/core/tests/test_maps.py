"""The server-drawn maps: the committed Census shapes, placing OCD ids and ZIP codes, the count classes,
suppression of small cells, escaping, and the bar chart."""

from __future__ import annotations

import json
import re

import pytest

from tiewatch.core.maps import chart, places, render, shapes


def test_shape_tables_cover_the_states_and_counties_with_provenance() -> None:
    states = shapes.states()
    assert len(states) == 51 and states["nc"].name == "North Carolina" and states["dc"].name == "District of Columbia"
    counties = shapes.counties()
    assert len(counties) > 3100
    assert counties["37063"].name == "Durham County" and counties["37063"].state == "nc"
    assert counties["22071"].name == "Orleans Parish" and counties["51760"].name == "Richmond (city)"
    meta = json.loads((shapes.DATA / "us_states.json").read_text())["meta"]
    assert meta["package"] == "us-atlas@3.0.1" and len(meta["tarball_sha256"]) == 64
    # Every drawn point lies in the viewBox (Alaska and Hawaii are insets, not off the map).
    x0, y0, width, height = shapes.frame()
    for shape in states.values():
        numbers = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", shape.d)]
        assert min(numbers[0::2]) >= x0 and max(numbers[0::2]) <= x0 + width, shape.name
        assert min(numbers[1::2]) >= y0 and max(numbers[1::2]) <= y0 + height, shape.name
    assert states["ak"].x < 300 and states["ak"].y > 400 and states["hi"].y > 450


@pytest.mark.parametrize(("ocd_id", "expected"), [
    ("ocd-division/country:us/state:nc/county:durham", ("nc", "37063")),
    ("ocd-division/country:us/state:nc/place:durham", ("nc", "37063")),
    ("ocd-division/country:us/state:la/place:new_orleans", ("la", "22071")),
    ("ocd-division/country:us/state:mo/county:st._louis", ("mo", "29189")),
    ("ocd-division/country:us/state:nc", ("nc", None)),
    ("ocd-division/country:us/district:dc", ("dc", None)),
    ("ocd-division/country:us/state:xx/place:exampleville", (None, None)),
    ("ocd-division/country:il", (None, None)),
    ("ocd-division/country:us/state:nc/place:no_such_town_anywhere", ("nc", None)),
])
def test_locate_ocd(ocd_id: str, expected: tuple[str | None, str | None]) -> None:
    assert places.locate_ocd(ocd_id) == expected


def test_locate_zip() -> None:
    assert places.locate_zip("27701") == ("nc", "37063")
    assert places.locate_zip(" 27701-1234 ") == ("nc", "37063")
    assert places.locate_zip("90210")[0] == "ca"
    for bad in ("", "2770", "abcde", "00000", "277011", "SW1A 1AA"):
        assert places.locate_zip(bad) == (None, None)


def test_breaks_and_labels() -> None:
    assert render.breaks(1) == [1]
    assert render.breaks(9) == [1, 2, 5]
    assert render.breaks(140) == [1, 5, 10, 20, 100]
    assert len(render.breaks(10**6)) == 5
    assert render.class_labels([1, 2, 5]) == ["1", "2–4", "5 or more"]
    assert render.breaks(140, start=10) == [10, 20, 50, 100]


def test_count_map_rows_colours_and_links() -> None:
    figure = render.count_map("Ties by state", {"nc": 12, "ny": 140, "ca": 0, "zz": 4},
                              hrefs={"nc": "/jurisdictions/country:us/state:nc/", "ny": "javascript:alert(1)"})
    assert [(r.key, r.count, r.href) for r in figure.rows] == [
        ("ny", 140, None), ("nc", 12, "/jurisdictions/country:us/state:nc/")]
    assert figure.summary == "Ties: 152, in 2 states"
    assert figure.notes == ["4 ties in areas outside the mapped states are counted but not shown."]
    assert "javascript" not in figure.svg
    assert figure.svg.count('<a href="/jurisdictions/country:us/state:nc/" tabindex="-1">') == 1
    assert "<title>New York: 140 ties</title>" in figure.svg
    assert figure.svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"') and 'aria-hidden="true"' in figure.svg


def test_count_map_suppresses_small_cells_and_never_names_them() -> None:
    figure = render.count_map("Signatures", {"37063": 12, "06037": 3, "36061": 9}, level="county",
                              unit="signatures", suppress_below=10)
    assert [r.name for r in figure.rows] == ["Durham County"]
    assert [item.label for item in figure.legend] == ["10 or more"]  # no class for counts never shown
    assert "Los Angeles" not in figure.svg and "New York County" not in figure.svg
    assert figure.notes == ["12 signatures in areas under 10 each are counted but not shown."]
    drawn = figure.svg.split('<g class="counties"', 1)[1]
    assert drawn.count("<path") == 1


def test_category_map_escapes_and_marks_several_kinds() -> None:
    figure = render.category_map("Kinds <of> policy", {"nc": ["statement"], "ca": ["ordinance", "<b>x</b>"]},
                                 markers={"nc": 1, "ca": 3})
    assert [item.label for item in figure.legend] == ["<b>x</b>", "ordinance", "statement", "several kinds"]
    assert "<b>x</b>" not in figure.svg and "&lt;b&gt;x&lt;/b&gt;" in figure.svg
    assert figure.svg.count('class="marker"') == 2
    assert figure.summary == "Policies in 2 states"


def test_unknown_level_is_refused() -> None:
    with pytest.raises(ValueError, match="level must be one of state, county"):
        render.count_map("x", {}, level="zip")


def test_stacked_bars() -> None:
    figure = chart.stacked_bars("Ties <by> year", ["exchange", "training"],
                                [(2018, [3, 1]), (2015, [0, 2]), (None, [1, 1])], ident="t")
    assert figure.summary == "8 ties, from 2015 to 2018; 2 without a year"
    labels = re.findall(r">(\d{4}|no year)</text>", figure.svg)
    assert labels == ["2015", "2016", "2017", "2018", "no year"]
    assert figure.svg.count("<rect") == 5
    assert 'aria-labelledby="t-title t-desc"' in figure.svg and "Ties &lt;by&gt; year" in figure.svg
    assert chart.stacked_bars("x", [], []).summary == "No ties yet."
    assert chart.nice_top(0) == 1 and chart.nice_top(7) == 10 and chart.nice_top(140) == 200
