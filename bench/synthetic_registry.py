"""A synthetic registry of agencies and companies for the matching benchmarks (bench/match_api.py,
bench/screen_list.py), and the messy names a real list would hold for them.

Place names are made of syllables (no real place is meant); kinds and name shapes follow the
registry's: city police, county sheriffs, state police, companies and foreign forces.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

STATES = ["AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY"]
HEADS = ["Ash", "Bel", "Cal", "Dun", "El", "Fair", "Glen", "Har", "Iron", "Jas", "Kel", "Lin", "Mar", "New",
         "Oak", "Pine", "Quin", "Red", "Sal", "Tam", "Un", "Val", "West", "Yar", "Zel", "Brook", "Clear", "Deer"]
TAILS = ["ford", "ton", "ville", "field", "wood", "dale", "port", "burg", "mont", "view", "haven", "ridge",
         "wick", "land", "bury", "stead"]
COMPANY_WORDS = ["Systems", "Defense", "Security", "Technologies", "Analytics", "Solutions", "Industries",
                 "Dynamics", "Logistics", "Surveillance", "Armor", "Tactical"]
COMPANY_FORMS = ["Inc", "LLC", "Ltd", "Corporation", "Group", "Company"]


@dataclass(frozen=True)
class Synthetic:
    id: str
    name: str
    kind: str
    country: str
    state: str
    place: str


def place_names(rng: random.Random) -> list[str]:
    names = [h + t for h in HEADS for t in TAILS]
    rng.shuffle(names)
    return names


def make_registry(n: int, seed: int = 1) -> list[Synthetic]:
    rng = random.Random(seed)
    places = place_names(rng)
    out: list[Synthetic] = []
    i = 0
    while len(out) < n:
        place = places[i % len(places)]
        state = STATES[(i // len(places) + i) % len(STATES)]
        shape = i % 10
        if shape < 5:
            out.append(Synthetic(f"us-{state.lower()}-{place.lower()}-police-department-{i}",
                                 f"{place} Police Department", "police_agency", "US", state, place))
        elif shape < 8:
            out.append(Synthetic(f"us-{state.lower()}-{place.lower()}-county-sheriff-{i}",
                                 f"{place} County Sheriff's Office", "sheriff", "US", state, ""))
        elif shape < 9:
            word = COMPANY_WORDS[i % len(COMPANY_WORDS)]
            out.append(Synthetic(f"co-{place.lower()}-{word.lower()}-{i}",
                                 f"{place} {word} {COMPANY_FORMS[i % len(COMPANY_FORMS)]}", "company", "US", "", ""))
        else:
            out.append(Synthetic(f"xf-{place.lower()}-national-police-{i}", f"{place} National Police",
                                 "foreign_police", "GB", "", ""))
        i += 1
    return out


def messy_name(entity: Synthetic, rng: random.Random) -> str:
    """How a spreadsheet or a federal dataset would spell it."""
    name = entity.name
    variants = [name, name.upper(), name.replace("Department", "Dept"), name.replace(" Police Department", " PD"),
                name.replace("County Sheriff's Office", "CTY SHERIFF").upper(), name.replace(" Inc", "").upper()]
    return rng.choice(variants)


def queries(registry: list[Synthetic], n: int, seed: int = 2, unknown_share: float = 0.2) -> list[dict[str, str]]:
    """`n` match queries: most a messy spelling of a registry entity (with its state when it has one),
    the rest names the registry does not hold."""
    rng = random.Random(seed)
    out = []
    for k in range(n):
        if rng.random() < unknown_share:
            out.append({"name": f"Nowhere{k} Municipal Water Authority"})
            continue
        entity = rng.choice(registry)
        out.append({"name": messy_name(entity, rng), **({"state": entity.state} if entity.state else {})})
    return out
