"""Resident verification, pluggable per petition (jurisdiction).

Methods:
- `postal_codes`: the postal code is in a list (`postal_codes` inline or `postal_codes_file`,
  shipped: `us-nc-durham-zip.txt`).
- `census`: the (normalised) address and postal code are in a CSV of eligible addresses
  (`census_file`, columns `address,postal_code`), Decidim-style.
- `boundary`: the geocoder adapter turns the address into coordinates, which must fall inside a
  GeoJSON polygon (`boundary_file` or inline `boundary`), checked with shapely.

A verifier never raises on bad input: it answers `Result(verified=False, detail=...)`. The lookup
files (postal codes, census, boundary, geocoder table) are read by the core input layer, so a broken
one is reported as `file:line: field: message`: logged as an error, and stored as the signature's
verification detail (the signature is recorded, not verified) rather than failing the signer.
"""

from __future__ import annotations

import functools
import importlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from tiewatch.campaigns import conf
from tiewatch.core.errors import Problem
from tiewatch.core.inputs import InputError, line_of, load_json, read_csv, read_text

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True, slots=True)
class Result:
    verified: bool
    detail: str


def normalise_postal_code(value: str) -> str:
    value = re.sub(r"\s+", "", value or "").upper()
    # US ZIP+4 -> ZIP
    if re.fullmatch(r"\d{5}-\d{4}", value):
        value = value[:5]
    return value


def normalise_address(value: str) -> str:
    value = (value or "").lower()
    value = re.sub(r"[^\w\s]", " ", value)
    replacements = {"street": "st", "avenue": "ave", "road": "rd", "drive": "dr", "boulevard": "blvd",
                    "lane": "ln", "north": "n", "south": "s", "east": "e", "west": "w", "apartment": "apt"}
    words = [replacements.get(w, w) for w in value.split()]
    return " ".join(words)


def _resolve(name: str) -> Path:
    path = Path(name)
    return path if path.is_absolute() else DATA_DIR / path


@functools.lru_cache(maxsize=32)
def _postal_codes_file(path: str) -> frozenset[str]:
    codes = set()
    for line in read_text(path).splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            codes.add(normalise_postal_code(line))
    return frozenset(codes)


def _table(path: str, required: tuple[str, ...]) -> list[Any]:
    """The rows of a lookup CSV that has the `required` columns (InputError naming the file otherwise)."""
    header, rows = read_csv(read_text(path), path)
    missing = [name for name in required if name not in header]
    if missing:
        raise InputError([Problem(f"missing column {name!r} (columns: {', '.join(header)})", field=name,
                                  file=path, line=1) for name in missing])
    return list(rows)


@functools.lru_cache(maxsize=32)
def _census_file(path: str) -> frozenset[tuple[str, str]]:
    return frozenset(_address_key(row) for row in _table(path, ("address",)))


def _address_key(row: Any) -> tuple[str, str]:
    return normalise_address(row.values["address"]), normalise_postal_code(row.values.get("postal_code", ""))


@functools.lru_cache(maxsize=32)
def _boundary_file(path: str) -> Any:
    geojson = load_json(read_text(path), path)
    try:
        return _shape(geojson)
    except (AttributeError, KeyError, TypeError, ValueError) as error:  # shapely's and a missing key's
        raise InputError([Problem(f"not a GeoJSON polygon, feature or feature collection ({error})",
                                  file=path, line=line_of(geojson))]) from None


def _shape(geojson: dict) -> Any:
    from shapely.geometry import shape
    from shapely.ops import unary_union

    if geojson.get("type") == "FeatureCollection":
        return unary_union([shape(f["geometry"]) for f in geojson["features"]])
    if geojson.get("type") == "Feature":
        return shape(geojson["geometry"])
    return shape(geojson)


class Geocoder(Protocol):
    def geocode(self, address: str, postal_code: str) -> tuple[float, float] | None:
        """(longitude, latitude) or None when unknown."""


class NoGeocoder:
    def geocode(self, address: str, postal_code: str) -> tuple[float, float] | None:
        return None


class TableGeocoder:
    """Looks addresses up in a CSV (address,postal_code,lon,lat): offline, deterministic."""

    def __init__(self, path: str) -> None:
        self.table: dict[tuple[str, str], tuple[float, float]] = {}
        for row in _table(path, ("address", "lon", "lat")) if path else []:
            self.table[_address_key(row)] = (_degrees(row, "lon", path), _degrees(row, "lat", path))

    def geocode(self, address: str, postal_code: str) -> tuple[float, float] | None:
        key = (normalise_address(address), normalise_postal_code(postal_code))
        return self.table.get(key) or self.table.get((key[0], ""))


def _degrees(row: Any, name: str, path: str) -> float:
    try:
        return float(row.values[name])
    except ValueError:
        raise InputError([Problem(f"not a number: {row.values[name][:40]!r}", field=name, file=path,
                                  line=row.line)]) from None


def geocoder() -> Geocoder:
    name = str(conf.get("TIEWATCH_CAMPAIGNS_GEOCODER") or "none")
    if name == "none":
        return NoGeocoder()
    if name == "table":
        return TableGeocoder(str(conf.get("TIEWATCH_CAMPAIGNS_GEOCODER_TABLE") or ""))
    module, _, attr = name.rpartition(".")
    return getattr(importlib.import_module(module), attr)()


def verify(method: str, config: dict, *, address: str, postal_code: str,
           geocoder_: Geocoder | None = None) -> Result:
    try:
        return _verify(method, config, address=address, postal_code=postal_code, geocoder_=geocoder_)
    except InputError as error:
        where = "; ".join(error.lines())
        log.error("resident verification: a lookup file is broken: %s", where)
        return Result(False, f"verification file unreadable: {where}"[:200])


def _verify(method: str, config: dict, *, address: str, postal_code: str,
            geocoder_: Geocoder | None) -> Result:
    if method == "none" or not method:
        return Result(False, "no verification for this petition")
    if method == "postal_codes":
        if "postal_codes" in config:
            codes = frozenset(normalise_postal_code(c) for c in config["postal_codes"])
        else:
            codes = _postal_codes_file(str(_resolve(config["postal_codes_file"])))
        ok = normalise_postal_code(postal_code) in codes
        return Result(ok, "postal code in list" if ok else "postal code not in list")
    if method == "census":
        rows = _census_file(str(_resolve(config["census_file"])))
        ok = (normalise_address(address), normalise_postal_code(postal_code)) in rows
        return Result(ok, "address in census" if ok else "address not in census")
    if method == "boundary":
        from shapely.geometry import Point

        if "boundary" in config:
            area = _shape(config["boundary"])
        else:
            area = _boundary_file(str(_resolve(config["boundary_file"])))
        coords = (geocoder_ or geocoder()).geocode(address, postal_code)
        if coords is None:
            return Result(False, "address not geocoded")
        ok = bool(area.covers(Point(coords)))
        return Result(ok, "inside boundary" if ok else "outside boundary")
    return Result(False, f"unknown verification method {method!r}")
