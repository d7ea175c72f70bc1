"""The LESO dataset folder's reader and mapping, as the datasets framework calls them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from itertools import compress, repeat
from operator import ne
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
# One tuple for every row: the survey skips a row's entity bookkeeping when its parties are the very
# objects of the row before.
_COUNTERPARTS = (DLA,)
# The typed attributes of a tie, in the order `map_row` lists their values.
ATTRIBUTES = ("item", "nsn", "fsg", "fsc", "niin", "demil_code", "demil_ic", "quantity", "unit", "acquisition_value",
              "station_type", "sheet", "justification", "requisition_id", "reason_cancelled", "cancelled_by",
              "rtd_ref", "record_type", "release", "as_of", "categories")
_BLANKS = repeat("")
STATES = frozenset(
    ["AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY", "PR", "GU", "VI", "AS", "MP"])


class LesoAdapter:
    name = "leso"
    files_only = True

    def __init__(self) -> None:
        self.releases: dict[str, Release] = {}
        self.agencies: dict[tuple[str, str], IncomingEntity] = {}
        self.dates: dict[str, tuple[dt.date, str]] = {}

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
        """The agency of a state and a name as the file writes it, mapped once per distinct pair."""
        key = (state, written)
        if key not in self.agencies:
            self.agencies[key] = agency(written, state)
        return self.agencies[key]

    def date(self, recorded: str) -> tuple[dt.date, str]:
        """A RecordDate, parsed once per distinct text (the files repeat a few thousand dates)."""
        day = reader.date("RecordDate", recorded)
        self.dates[recorded] = (day, day.isoformat())
        return self.dates[recorded]

    def map_row(self, raw: list[str], label: str, line: int) -> DatasetRow:
        """One row (values in `reader.COLUMNS` order) as a tie. Unpacked into names once: reading
        24 values by column name from a dict per row was a sixth of the import's Python time."""
        (file, sheet, state, agency_name, item, recorded, value, quantity, unit, fsg, item_fsc, _cc, _code,
         justification, nsn, fsc, niin, demil, demil_ic, station, requisition, cancelled_by, rtd_ref,
         reason) = reader.clean(raw)
        release = self.releases.get(file) or self.release(file)
        if release.inventory:
            record_type, status = "inventory", "confirmed"
        elif sheet in SHEET_TYPES:
            record_type, status = SHEET_TYPES[sheet]
        else:
            raise FieldError("Sheet", f"{sheet!r}: a shipments workbook has the sheets SHIPMENTS and CANCELLATIONS")
        if state not in STATES:
            raise FieldError("StateAbbreviation", f"{state!r} is not a US state or territory postal code")
        if not agency_name:
            raise FieldError("RequestingAgency", "the requesting agency is empty")
        subject = self.agencies.get((state, raw[3])) or self.agency(raw[3], state)
        item = " ".join(item.split())
        if not item:
            raise FieldError("ItemDescription", "the item description is empty")
        nsn, niin = _nsn(nsn, fsc, niin)
        fsc = fsc or (fsg + item_fsc)
        count, acquisition_value = reader.count("Quantity", quantity), reader.number("AcquisitionValue", value)
        day, day_text = self.dates.get(recorded) or self.date(recorded)
        values = (item, nsn, fsg, fsc, niin, demil, reader.code(demil_ic), count, unit,
                  "" if acquisition_value is None else acquisition_value, station, sheet, justification, requisition,
                  reason, cancelled_by, rtd_ref, record_type, release.name, release.as_of_text,
                  categorize(fsc, demil, item))
        # A field the row's workbook does not have ("not in file", or empty) is left out, not stored as "".
        # (Picked with C loops, compress/map, rather than a Python comprehension per row.)
        attributes: dict[str, Any] = dict(compress(zip(ATTRIBUTES, values), map(ne, values, _BLANKS)))
        key = (record_type, state, subject.name.casefold(), nsn, item.casefold(), day_text, unit, requisition, rtd_ref)
        return DatasetRow(label, line, sheet, key, release.name, release.as_of, subject, _COUNTERPARTS, PROGRAM,
                          "equipment_transfer", day, status, attributes, release.source)


def _nsn(nsn: str, fsc: str, niin: str) -> tuple[str, str]:
    """(NSN, NIIN): the inventory gives the NSN (1005-00-073-9421), shipments give FSC + NIIN."""
    if nsn:
        parts = nsn.split("-")
        return nsn, "".join(parts[1:]) if len(parts) == 4 else ""
    if len(fsc) == 4 and len(niin) == 9:
        return f"{fsc}-{niin[:2]}-{niin[2:5]}-{niin[5:]}", niin
    return "", niin


ADAPTER = LesoAdapter()
