"""The features of one query-record pair; a score is the sum of their weights, clamped to 0..1."""

from __future__ import annotations

import re
from functools import cache, lru_cache

import yaml
from rapidfuzz import fuzz

from .parse import ancestors
from .profiles import Profile
from .tables import TABLES_DIR, tables
from .types import Feature

_LEADING_DIGITS = re.compile(r"^\d+")


@cache
def weights() -> dict[str, float]:
    with open(TABLES_DIR / "weights.yaml", encoding="utf-8") as handle:
        return {str(key): float(value) for key, value in yaml.safe_load(handle).items()}


def similarity(left: str, right: str) -> float:
    """0..1: the better of character and word-order-free similarity (rapidfuzz)."""
    if not left or not right:
        return 0.0
    return max(fuzz.ratio(left, right), fuzz.token_sort_ratio(left, right)) / 100.0


def _partners(word: str, other: str, cutoff: float) -> bool:
    """Alike words, or one the start of the other ("north" / "northern", "george" / "georges")."""
    shorter, longer = sorted((word, other), key=len)
    prefix = len(shorter) >= weights()["prefix_partner_min"] and longer.startswith(shorter)
    return prefix or fuzz.ratio(word, other) >= cutoff


def _unpaired(left: list[str], right: list[str]) -> int:
    cutoff = weights()["word_partner_at"] * 100
    unpaired = sum(1 for word in left if not any(_partners(word, other, cutoff) for other in right))
    return unpaired + sum(1 for word in right if not any(_partners(word, other, cutoff) for other in left))


@lru_cache(maxsize=65536)
def name_similarity(left: str, right: str) -> float:
    """similarity(), lowered for each word of one side without a partner on the other:
    "university south carolina aiken" and "... beaufort" read alike, but a word differs. Words
    run together are no loss ("de forest" = "deforest")."""
    value = similarity(left, right)
    w = weights()
    if not value or similarity(left.replace(" ", ""), right.replace(" ", "")) >= w["joined_equal_at"]:
        return value
    return value * (1 - min(w["unpaired_cap"], w["unpaired_word_cost"] * _unpaired(left.split(), right.split())))


def best_core(query: Profile, record: Profile) -> tuple[float, str, str, str, bool]:
    """The most similar (query words, record words) pair over names and aliases:
    (similarity, query core, record core, the record label it came from, whether an alias)."""
    best = (0.0, "", "", "", False)
    for q_index, (_, q_core) in enumerate(query.cores):
        for r_index, (r_label, r_core) in enumerate(record.cores):
            value = name_similarity(q_core, r_core)
            if value > best[0]:
                best = (value, q_core, r_core, r_label, q_index > 0 or r_index > 0)
    return best


def _name_feature(query: Profile, record: Profile) -> Feature:
    value, q_core, r_core, label, via_alias = best_core(query, record)
    detail = (
        f"'{q_core}' vs '{r_core}': {value:.2f} after normalising "
        f"('{query.parsed.normalised}' / '{record.parsed.normalised}')"
    )
    if via_alias:
        return Feature("alias", weights()["name"] * value, f"alias '{label}': {detail}")
    return Feature("name", weights()["name"] * value, detail)


def _state_feature(query: Profile, record: Profile) -> Feature | None:
    if not query.state or not record.state:
        return None
    if query.state == record.state:
        return Feature("state", weights()["state_same"], f"both in {query.state}")
    return Feature("state", weights()["state_different"], f"{query.state} vs {record.state}: another state")


def _type_feature(query: Profile, record: Profile) -> Feature | None:
    q_type, r_type = query.parsed.agency_type, record.parsed.agency_type
    if q_type and r_type:
        if q_type == r_type:
            return Feature("kind", weights()["type_same"], f"both a {q_type}")
        if {q_type, r_type} == {"federal field office", "federal agency"}:
            return None  # the parent feature says why
        return Feature("kind", weights()["type_different"], f"a {q_type} vs a {r_type}")
    return None


def _kind_feature(query: Profile, record: Profile) -> Feature | None:
    """Registry kinds: the query's hint, else what its name says; only when the finer agency
    types could not be compared (the record is an organisation, a program ...)."""
    query_kind = query.kind or query.parsed.kind
    if not query_kind or not record.kind or (query.parsed.agency_type and record.parsed.agency_type):
        return None
    said = "hinted" if query.kind else "read from the name"
    if query_kind == record.kind:
        return Feature("kind", weights()["kind_same"], f"kind {query_kind} ({said})")
    return Feature("kind", weights()["kind_different"], f"kind {query_kind} ({said}) vs {record.kind}")


def _exact_feature(query: Profile, record: Profile, found: list[Feature]) -> Feature | None:
    """Identical names (or a name identical to an alias) where kinds could not be compared:
    organisations and foreign bodies have no agency type to confirm a match."""
    if any(f.name == "kind" for f in found):
        return None
    value, _query_core, _record_core, label, _via_alias = best_core(query, record)
    if value < 1.0:
        return None
    return Feature("exact", weights()["exact"], f"'{label}' is the same name once normalised")


def _plain_place(place: str) -> str:
    """Without descriptor words, spaces and a possessive or plural s: "prince georges" and
    "prince george", "de forest" and "deforest" are one place."""
    words = [w for w in place.split() if w not in tables().place_descriptors] or place.split()
    return "".join(w[:-1] if len(w) > 3 and w.endswith("s") else w for w in words)


def place_similarity(left: str, right: str) -> float:
    """Places compare without words that describe rather than name them ("metropolitan")."""
    return max(similarity(left, right), similarity(_plain_place(left), _plain_place(right)))


def _closest(left: tuple[str, ...], right: tuple[str, ...]) -> tuple[float, str, str]:
    return max(((place_similarity(a, b), a, b) for a in left for b in right), default=(0.0, "", ""))


def _place_feature(query: Profile, record: Profile) -> Feature | None:
    w = weights()
    for level, q_places, r_places in (("place", query.places, record.places), ("county", query.counties, record.counties)):
        if q_places and r_places:
            value, q_place, r_place = _closest(q_places, r_places)
            if value >= 1.0:
                return Feature("place", w["place_same"], f"same {level}: {q_place}")
            if value >= w["place_equal_at"]:
                return Feature("place", w["place_near"], f"{level} '{q_place}' vs '{r_place}': a typo, or another place")
            return Feature("place", w["place_different"], f"{level} '{q_place}' vs '{r_place}'")
    for q_level, q_places, r_places in (("county", query.counties, record.places), ("city", query.places, record.counties)):
        value, q_place, r_place = _closest(q_places, r_places)
        if value >= w["place_equal_at"]:
            r_level = "city" if q_level == "county" else "county"
            return Feature("place", w["level_different"], f"the {q_level} of {q_place} vs the {r_level} of {r_place}")
    return None


def _numbers(profile: Profile) -> set[str]:
    core = profile.cores[0][1] if profile.cores else ""
    return {match.group() for token in core.split() if (match := _LEADING_DIGITS.match(token))}


def _number_feature(query: Profile, record: Profile) -> Feature | None:
    """"CONSTABLE PCT 4" is not "Constable, Precinct 1", however alike the rest reads."""
    q_numbers, r_numbers = _numbers(query), _numbers(record)
    if q_numbers and r_numbers and not q_numbers & r_numbers:
        shown = f"{', '.join(sorted(q_numbers))} vs {', '.join(sorted(r_numbers))}"
        return Feature("number", weights()["number_different"], f"different numbers: {shown}")
    return None


def _jurisdiction_feature(query: Profile, record: Profile) -> Feature | None:
    if not query.jurisdiction or not record.jurisdiction:
        return None
    if query.jurisdiction == record.jurisdiction:
        return Feature("jurisdiction", weights()["jurisdiction_same"], f"same jurisdiction {query.jurisdiction}")
    if record.jurisdiction.startswith(query.jurisdiction + "/"):
        return Feature("jurisdiction", 0.0, f"{record.jurisdiction} lies within {query.jurisdiction}")
    return Feature("jurisdiction", weights()["jurisdiction_different"], f"{query.jurisdiction} vs {record.jurisdiction}")


def _country_feature(query: Profile, record: Profile) -> Feature | None:
    if not query.country or not record.country:
        return None
    if query.country == record.country:
        return Feature("country", 0.0, f"both {query.country}")
    return Feature("country", weights()["country_different"], f"{query.country} vs {record.country}")


def _parent_feature(query: Profile, record: Profile) -> Feature | None:
    q_body, r_body = query.parsed.federal_body, record.parsed.federal_body
    if not q_body or not r_body:
        return None
    table = tables()
    q_name, r_name = " ".join(table.federal[q_body].name), " ".join(table.federal[r_body].name)
    q_office = query.parsed.agency_type == "federal field office"
    r_office = record.parsed.agency_type == "federal field office"
    if q_body == r_body and query.parsed.unit and record.parsed.unit and not set(query.parsed.unit.split()) & set(record.parsed.unit.split()):
        return Feature("parent", weights()["federal_different"], f"different units of the {q_name}: {query.parsed.unit} vs {record.parsed.unit}")
    if q_body == r_body and q_office != r_office:
        return Feature("parent", weights()["parent"], f"a field office of the {q_name} vs the agency itself: its parent, not the same body")
    if r_body in ancestors(q_body, table) or q_body in ancestors(r_body, table):
        return Feature("parent", weights()["parent"], f"the {r_name} is a parent or child of the {q_name}, not the same body")
    if q_body != r_body:
        return Feature("parent", weights()["federal_different"], f"different federal bodies: {q_name} vs {r_name}")
    return None


_FEATURES = (
    _state_feature,
    _type_feature,
    _kind_feature,
    _place_feature,
    _number_feature,
    _jurisdiction_feature,
    _country_feature,
    _parent_feature,
)


def features(query: Profile, record: Profile) -> list[Feature]:
    """Every feature that counted for this pair, the name first."""
    found = [_name_feature(query, record)]
    for feature in _FEATURES:
        result = feature(query, record)
        if result is not None:
            found.append(result)
    exact = _exact_feature(query, record, found)
    if exact is not None:
        found.append(exact)
    return found


def total(found: list[Feature] | tuple[Feature, ...]) -> float:
    return round(min(1.0, max(0.0, sum(f.weight for f in found))), 4)
