"""A LESO row as an `equipment_transfer` tie: the agency (subject) received the item from the
Defense Logistics Agency (counterpart) through the 1033 program, dated by RecordDate, cited to
the DLA workbook the row comes from.

Status by sheet: inventory (property held) and shipments are confirmed by an official record;
cancellations are requests that were cancelled.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from tiewatch.core.date_words import date_words
from tiewatch.datasets.leso.reader import FieldError
from tiewatch.datasets.resolve import normalise_name
from tiewatch.datasets.rows import FixedEntity, IncomingEntity, SourceSpec
from tiewatch.resolution.engine import parse_agency_name

DLA = "us-dla"
PROGRAM = "us-dod-1033-program"
PUBLISHER = "US Defense Logistics Agency, Law Enforcement Support Office"
PUBLIC_INFORMATION = "https://www.dla.mil/DispositionServices/Offers/Reutilization/LawEnforcement/PublicInformation/"
PROGRAM_PAGE = "https://www.dla.mil/DispositionServices/Offers/Reutilization/LawEnforcement/"
# AllStatesAndTerritories_03312021.xlsx, Shipments_Cancellations_01012021_03312021.xlsx: the last
# date (MMDDYYYY) is the release's "as of".
_RELEASE = re.compile(r"^(AllStatesAndTerritories|Shipments_Cancellations)_(?:\d{8}_)?(\d{2})(\d{2})(\d{4})\.xlsx$")
SHEET_TYPES = {"SHIPMENTS": ("shipment", "confirmed"), "CANCELLATIONS": ("cancellation", "cancelled")}
# OCD division types of the places that are not states.
_TERRITORIES = {"DC": "district", "PR": "territory", "GU": "territory", "VI": "territory", "AS": "territory",
                "MP": "territory"}
_SLUG = re.compile(r"[^a-z0-9]+")
_OCD_WORD = re.compile(r"[^a-z0-9~_.-]+")


def slug(value: str) -> str:
    return _SLUG.sub("-", value.casefold()).strip("-")


def state_division(state: str) -> str:
    return f"ocd-division/country:us/{_TERRITORIES.get(state, 'state')}:{state.lower()}"


def _ocd_part(kind: str, name: str) -> str:
    return f"{kind}:{_OCD_WORD.sub('_', name.casefold().strip()).strip('_')}"


def fixed_entities() -> list[FixedEntity]:
    page = SourceSpec(id="dla-leso-program", url=PROGRAM_PAGE, title="Law Enforcement Support Office (LESO)",
                      publisher=PUBLISHER, excerpt="The 1033 Program provides surplus DoD military equipment "
                      "to state and local civilian law enforcement agencies.")
    return [
        FixedEntity(DLA, "Defense Logistics Agency", "federal_agency", "US", "ocd-division/country:us",
                    "US Department of Defense agency whose Law Enforcement Support Office runs the 1033 program.",
                    page),
        FixedEntity(PROGRAM, "1033 Program (DoD excess property to law enforcement)", "program", "US",
                    "ocd-division/country:us", "Section 1033 of the National Defense Authorization Act for "
                    "Fiscal Year 1997: transfers of excess Department of Defense property to law enforcement.", page),
    ]


@dataclass(frozen=True, slots=True)
class Release:
    """One DLA workbook (the `File` column): its record type, date and Source."""

    name: str
    inventory: bool
    source: SourceSpec
    as_of: dt.date
    as_of_text: str  # ISO form, as every row's `as_of` attribute writes it


def release_of(name: str) -> Release:
    match = _RELEASE.match(name)
    if not match:
        raise FieldError("File", f"{name!r} is not a known LESO workbook "
                                 "(AllStatesAndTerritories_MMDDYYYY.xlsx, Shipments_Cancellations_..._MMDDYYYY.xlsx)")
    try:
        as_of = dt.date(int(match[4]), int(match[2]), int(match[3]))
    except ValueError:
        raise FieldError("File", f"{name!r}: the date in the name is not a date") from None
    inventory = match[1] == "AllStatesAndTerritories"
    what = "property held by participating agencies" if inventory else "shipments and cancellations"
    source = SourceSpec(id=f"dla-leso-{slug(name.removesuffix('.xlsx'))}"[:64], url=f"{PUBLIC_INFORMATION}#{name}",
                        title=f"DLA LESO public information: {name} ({what}, as of {date_words(as_of)})",
                        publisher=PUBLISHER,
                        excerpt=f"LESO property held as of {date_words(as_of)}" if inventory
                        else f"LESO shipments and cancellations up to {date_words(as_of)}")
    return Release(name, inventory, source, as_of, as_of.isoformat())


def agency(written: str, state: str) -> IncomingEntity:
    """The agency a row names, with its proposed stable id (state + normalised name)."""
    name = " ".join(written.split())
    parsed = parse_agency_name(name, state)
    division = state_division(state)
    jurisdiction, uncertain = division, parsed.uncertain
    if parsed.place:
        jurisdiction = f"{division}/{_ocd_part('place', parsed.place)}"
    elif parsed.county:
        jurisdiction = f"{division}/{_ocd_part('county', parsed.county)}"
    kind = parsed.kind or "police_agency"
    extra = {"agency_type": parsed.agency_type or "law enforcement agency", "state": state,
             "leso_name": name}
    if not parsed.kind:
        uncertain = True  # every LESO participant enforces law; what kind of agency, the name does not say
    return IncomingEntity(id=f"us-{state.lower()}-{slug(normalise_name(name))}"[:150], name=name, kind=kind,
                          country="US", state=state, jurisdiction=jurisdiction, uncertain=uncertain, extra=extra,
                          written=written if written != name else "")
