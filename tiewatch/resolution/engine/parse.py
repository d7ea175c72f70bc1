"""parse_agency_name: what kind of body a name denotes, where, and its distinctive words."""

from __future__ import annotations

from .normalise import canonical_tokens, split_parenthesis
from .tables import AgencyType, FederalBody, Tables, tables
from .types import ParsedAgency


def _find_run(tokens: list[str], run: tuple[str, ...]) -> int:
    """Where the token run starts in tokens, or -1."""
    width = len(run)
    for start in range(len(tokens) - width + 1):
        if tuple(tokens[start : start + width]) == run:
            return start
    return -1


def _federal_hits(tokens: list[str], table: Tables) -> dict[str, set[int]]:
    """Federal bodies named in tokens -> the token positions that name them."""
    hits: dict[str, set[int]] = {}
    for body in table.federal.values():
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
    named = set(hits)
    for key in named:
        if not any(key in ancestors(other, table) for other in named if other != key):
            body = table.federal[key]
            if body.only_with_child:
                continue
            return body
    return None


def _federal(tokens: list[str], state: str, table: Tables) -> ParsedAgency | None:
    hits = _federal_hits(tokens, table)
    body = _most_specific(hits, table)
    if body is None:
        return None
    used = set().union(*hits.values())
    ignorable = table.stop_words | table.type_words | table.federal_unit_words | body.units
    rest = [t for i, t in enumerate(tokens) if i not in used and t not in ignorable]
    name = " ".join(w for w in body.name if w not in table.stop_words)
    field_office = bool(rest)
    return ParsedAgency(
        kind="federal_agency",
        place=" ".join(rest),
        county="",
        state=state if field_office else "",
        normalised=" ".join(t for t in tokens if t not in table.stop_words),
        uncertain=False,
        agency_type="federal field office" if field_office else "federal agency",
        core=" ".join([name, *rest]),
        federal_body=body.key,
        level="place" if field_office else "nation",
    )


def _agency_type(tokens: list[str], table: Tables) -> tuple[AgencyType | None, int]:
    for agency_type in table.agency_types:
        for run in agency_type.any:
            start = _find_run(tokens, run)
            if start >= 0:
                return agency_type, start
    return None, -1


def _state_in_name(tokens: list[str], table: Tables) -> tuple[str, set[int]]:
    """A state named in full ("michigan state police") -> its code and token positions."""
    for name, code in sorted(table.state_codes.items(), key=lambda item: -len(item[0])):
        start = _find_run(tokens, tuple(name.split()))
        if start >= 0:
            return code, set(range(start, start + len(name.split())))
    return "", set()


def _leading_place(tokens: list[str], end: int, table: Tables) -> str:
    """The words before the first word that says what kind of body it is."""
    words: list[str] = []
    for token in tokens[: max(end, 0)]:
        if token in table.type_words or token in table.county_words:
            break
        if token not in table.stop_words:
            words.append(token)
    return " ".join(words)


def _core(tokens: list[str], table: Tables) -> str:
    return " ".join(t for t in tokens if t not in table.stop_words and t not in table.type_words)


def _finish(tokens: list[str], state: str, uncertain: bool, table: Tables) -> ParsedAgency:
    found, start = _agency_type(tokens, table)
    named_state, state_positions = _state_in_name(tokens, table)
    state = state or named_state
    core_tokens = [t for t in _core(tokens, table).split()]
    kind, agency_type, level = (found.kind, found.type, found.level) if found else ("", "", "")
    place = county = ""
    if level == "place":
        place = _leading_place(tokens, start if start >= 0 else len(tokens), table)
        if place and place == table.state_names.get(state, "-") and agency_type == "city police":
            kind, agency_type, level, place = "state_police", "state police", "state", ""
    elif level == "county":
        county = _leading_place(tokens, len(tokens), table)
    if level in ("state", "") and state and not state_positions and found is not None:
        if set(core_tokens) <= table.state_level_words:
            tokens = table.state_names[state].split() + tokens
            core_tokens = table.state_names[state].split() + core_tokens
    return ParsedAgency(
        kind=kind,
        place=place,
        county=county,
        state=state,
        normalised=" ".join(t for t in tokens if t not in table.stop_words),
        uncertain=uncertain or found is None,
        agency_type=agency_type,
        core=" ".join(core_tokens),
        level=level,
    )


def parse_agency_name(name: str, state: str = "") -> ParsedAgency:
    """Read a law-enforcement body's name: "SAN BERNARDINO CTY SHERIFF", "CA" -> a county sheriff
    of San Bernardino County, California. state is a US postal code hint ("" if unknown)."""
    table = tables()
    main, qualifiers = split_parenthesis(name)
    hint = state.strip().upper()
    hint = hint if hint in table.state_names else ""
    uncertain = False
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
    return _finish(tokens, hint, uncertain, table)
