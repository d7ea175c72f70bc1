"""Where a record is on the US map: an Open Civic Data division or a postal (ZIP) code to its state and
county. Places and ZIP codes are found in the `zipcodes` package's table of US ZIP codes (city, state,
county), loaded once, when first needed."""

from __future__ import annotations

import functools
import re
from collections import Counter

from tiewatch.core.maps.shapes import county_index, name_key, states

Area = tuple[str | None, str | None]  # (state postal code, county FIPS code)
_ZIP5 = re.compile(r"^(\d{5})(?:-?\d{4})?$")


@functools.cache
def _zip_table() -> tuple[dict[str, Area], dict[tuple[str, str], str]]:
    """(ZIP code -> area, (state, city key) -> the county holding most of the city's ZIP codes)."""
    import zipcodes  # type: ignore[import-untyped]  # 0.6 s to load: only when a map needs it

    counties = county_index()
    by_zip: dict[str, Area] = {}
    city_counties: dict[tuple[str, str], Counter[str]] = {}
    for row in zipcodes.list_all():
        state = str(row.get("state") or "").lower()
        if state not in states():
            continue
        fips = counties.get((state, name_key(str(row.get("county") or ""))))
        by_zip[str(row["zip_code"])] = (state, fips)
        if fips:
            city_counties.setdefault((state, name_key(str(row.get("city") or ""))), Counter())[fips] += 1
    cities = {key: counter.most_common(1)[0][0] for key, counter in city_counties.items()}
    return by_zip, cities


def locate_zip(postal_code: str) -> Area:
    """(state, county FIPS) of a US ZIP code ("27701" or "27701-1234"); (None, None) when unknown."""
    match = _ZIP5.match(postal_code.strip())
    if not match:
        return None, None
    return _zip_table()[0].get(match.group(1), (None, None))


@functools.lru_cache(maxsize=65536)
def locate_ocd(ocd_id: str) -> Area:
    """(state, county FIPS) of an Open Civic Data division in the US, as far as it can be told:
    `.../state:nc/county:durham` from the Census county names, `.../state:nc/place:durham` from the
    county holding most of the place's ZIP codes, `.../state:nc` alone as ("nc", None)."""
    parts = dict(part.partition(":")[::2] for part in ocd_id.removeprefix("ocd-division/").split("/"))
    if parts.get("country") != "us":
        return None, None
    state = parts.get("state") or parts.get("district") or ""
    if state not in states():
        return None, None
    if parts.get("county"):
        return state, county_index().get((state, name_key(parts["county"])))
    if parts.get("place"):
        return state, _zip_table()[1].get((state, name_key(parts["place"])))
    return state, None
