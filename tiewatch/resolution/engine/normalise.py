"""Names to canonical tokens: lower case, punctuation out, abbreviations expanded by position."""

from __future__ import annotations

import re

from .tables import TYPE_MARKER, ContextRule, Tables, tables

_DOTTED_US = re.compile(r"\bu\.\s*s\.?(?=\s|$|/)")
_HIGHER_ED = re.compile(r"\bhi[\s_-]*ed\b")
_K12 = re.compile(r"\bk[\s_-]*12\b")
_APOSTROPHE = re.compile(r"['\u2019`]")
_NOT_WORD = re.compile(r"[^a-z0-9_]+")
_PARENTHESIS = re.compile(r"\(([^)]*)\)")


def raw_tokens(text: str) -> list[str]:
    """Lower-case word tokens; '&' becomes 'and', apostrophes vanish ("SHERIFF'S" -> "sheriffs")."""
    text = text.lower().replace("&", " and ")
    text = _DOTTED_US.sub(" us ", text)
    text = _HIGHER_ED.sub(" hi_ed ", text)
    text = _K12.sub(" k12 ", text)
    text = _APOSTROPHE.sub("", text)
    return [token for token in _NOT_WORD.sub(" ", text).split() if token.strip("_")]


def split_parenthesis(name: str) -> tuple[str, list[str]]:
    """"Orange County Sheriff's Office (Florida)" -> ("Orange County Sheriff's Office", ["Florida"])."""
    inside = [part.strip() for part in _PARENTHESIS.findall(name) if part.strip()]
    return _PARENTHESIS.sub(" ", name).strip(), inside


def _apply_phrases(tokens: list[str], table: Tables) -> list[str]:
    out: list[str] = []
    position = 0
    while position < len(tokens):
        for raw, replacement in table.phrases.get(tokens[position], ()):
            if tuple(tokens[position : position + len(raw)]) == raw:
                out.extend(replacement)
                position += len(raw)
                break
        else:
            out.append(tokens[position])
            position += 1
    return out


def _is_type_word(token: str, table: Tables) -> bool:
    mapped = table.plain.get(token, (token,))
    return any(word in table.type_words for word in mapped) or token in ("pd", "so", "cso")


def _rule_holds(rule: ContextRule, tokens: list[str], position: int, table: Tables) -> bool:
    if rule.when == "first":
        return position == 0
    if rule.when == "last":
        return position == len(tokens) - 1
    if rule.when in ("next_in", "prev_in"):
        other = position + 1 if rule.when == "next_in" else position - 1
        if not 0 <= other < len(tokens):
            return False
        neighbour = tokens[other]
        forms = {neighbour, *table.plain.get(neighbour, ())}
        return bool(forms & rule.words) or (TYPE_MARKER in rule.words and _is_type_word(neighbour, table))
    return True


def _state_name(token: str, tokens: list[str], position: int, hint: str, table: Tables) -> str:
    """The state's name when this token is a state code standing for it, else ""."""
    code = token.upper()
    if code not in table.state_names:
        return ""
    after_of = position > 0 and tokens[position - 1] == "of"
    if after_of or (position == 0 and code == hint):
        return table.state_names[code]
    if code == hint and token not in table.wordlike_state_codes:
        return table.state_names[code]
    return ""


def _rewrite(tokens: list[str], position: int, hint: str, table: Tables) -> tuple[str, ...]:
    token = tokens[position]
    state = _state_name(token, tokens, position, hint, table)
    if state:
        return tuple(state.split())
    for rule in table.contextual.get(token, ()):
        if _rule_holds(rule, tokens, position, table):
            return rule.to
    return table.plain.get(token, (token,))


def canonical_tokens(text: str, state_hint: str = "") -> list[str]:
    """The canonical words of a name: "ATLANTA PD" -> ["atlanta", "police", "department"]."""
    table = tables()
    tokens = _apply_phrases(raw_tokens(text), table)
    hint = state_hint.upper()
    out: list[str] = []
    for position in range(len(tokens)):
        out.extend(_rewrite(tokens, position, hint, table))
    return _apply_phrases(out, table)
