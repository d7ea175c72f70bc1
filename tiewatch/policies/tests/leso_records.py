"""Plain records from REAL rows of the shared DLA LESO files, read the way the LESO importer maps
them: one agency entity per (state, name), one `equipment_transfer` tie per row (subject the agency,
counterpart the Defense Logistics Agency `us-dla`, dated by the record date with no end: property
held from then on; cancelled requests cancelled; `categories` from categories.yaml). For the pure
engine tests and bench/equipment_screening.py, without the database."""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterable
from pathlib import Path

from tiewatch.core.records import EntityRecord, TieRecord
from tiewatch.datasets.leso.categories import categorize, row_of_tsv

REPO = Path(__file__).resolve().parents[3]
LESO = REPO.parent / "shared" / "data" / "leso" / "dla_leso_merged_2021-03-31_barbh1307"
DLA = EntityRecord("us-dla", "Defense Logistics Agency", "federal_agency", "US")


def agency_kind(name: str) -> str:
    if re.search(r"SHERIFF", name):
        return "sheriff"
    if re.search(r"STATE POLICE|HIGHWAY PATROL|STATE PATROL|DEPT OF PUBLIC SAFETY", name):
        return "state_police"
    if re.match(r"(DHS|DOI|DOJ|USDA|DOC|DOT|TREASURY)\b|.*\b(FBI|DEA|ATF|US MARSHALS?)\b", name):
        return "federal_agency"
    return "police_agency"


def agency_id(state: str, name: str) -> str:
    return f"us-{state.lower()}-" + re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def read_state(state: str, folder: Path = LESO) -> tuple[dict[str, EntityRecord], list[TieRecord]]:
    entities: dict[str, EntityRecord] = {}
    ties = []
    with open(folder / f"{state}_leso.tsv", newline="", encoding="utf-8") as handle:
        for n, row in enumerate(csv.DictReader(handle, delimiter="\t")):
            name = " ".join(row["RequestingAgency"].split())
            eid = agency_id(state, name)
            entities.setdefault(eid, EntityRecord(eid, name, agency_kind(name), "US",
                                                  f"ocd-division/country:us/state:{state.lower()}"))
            fsc, demil, item, _ = row_of_tsv(row)
            status = "cancelled" if row["Sheet"] == "CANCELLATIONS" else "confirmed"
            ties.append(TieRecord(f"{state.lower()}-{n}", eid, ("us-dla",), "equipment_transfer",
                                  dt.date.fromisoformat(row["RecordDate"][:10]), None, status, None,
                                  {"categories": categorize(fsc, demil, item), "item": item.strip()}))
    return entities, ties


def leso_records(states: Iterable[str] | None = None,
                 folder: Path = LESO) -> tuple[list[EntityRecord], list[TieRecord]]:
    """Agencies (with the DLA) and ties of the given states' files, or of every file."""
    if states is None:
        states = sorted(p.name[:2] for p in folder.glob("*_leso.tsv"))
    entities: dict[str, EntityRecord] = {DLA.id: DLA}
    ties: list[TieRecord] = []
    for state in states:
        state_entities, state_ties = read_state(state, folder)
        entities.update(state_entities)
        ties += state_ties
    return list(entities.values()), ties
