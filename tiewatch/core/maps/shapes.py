"""The committed US shape tables (states, counties), pre-projected (d3's Albers USA, 975 x 610 frame) with Alaska and
Hawaii as insets. Built by tools/build_us_shapes.py from the npm package us-atlas (Census cartographic
boundaries, public domain); provenance in tiewatch/core/maps/data/PROVENANCE.md."""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


@functools.cache
def frame() -> tuple[int, int, int, int]:
    """The SVG viewBox (x, y, width, height) that holds every state, from the table's metadata."""
    x, y, width, height = json.loads((DATA / "us_states.json").read_text(encoding="utf-8"))["meta"]["frame"]
    return int(x), int(y), int(width), int(height)


@dataclass(frozen=True)
class Shape:
    key: str     # a state's postal code ("nc") or a county's FIPS code ("37063")
    name: str    # "North Carolina", "Durham County"
    state: str   # the postal code of the state (itself for a state)
    d: str       # SVG path data in the frame; "" for a speck too small to draw
    x: float     # a point inside the shape, for markers
    y: float


def _load(name: str) -> list[dict[str, object]]:
    rows = json.loads((DATA / name).read_text(encoding="utf-8"))["shapes"]
    assert isinstance(rows, list)
    return rows


@functools.cache
def states() -> dict[str, Shape]:
    """States and DC by lower-case postal code."""
    return {str(r["code"]): Shape(str(r["code"]), str(r["name"]), str(r["code"]), str(r["d"]),
                                  float(r["x"]), float(r["y"]))  # type: ignore[arg-type]
            for r in _load("us_states.json")}


@functools.cache
def counties() -> dict[str, Shape]:
    """Counties (and county equivalents) by five-digit FIPS code."""
    return {str(r["fips"]): Shape(str(r["fips"]), _county_name(str(r["name"]), str(r["fips"]), str(r["state"])),
                                  str(r["state"]),
                                  str(r["d"]), float(r["x"]), float(r["y"]))  # type: ignore[arg-type]
            for r in _load("us_counties.json")}


def _county_name(name: str, fips: str, state: str) -> str:
    # Census names carry no "County"; Louisiana has parishes, Alaska boroughs and census areas, and
    # independent cities (codes 500 and up: Virginia's, Baltimore, St. Louis, Carson City) are no county.
    if state == "la":
        return f"{name} Parish"
    if state == "ak":
        return name
    if fips[2:] >= "500":
        return name if name.endswith("City") else f"{name} (city)"
    return f"{name} County"


def name_key(name: str) -> str:
    """A county's name as OCD ids and Census tables both reduce to it: lower case, letters and digits only
    ("St. Louis" and `st._louis` both give "stlouis")."""
    return re.sub(r"[^a-z0-9]", "", name.lower().removesuffix(" county").removesuffix(" parish"))


@functools.cache
def county_index() -> dict[tuple[str, str], str]:
    """(state postal code, name_key) -> FIPS code."""
    index: dict[tuple[str, str], str] = {}
    for r in _load("us_counties.json"):
        index.setdefault((str(r["state"]), name_key(str(r["name"]))), str(r["fips"]))
    return index
