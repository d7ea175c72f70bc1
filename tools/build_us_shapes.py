"""Build the committed US shape tables (tiewatch/core/maps/data/us_states.json, us_counties.json) from
the npm package `us-atlas` (public-domain Census cartographic boundaries, TopoJSON).

    mkdir -p /tmp/atlas && cd /tmp/atlas && npm pack us-atlas@3.0.1
    python tools/build_us_shapes.py /tmp/atlas/us-atlas-3.0.1.tgz

The package's `*-albers-10m.json` files are already projected with d3's Albers USA (Alaska and Hawaii
as insets) into d3's 975 x 610 frame (the western Aleutians spill left of it: the
viewBox is the data's bounding box), so the site needs no projection code and no npm at run time. Arcs
are simplified once, before polygons are assembled, so neighbours keep sharing their borders exactly.
Needs the `us` package (state FIPS codes to postal codes) at build time only.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
import tarfile
from pathlib import Path
from typing import Any

import us  # type: ignore[import-untyped]
from shapely import make_valid
from shapely.geometry import LineString, MultiPoint, MultiPolygon, Polygon

OUT = Path(__file__).resolve().parent.parent / "tiewatch" / "core" / "maps" / "data"
TOLERANCE = {"states": 0.35, "counties": 0.6}  # in frame units (px of the 975-wide frame)
Point = tuple[float, float]


def decode_arcs(topology: dict[str, Any]) -> list[list[Point]]:
    scale, translate = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * scale[0] + translate[0], y * scale[1] + translate[1]))
        arcs.append(points)
    return arcs


def simplify(arcs: list[list[Point]], tolerance: float) -> list[list[Point]]:
    # Douglas-Peucker keeps each arc's end points, which are where neighbouring shapes meet.
    return [list(LineString(a).simplify(tolerance, preserve_topology=False).coords) if len(a) > 2 else a
            for a in arcs]


def ring(indices: list[int], arcs: list[list[Point]]) -> list[Point]:
    points: list[Point] = []
    for index in indices:
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        points.extend(arc if not points else arc[1:])
    return points


def polygons(geometry: dict[str, Any]) -> list[list[list[int]]]:
    if geometry["type"] == "Polygon":
        return [geometry["arcs"]]
    if geometry["type"] == "MultiPolygon":
        return list(geometry["arcs"])
    return []


def path_data(rings: list[list[Point]]) -> str:
    parts = []
    for points in rings:
        rounded = [(round(x, 1), round(y, 1)) for x, y in points]
        deduped = [p for i, p in enumerate(rounded) if i == 0 or p != rounded[i - 1]]
        if len(set(deduped)) < 3:
            continue  # an island smaller than the drawing's precision
        coords = " ".join(f"{_num(x)},{_num(y)}" for x, y in deduped[:-1])
        parts.append(f"M{coords}Z")
    return "".join(parts)


def _num(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def shape_rows(topology: dict[str, Any], layer: str) -> list[dict[str, Any]]:
    exact = decode_arcs(topology)
    drawn = simplify(exact, TOLERANCE[layer])
    rows = []
    for geometry in topology["objects"][layer]["geometries"]:
        polys = polygons(geometry)
        if not polys:
            continue
        shells = [Polygon(ring(p[0], exact), [h for h in (ring(h, exact) for h in p[1:]) if len(h) > 3])
                  for p in polys if len(ring(p[0], exact)) > 3]
        anchor = make_valid(MultiPolygon(shells)).representative_point() if shells else \
            MultiPoint([pt for p in polys for pt in ring(p[0], exact)]).centroid  # a speck: 3 points
        rows.append({"fips": geometry["id"], "name": geometry["properties"]["name"],
                     "x": round(anchor.x, 1), "y": round(anchor.y, 1),
                     "d": path_data([ring(r, drawn) for p in polys for r in p])})
    return rows


def frame(bbox: list[float]) -> list[int]:
    """The SVG viewBox (x, y, width, height) holding every shape: the western Aleutians lie left of x=0."""
    x0, y0, x1, y1 = math.floor(bbox[0]), math.floor(bbox[1]), math.ceil(bbox[2]), math.ceil(bbox[3])
    return [x0, y0, x1 - x0, y1 - y0]


def state_code(fips: str) -> str:
    state = us.states.lookup(fips)
    if state is None:
        raise SystemExit(f"unknown state FIPS code {fips!r}")
    return str(state.abbr).lower()


def build(tarball: Path) -> None:
    with tarfile.open(tarball) as tar:
        def read(name: str) -> bytes:
            member = tar.extractfile(f"package/{name}")
            if member is None:
                raise SystemExit(f"{tarball}: no package/{name}")
            return member.read()
        package = json.loads(read("package.json"))
        states_topo = json.loads(read("states-albers-10m.json"))
        counties_topo = json.loads(read("counties-albers-10m.json"))
    meta = {"package": f"{package['name']}@{package['version']}",
            "tarball_sha256": hashlib.sha256(tarball.read_bytes()).hexdigest(),
            "files": ["states-albers-10m.json", "counties-albers-10m.json"],
            "frame": frame(states_topo["bbox"]), "projection": "d3.geoAlbersUsa().scale(1300).translate([487.5, 305])",
            "licence": "US Census Bureau cartographic boundaries (public domain); us-atlas packaging ISC"}
    states = [{**row, "code": state_code(row["fips"])} for row in shape_rows(states_topo, "states")]
    counties = [{**row, "state": state_code(row["fips"][:2])} for row in shape_rows(counties_topo, "counties")]
    OUT.mkdir(parents=True, exist_ok=True)
    for name, rows in (("us_states.json", states), ("us_counties.json", counties)):
        rows.sort(key=lambda r: r["fips"])
        text = json.dumps({"meta": {**meta, "tolerance": TOLERANCE["states" if "states" in name else "counties"]},
                           "shapes": rows}, separators=(",", ":"), ensure_ascii=False)
        (OUT / name).write_text(text + "\n", encoding="utf-8")
        print(f"{OUT / name}: {len(rows)} shapes, {len(text) // 1024} KiB")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("tarball", type=Path, help="the us-atlas .tgz made by `npm pack us-atlas@3.0.1`")
    build(parser.parse_args(argv).tarball)
    return 0


if __name__ == "__main__":
    sys.exit(main())
