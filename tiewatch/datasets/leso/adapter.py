"""The LESO dataset folder's reader and mapping, as the datasets framework calls them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tiewatch.core.errors import Problem
from tiewatch.datasets.leso import reader
from tiewatch.datasets.leso.categories import categorize
from tiewatch.datasets.leso.mapping import (
    DLA,
    PROGRAM,
    SHEET_TYPES,
    Release,
    agency,
    fixed_entities,
    release_of,
)
from tiewatch.datasets.leso.reader import FieldError
from tiewatch.datasets.rows import DatasetRow, FixedEntity, IncomingEntity, Notice

FILE_PATTERN = "*.tsv"
STATES = frozenset(
    ["AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY", "PR", "GU", "VI", "AS", "MP"])


class LesoAdapter:
    name = "leso"

    def __init__(self) -> None:
        self.releases: dict[str, Release] = {}
        self.agencies: dict[tuple[str, str], IncomingEntity] = {}

    def list_files(self, root: Path) -> list[Path]:
        if root.is_file():
            return [root]
        return sorted(p for p in root.rglob(FILE_PATTERN) if p.is_file())

    def fixed_entities(self) -> list[FixedEntity]:
        return fixed_entities()

    def read(self, path: Path, label: str) -> Iterator[DatasetRow | Notice | Problem]:
        yield Notice(label, f"columns read but not imported: {', '.join(reader.UNUSED)} "
                            "(the parts of the NIIN, which is kept whole as `niin`)")
        for item in reader.rows(path, label):
            if isinstance(item, Problem):
                yield item
                continue
            line, row = item
            try:
                yield self.map_row(row, label, line)
            except FieldError as error:
                yield Problem(str(error), field=error.column, file=label, line=line)

    def release(self, name: str) -> Release:
        if name not in self.releases:
            self.releases[name] = release_of(name)
        return self.releases[name]

    def agency(self, written: str, state: str) -> IncomingEntity:
        key = (state, written)
        if key not in self.agencies:
            self.agencies[key] = agency(written, state)
        return self.agencies[key]

    def map_row(self, raw: dict[str, str], label: str, line: int) -> DatasetRow:
        row = reader.clean(raw)
        release = self.release(row["File"])
        sheet = row["Sheet"]
        if release.inventory:
            record_type, status = "inventory", "confirmed"
        elif sheet in SHEET_TYPES:
            record_type, status = SHEET_TYPES[sheet]
        else:
            raise FieldError("Sheet", f"{sheet!r}: a shipments workbook has the sheets SHIPMENTS and CANCELLATIONS")
        state = row["StateAbbreviation"]
        if state not in STATES:
            raise FieldError("StateAbbreviation", f"{state!r} is not a US state or territory postal code")
        name = " ".join(row["RequestingAgency"].split())
        if not name:
            raise FieldError("RequestingAgency", "the requesting agency is empty")
        attributes = item_attributes(row, record_type, release)
        recorded = reader.date("RecordDate", row["RecordDate"])
        key = (record_type, state, name.casefold(), attributes.get("nsn", ""), attributes["item"].casefold(),
               recorded.isoformat(), attributes.get("unit", ""), attributes.get("requisition_id", ""),
               attributes.get("rtd_ref", ""))
        return DatasetRow(file=label, line=line, sheet=sheet, key=key, group=release.name, as_of=release.as_of,
                          subject=self.agency(raw["RequestingAgency"], state), counterparts=(DLA,),
                          program=PROGRAM, kind="equipment_transfer", date=recorded, status=status,
                          attributes=attributes, source=release.source)


def _nsn(row: dict[str, str]) -> tuple[str, str]:
    """(NSN, NIIN): the inventory gives the NSN (1005-00-073-9421), shipments give FSC + NIIN."""
    nsn = row["NSN"]
    if nsn:
        parts = nsn.split("-")
        return nsn, "".join(parts[1:]) if len(parts) == 4 else ""
    fsc, niin = row["FSC"], row["NIIN"]
    if len(fsc) == 4 and len(niin) == 9:
        return f"{fsc}-{niin[:2]}-{niin[2:5]}-{niin[5:]}", niin
    return "", niin


def item_attributes(row: dict[str, str], record_type: str, release: Release) -> dict[str, Any]:
    item = " ".join(row["ItemDescription"].split())
    if not item:
        raise FieldError("ItemDescription", "the item description is empty")
    nsn, niin = _nsn(row)
    fsg = row["Item_FSG"]
    fsc = row["FSC"] or (fsg + row["Item_FSC"])
    demil = row["DEMILCode"]
    values: dict[str, Any] = {
        "item": item, "nsn": nsn, "fsg": fsg, "fsc": fsc, "niin": niin, "demil_code": demil,
        "demil_ic": reader.code(row["DEMILIC"]), "quantity": reader.count("Quantity", row["Quantity"]),
        "unit": row["UnitIncrement"], "acquisition_value": reader.number("AcquisitionValue", row["AcquisitionValue"]),
        "station_type": row["StationType"], "sheet": row["Sheet"], "justification": row["Justification"],
        "requisition_id": row["RequisitionID"], "reason_cancelled": row["ReasonCancelled"],
        "cancelled_by": row["CancelledBy"], "rtd_ref": row["RTDRef"], "record_type": record_type,
        "release": release.name, "as_of": release.as_of.isoformat(), "categories": categorize(fsc, demil, item),
    }
    # A field the row's workbook does not have ("not in file", or empty) is left out, not stored as "".
    return {k: v for k, v in values.items() if v != "" and v is not None}


ADAPTER = LesoAdapter()
