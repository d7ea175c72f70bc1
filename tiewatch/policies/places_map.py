"""The places page's map and groups: which states and places adopted which kind of policy, by name
(never by raw Open Civic Data id), grouped by state, with a map of the states and one of the counties."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tiewatch.core.maps.places import locate_ocd
from tiewatch.core.maps.render import MapFigure, category_map, count_map
from tiewatch.core.maps.shapes import states
from tiewatch.core.plain_words import words
from tiewatch.registry.jurisdictions import US_STATES, display_name, lineage

PAGE = "/policies/places/"


@dataclass
class Place:
    id: str
    name: str
    anchor: str
    items: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class StateGroup:
    code: str    # postal code, "" for places outside the mapped states
    name: str
    anchor: str
    places: list[Place] = field(default_factory=list)


def place_name(ocd_id: str) -> str:
    """"Durham, North Carolina": the division's name and, below a state, the state's."""
    chain = lineage(ocd_id)
    name = display_name(ocd_id)
    # A state the registry knows by name ("xx" in the fictional examples is none).
    state = next((j for j in chain[:-1] if j.rsplit("/", 1)[-1].split(":")[0] in ("state", "district")
                  and j.rsplit(":", 1)[-1] in US_STATES), None)
    return f"{name}, {display_name(state)}" if state else name


def _anchor(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.removeprefix("ocd-division/").lower())


def groups(rows: list[dict[str, Any]]) -> list[StateGroup]:
    """Rows of services.jurisdiction_table grouped by state, then place; unmapped places last."""
    by_state: dict[str, StateGroup] = {}
    for row in rows:
        state, _ = locate_ocd(row["jurisdiction"])
        code = state or ""
        group = by_state.setdefault(code, StateGroup(
            code, states()[code].name if code else "Other places", f"state-{code or 'other'}"))
        place = next((p for p in group.places if p.id == row["jurisdiction"]), None)
        if place is None:
            place = Place(row["jurisdiction"], place_name(row["jurisdiction"]), _anchor(row["jurisdiction"]))
            group.places.append(place)
        place.items.append(row)
    for group in by_state.values():
        group.places.sort(key=lambda p: p.name)
    return sorted(by_state.values(), key=lambda g: (not g.code, g.name))


def maps(rows: list[dict[str, Any]]) -> list[MapFigure]:
    """States by the kinds of policy their places (or the state itself) adopted, numbered by places;
    and counties by the number of policies adopted there. Rescinded and example instruments are named
    as such, so a map never shows a repealed rule as in force."""
    kinds: dict[str, set[str]] = {}
    places: dict[str, set[str]] = {}
    by_county: dict[str, int] = {}
    for row in rows:
        state, county = locate_ocd(row["jurisdiction"])
        if state is None:
            continue
        kind = words(row["type"]) if row["status"] == "in force" else f"{words(row['type'])} ({row['status']})"
        kinds.setdefault(state, set()).add(kind)
        places.setdefault(state, set()).add(row["jurisdiction"])
        if county and row["status"] == "in force":
            by_county[county] = by_county.get(county, 0) + 1
    links = {code: f"{PAGE}#state-{code}" for code in kinds}
    return [
        category_map("Kinds of policy adopted, by state", kinds, hrefs=links,
                     markers={k: len(v) for k, v in places.items()}, marker_unit="places with a policy"),
        count_map("Policies in force, by county", by_county, level="county", unit="policies in force"),
    ]
