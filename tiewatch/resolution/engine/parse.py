"""parse_agency_name: what kind of body a name denotes, where, and its distinctive words."""

from __future__ import annotations

from .normalise import canonical_tokens, split_parenthesis
from .tables import AgencyType, FederalBody, Tables, tables
from .types import ParsedAgency


def _find_run(tokens: list[str], run: tuple[str, ...]) -> int:
    """Where the token run starts in tokens, or -1."""
    if not run or run[0] not in tokens:
        return -1
    width = len(run)
    if width == 1:
        return tokens.index(run[0])
    for start in range(len(tokens) - width + 1):
        if tokens[start] == run[0] and tuple(tokens[start : start + width]) == run:
            return start
    return -1


def _federal_hits(tokens: list[str], table: Tables) -> dict[str, set[int]]:
    """Federal bodies named in tokens -> the token positions that name them."""
    hits: dict[str, set[int]] = {}
    present = set(tokens)
    keys: set[str] = set()
    for token in present & table.federal_by_word.keys():
        keys |= table.federal_by_word[token]
    for body in (table.federal[key] for key in sorted(keys)):
        positions = {i for i, token in enumerate(tokens) if token in body.acronyms}
        start = _find_run(tokens, body.name)
        if start >= 0:
            positions |= set(range(start, start + len(body.name)))
        if positions:
            hits[body.key] = positions
    return hits


def ancestors(key: str, table: Tables) -> list[str]:
    """The departments above a federal body, nearest first."""
    chain: list[str] = []
    parent = table.federal[key].parent if key in table.federal else ""
    while parent and parent not in chain:
        chain.append(parent)
        parent = table.federal[parent].parent
    return chain


def _most_specific(hits: dict[str, set[int]], table: Tables) -> FederalBody | None:
    for key in sorted(hits):
        if not any(key in ancestors(other, table) for other in hits if other != key):
            body = table.federal[key]
            if not body.only_with_child:
                return body
    return None


def _federal(tokens: list[str], state: str, table: Tables) -> ParsedAgency | None:
    hits = _federal_hits(tokens, table)
    body = _most_specific(hits, table)
    if body is None:
        return None
    used = set().union(*hits.values())
    ignorable = table.stop_words | table.type_words | table.federal_unit_words | body.units
    units = [t for i, t in enumerate(tokens) if i not in used and t in body.units]
    rest = [t for i, t in enumerate(tokens) if i not in used and t not in ignorable]
    name = " ".join(w for w in body.name if w not in table.stop_words)
    field_office = bool(rest or units)
    return ParsedAgency(
        kind="federal_agency",
        place=" ".join(rest),
        county="",
        state=state,
        normalised=" ".join(t for t in tokens if t not in table.stop_words),
        uncertain=False,
        agency_type="federal field office" if field_office else "federal agency",
        core=" ".join([name, *units, *rest]),
        federal_body=body.key,
        unit=" ".join(units),
        level="place" if field_office else "nation",
    )


def _agency_type(tokens: list[str], table: Tables) -> tuple[AgencyType | None, int]:
    present = set(tokens)
    for agency_type in table.agency_types:
        for run in agency_type.any:
            if run and run[0] in present:
                start = _find_run(tokens, run)
                if start >= 0:
                    return agency_type, start
    return None, -1


def _state_in_name(tokens: list[str], table: Tables) -> str:
    """A state named in full ("michigan state police") -> its code (the longest name first)."""
    present = set(tokens)  # most names hold no state's first word: skip those runs cheaply
    for run, code in table.state_runs:
        if run[0] in present and _find_run(tokens, run) >= 0:
            return code
    return ""


def _leading_place(tokens: list[str], end: int, table: Tables) -> str:
    """The words before the first word that says what kind of body it is."""
    words: list[str] = []
    for token in tokens[: max(end, 0)]:
        if token in table.type_words or token in table.county_words:
            break
        words.append(token)
    return " ".join(words)


def _split_location(core: list[str], state: str, table: Tables) -> tuple[list[str], str]:
    """A state-wide body's name may end with the city it sits in ("AR STATE POLICE LITTLE ROCK",
    "HIGHWAY PATROL HELENA"): that city is where, not who. Returns (core, location)."""
    state_words = set(table.state_names.get(state, "").split())
    known = table.state_level_words | state_words
    cut = len(core)
    while cut > 0 and core[cut - 1] not in known:
        cut -= 1
    if 0 < cut < len(core) and all(word in known for word in core[:cut]):
        return core[:cut], " ".join(core[cut:])
    return core, ""


def _finish(tokens: list[str], state: str, table: Tables) -> ParsedAgency:
    words = [t for t in tokens if t not in table.stop_words]
    found, start = _agency_type(words, table)
    state = state or _state_in_name(words, table)
    core = [t for t in words if t not in table.type_words]
    kind, agency_type, level = (found.kind, found.type, found.level) if found else ("", "", "")
    place = county = ""
    if level == "place":
        place = _leading_place(words, start, table)
        if place and place == table.state_names.get(state, "-") and agency_type == "city police":
            kind, agency_type, level, place = "state_police", "state police", "state", ""
    elif level == "county":
        county = _leading_place(words, len(words), table)
    elif level == "state" and state:
        core, place = _split_location(core, state, table)
    state_name = table.state_names.get(state, "")
    if found is not None and state_name and core and not _state_in_name(core, table) and set(core) <= table.state_level_words:
        words, core = state_name.split() + words, state_name.split() + core
    return ParsedAgency(
        kind=kind,
        place=place,
        county=county,
        state=state,
        normalised=" ".join(words),
        uncertain=found is None,
        agency_type=agency_type,
        core=" ".join(core),
        level=level,
    )


def parse_agency_name(name: str, state: str = "") -> ParsedAgency:
    """Read a law-enforcement body's name: "SAN BERNARDINO CTY SHERIFF", "CA" -> a county sheriff
    of San Bernardino County, California. state is a US postal code hint ("" if unknown)."""
    table = tables()
    main, qualifiers = split_parenthesis(name)
    hint = state.strip().upper()
    hint = hint if hint in table.state_names else ""
    for qualifier in qualifiers:
        code = table.state_codes.get(qualifier.strip().lower(), "")
        if code and not hint:
            hint = code
    tokens = canonical_tokens(main, hint)
    if not tokens:
        return ParsedAgency("", "", "", hint, "", True)
    federal = _federal(tokens, hint, table)
    if federal is not None:
        return federal
    return _finish(tokens, hint, table)
