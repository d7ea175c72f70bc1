"""Plain records from the demo seed YAML, without the database (for the pure-engine tests)."""

from __future__ import annotations

from pathlib import Path

import yaml

from tiewatch.core.partial_dates import parse_date_range, parse_partial_date
from tiewatch.core.records import EntityRecord, SourceRecord, TieRecord

REPO = Path(__file__).resolve().parents[3]
SEED_CANDIDATES = (REPO / "tiewatch" / "registry" / "demo" / "seed.yaml",
                   REPO.parent / "shared" / "data" / "registry" / "seed.yaml")
LAWS = REPO / "tiewatch" / "policies" / "laws"


def seed_path() -> Path:
    for p in SEED_CANDIDATES:
        if p.exists():
            return p
    raise FileNotFoundError("no seed.yaml")


def seed_records() -> tuple[list[EntityRecord], list[TieRecord]]:
    data = yaml.safe_load(seed_path().read_text())
    entities = [EntityRecord(e["id"], e["name"], e["kind"], e.get("country") or "", e.get("jurisdiction") or "")
                for e in data["entities"]]
    ties = []
    for t in data["ties"]:
        start = end = None
        years = tuple(t.get("years") or ())
        if t.get("dates"):
            a, b = parse_date_range(str(t["dates"]))
            start, end = a.first_day, b.last_day
        elif t.get("date"):
            d = parse_partial_date(t["date"])
            start, end = d.first_day, d.last_day
        elif years:
            start, end = parse_partial_date(min(years)).first_day, parse_partial_date(max(years)).last_day
        attrs = dict(t.get("attributes") or {})
        if t.get("counterpart_country"):
            attrs["counterpart_country"] = t["counterpart_country"]
        ties.append(TieRecord(t["id"], t["subject"], tuple(t.get("counterparts") or ()), t["kind"], start, end,
                              t.get("status", "reported"), t.get("program"), attrs,
                              tuple(SourceRecord(s["url"], s["url"]) for s in t.get("sources") or ()), years))
    return entities, ties
