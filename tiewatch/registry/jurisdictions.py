"""Open Civic Data divisions: names, parents, and creating the ones an import mentions."""

from __future__ import annotations

from collections.abc import Iterable

from tiewatch.registry.models import Jurisdiction

# Short OCD codes whose readable name is not the title-cased code.
US_STATES = {
    "al": "Alabama", "ak": "Alaska", "az": "Arizona", "ar": "Arkansas", "ca": "California", "co": "Colorado",
    "ct": "Connecticut", "de": "Delaware", "dc": "District of Columbia", "fl": "Florida", "ga": "Georgia",
    "hi": "Hawaii", "id": "Idaho", "il": "Illinois", "in": "Indiana", "ia": "Iowa", "ks": "Kansas",
    "ky": "Kentucky", "la": "Louisiana", "me": "Maine", "md": "Maryland", "ma": "Massachusetts",
    "mi": "Michigan", "mn": "Minnesota", "ms": "Mississippi", "mo": "Missouri", "mt": "Montana",
    "ne": "Nebraska", "nv": "Nevada", "nh": "New Hampshire", "nj": "New Jersey", "nm": "New Mexico",
    "ny": "New York", "nc": "North Carolina", "nd": "North Dakota", "oh": "Ohio", "ok": "Oklahoma",
    "or": "Oregon", "pa": "Pennsylvania", "ri": "Rhode Island", "sc": "South Carolina", "sd": "South Dakota",
    "tn": "Tennessee", "tx": "Texas", "ut": "Utah", "vt": "Vermont", "va": "Virginia", "wa": "Washington",
    "wv": "West Virginia", "wi": "Wisconsin", "wy": "Wyoming", "pr": "Puerto Rico", "gu": "Guam",
}
COUNTRIES = {"us": "United States", "il": "Israel", "ps": "Palestine"}


def parent_id(ocd_id: str) -> str | None:
    head, sep, _ = ocd_id.rpartition("/")
    return head if sep and head != "ocd-division" else None


def display_name(ocd_id: str) -> str:
    kind, _, code = ocd_id.rsplit("/", 1)[-1].partition(":")
    if kind == "country":
        return COUNTRIES.get(code, code.upper())
    if kind in ("state", "district", "territory") and code in US_STATES:
        return US_STATES[code]
    words = code.replace("_", " ").replace("~", " ").split()
    name = " ".join(word.capitalize() for word in words)
    return f"{name} County" if kind == "county" else name


def lineage(ocd_id: str) -> list[str]:
    """The division and all its ancestors, root first."""
    chain = [ocd_id]
    while (parent := parent_id(chain[-1])) is not None:
        chain.append(parent)
    return list(reversed(chain))


NATIONAL = "national"  # a list's state filter value for a country-wide division


def state_of(ocd_id: str) -> str:
    """The US state (postal code, lower case) an OCD division lies in; NATIONAL for a whole country;
    "" when there is none (a place outside the known states, or no division)."""
    parts = (ocd_id or "").removeprefix("ocd-division/").split("/")
    for part in parts[1:]:
        kind, _, code = part.partition(":")
        if kind in ("state", "district", "territory") and code in US_STATES:
            return code
    return NATIONAL if len(parts) == 1 and parts[0].startswith("country:") else ""


def state_label(code: str) -> str:
    """A state filter value as words: "North Carolina", "National"."""
    return "National" if code == NATIONAL else US_STATES.get(code, code.upper())


def state_choices() -> list[tuple[str, str]]:
    """A list's state filter: any, national, then the states by name."""
    return [("", "any"), (NATIONAL, state_label(NATIONAL)), *sorted(US_STATES.items(), key=lambda c: c[1])]


def ensure_jurisdictions(ocd_ids: Iterable[str]) -> int:
    """Create the named divisions and their ancestors if missing; return how many were created."""
    wanted: dict[str, None] = {}
    for ocd_id in ocd_ids:
        wanted.update(dict.fromkeys(lineage(ocd_id)))
    existing = set(Jurisdiction.objects.filter(pk__in=list(wanted)).values_list("id", flat=True))
    missing = [j for j in wanted if j not in existing]  # root-first, so parents are created first
    Jurisdiction.objects.bulk_create(
        [Jurisdiction(id=j, name=display_name(j), parent_id=parent_id(j)) for j in missing]
    )
    return len(missing)
