"""Load and validate YAML law packs.

Every problem found is collected (not just the first) as a `Problem(message, field=, file=, line=)`
and raised together as one `ValidationFailed`, before anything is screened. Unknown names get a
"did you mean" suggestion when a close one exists.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from tiewatch.core.errors import Problem, ValidationFailed, did_you_mean
from tiewatch.core.inputs import InputError, LineDict, line_of, load_yaml, read_text
from tiewatch.core.inputs import LineList as LineList
from tiewatch.core.partial_dates import parse_partial_date
from tiewatch.core.records import ENTITY_KINDS, TIE_KINDS
from tiewatch.policies.engine import schema as s
from tiewatch.policies.engine.facts import OCD_DIVISION
from tiewatch.policies.engine.operators import TABLE, parse_condition

INSTRUMENT_FIELDS = (
    "id", "title", "jurisdiction", "body", "type", "binding", "adopted", "effective", "rescinded",
    "vote", "rescission_vote", "text", "sources", "rules", "example", "note",
)
REQUIRED_INSTRUMENT_FIELDS = ("id", "title", "jurisdiction", "body", "type", "binding", "text", "sources", "rules")
RULE_FIELDS = ("id", "clause", "effect", "binds", "tie_kinds", "conditions", "window", "approval_attribute", "note")
REQUIRED_RULE_FIELDS = ("id", "clause", "effect", "binds", "tie_kinds")
BINDS_FIELDS = ("entities", "jurisdiction", "entity_kinds", "include_child_divisions")
WINDOW_FIELDS = ("from", "to", "match")
VOTE_FIELDS = ("yes", "no", "abstain", "absent", "roll_call")
ROLL_CALL_FIELDS = ("member", "vote")
SOURCE_FIELDS = ("url", "title", "publisher")
ROLL_CALL_VOTES = ("yes", "no", "abstain", "absent")
# the fields of the condition operators that take a mapping (each operator declares its own)
CONDITION_FIELDS = tuple(dict.fromkeys(f for op in TABLE.values() for f in op.FIELDS))

_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")


# ---------------------------------------------------------------- YAML with line numbers
# The core input layer reads the YAML (no aliases, no duplicate keys, bounded nesting, file:line).
_line_of = line_of


# ---------------------------------------------------------------- validation helpers
class _Ctx:
    def __init__(self, file: str, known_entities: frozenset[str] | None) -> None:
        self.file = file
        self.known = known_entities
        self.problems: list[Problem] = []

    def err(self, message: str, field: str, container: Any = None, key: Any = None) -> None:
        self.problems.append(Problem(message, field=field, file=self.file, line=_line_of(container, key)))

    def fields(self, data: Any, allowed: Iterable[str], path: str, required: Iterable[str] = ()) -> bool:
        if not isinstance(data, dict):
            self.err(f"expected a mapping, got {type(data).__name__}", path, data)
            return False
        allowed = tuple(allowed)
        for key in data:
            if key not in allowed:
                self.err(f"unknown field {key!r}{did_you_mean(str(key), allowed)}",
                         _join(path, str(key)), data, key)
        for key in required:
            if key not in data or data[key] is None or data[key] == "":
                self.err("required field is missing", _join(path, key), data)
        return True

    def string(self, data: dict, key: str, path: str, default: str = "") -> str:
        value = data.get(key, default)
        if value is None:
            return default
        if not isinstance(value, str):
            self.err(f"expected text, got {value!r}", _join(path, key), data, key)
            return default
        return value.strip()

    def boolean(self, data: dict, key: str, path: str, default: bool) -> bool:
        value = data.get(key, default)
        if not isinstance(value, bool):
            self.err(f"expected true or false, got {value!r}", _join(path, key), data, key)
            return default
        return value

    def date(self, data: dict, key: str, path: str, last: bool = False) -> dt.date | None:
        value = data.get(key)
        if value is None:
            return None
        try:
            parsed = parse_partial_date(value)
        except ValueError as exc:
            self.err(f"bad date: {exc}", _join(path, key), data, key)
            return None
        return parsed.last_day if last else parsed.first_day

    def str_list(self, data: dict, key: str, path: str, choices: Iterable[str] | None = None,
                 what: str = "value") -> list[str]:
        value = data.get(key)
        if value is None:
            return []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.err(f"expected a list, got {value!r}", _join(path, key), data, key)
            return []
        out = []
        choices = tuple(choices) if choices is not None else None
        for i, item in enumerate(value):
            if not isinstance(item, str):
                self.err(f"expected text, got {item!r}", f"{_join(path, key)}[{i}]", value, i)
                continue
            if choices is not None and item not in choices:
                self.err(f"unknown {what} {item!r}{did_you_mean(item, choices)}",
                         f"{_join(path, key)}[{i}]", value, i)
                continue
            out.append(item)
        return out

    def entity_ids(self, data: dict, key: str, path: str) -> list[str]:
        ids = self.str_list(data, key, path)
        if self.known is not None:
            good = []
            value = data.get(key)
            for i, item in enumerate(ids):
                if item not in self.known:
                    self.err(f"unknown entity id {item!r}{did_you_mean(item, self.known)}",
                             f"{_join(path, key)}[{i}]", value, i)
                else:
                    good.append(item)
            return good
        return ids


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


# ---------------------------------------------------------------- instruments
def _vote(ctx: _Ctx, data: Any, path: str) -> s.Vote | None:
    if data is None:
        return None
    if not ctx.fields(data, VOTE_FIELDS, path):
        return None
    counts: dict[str, int | None] = {}
    for key in ("yes", "no", "abstain", "absent"):
        value = data.get(key)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
            ctx.err(f"expected a count, got {value!r}", _join(path, key), data, key)
            value = None
        counts[key] = value
    roll: list[tuple[str, str]] = []
    raw = data.get("roll_call") or []
    if not isinstance(raw, list):
        ctx.err("expected a list of {member, vote}", _join(path, "roll_call"), data, "roll_call")
        raw = []
    for i, item in enumerate(raw):
        here = f"{path}.roll_call[{i}]"
        if not ctx.fields(item, ROLL_CALL_FIELDS, here, ROLL_CALL_FIELDS):
            continue
        vote = item.get("vote")
        vote = {True: "yes", False: "no"}.get(vote, vote) if isinstance(vote, bool) else vote
        if vote not in ROLL_CALL_VOTES:
            ctx.err(f"unknown vote {vote!r}{did_you_mean(str(vote), ROLL_CALL_VOTES)}",
                    _join(here, "vote"), item, "vote")
            continue
        roll.append((ctx.string(item, "member", here), vote))
    if roll:
        for key in ROLL_CALL_VOTES:
            n = sum(1 for _, v in roll if v == key)
            if counts[key] is not None and counts[key] != n:
                ctx.err(f"roll call has {n} {key} votes but the count says {counts[key]}",
                        _join(path, key), data, key)
    return s.Vote(counts["yes"], counts["no"], counts["abstain"], counts["absent"], tuple(roll))


def _rule(ctx: _Ctx, data: Any, path: str, inst: dict) -> s.Rule | None:
    if not ctx.fields(data, RULE_FIELDS, path, REQUIRED_RULE_FIELDS):
        return None
    rule_id = _id(ctx, data, path)
    clause = ctx.string(data, "clause", path)
    text = inst.get("text") if isinstance(inst.get("text"), str) else ""
    if clause and text and _norm(clause) not in _norm(text):
        ctx.err("the clause must quote the instrument's text", _join(path, "clause"), data, "clause")
    effect = ctx.string(data, "effect", path)
    if effect and effect not in s.EFFECTS:
        ctx.err(f"unknown effect {effect!r}{did_you_mean(effect, s.EFFECTS)}", _join(path, "effect"), data, "effect")
    binds = _binds(ctx, data.get("binds"), _join(path, "binds"))
    tie_kinds = ctx.str_list(data, "tie_kinds", path, TIE_KINDS, "tie kind")
    if "tie_kinds" in data and not data.get("tie_kinds"):
        ctx.err("expected a non-empty list", _join(path, "tie_kinds"), data, "tie_kinds")
    condition = None
    if data.get("conditions") is not None:
        condition = parse_condition(ctx, data["conditions"], _join(path, "conditions"), data, "conditions")
    window = _window(ctx, data.get("window"), _join(path, "window"))
    approval = ctx.string(data, "approval_attribute", path)
    if approval and effect != "require_approval":
        ctx.err("approval_attribute only makes sense with effect: require_approval",
                _join(path, "approval_attribute"), data, "approval_attribute")
    return s.Rule(rule_id, clause, effect, binds, frozenset(tie_kinds), condition, window, approval,
                  ctx.string(data, "note", path), _line_of(data))


def _id(ctx: _Ctx, data: dict, path: str) -> str:
    value = ctx.string(data, "id", path)
    if value and not _ID.match(value):
        ctx.err(f"ids are lower-case letters, digits, '-', '_' or '.', got {value!r}", _join(path, "id"), data, "id")
    return value


def _division(ctx: _Ctx, data: dict, key: str, path: str) -> str:
    value = ctx.string(data, key, path)
    if value and not OCD_DIVISION.match(value):
        ctx.err(f"expected an OCD division id like ocd-division/country:us/state:nc, got {value!r}",
                _join(path, key), data, key)
    return value


def _binds(ctx: _Ctx, data: Any, path: str) -> s.Binds:
    if data is None or not ctx.fields(data, BINDS_FIELDS, path):
        return s.Binds()
    entities = ctx.entity_ids(data, "entities", path)
    jurisdiction = _division(ctx, data, "jurisdiction", path)
    kinds = ctx.str_list(data, "entity_kinds", path, ENTITY_KINDS, "entity kind")
    if bool(jurisdiction) != bool(data.get("entity_kinds")):
        ctx.err("jurisdiction and entity_kinds go together (all entities of these kinds within it)", path, data)
    if not data.get("entities") and not jurisdiction:
        ctx.err("binds nobody: give entities, or a jurisdiction with entity_kinds", path, data)
    return s.Binds(frozenset(entities), jurisdiction, frozenset(kinds),
                   ctx.boolean(data, "include_child_divisions", path, True))


def _window(ctx: _Ctx, data: Any, path: str) -> s.Window:
    if data is None or not ctx.fields(data, WINDOW_FIELDS, path):
        return s.Window()
    start = ctx.date(data, "from", path)
    end = ctx.date(data, "to", path, last=True)
    match = ctx.string(data, "match", path, "overlaps")
    if match not in s.WINDOW_MATCHES:
        ctx.err(f"unknown match {match!r}{did_you_mean(match, s.WINDOW_MATCHES)}", _join(path, "match"), data, "match")
        match = "overlaps"
    if start and end and end < start:
        ctx.err(f"window ends ({end}) before it starts ({start})", _join(path, "to"), data, "to")
    return s.Window(start, end, match)


def _norm(text: str) -> str:
    return " ".join(text.replace("\u2019", "'").split()).lower()


def _instrument(ctx: _Ctx, data: Any, digest: str) -> s.Instrument | None:
    if not isinstance(data, dict):
        ctx.err("a law pack file holds one instrument: a mapping with id, title, rules, ...", "", data)
        return None
    ctx.fields(data, INSTRUMENT_FIELDS, "", REQUIRED_INSTRUMENT_FIELDS)
    policy_id = _id(ctx, data, "")
    jurisdiction = _division(ctx, data, "jurisdiction", "")
    itype = ctx.string(data, "type", "")
    if itype and itype not in s.INSTRUMENT_TYPES:
        ctx.err(f"unknown instrument type {itype!r}{did_you_mean(itype, s.INSTRUMENT_TYPES)}", "type", data, "type")
    adopted, effective, rescinded = _dates(ctx, data)
    sources = _sources(ctx, data)
    rules = _rules(ctx, data, s.Instrument("", "", "", "", "", False, adopted, effective, rescinded, None, "", (), ()))
    if ctx.problems:
        return None
    return s.Instrument(
        id=policy_id, title=ctx.string(data, "title", ""), jurisdiction=jurisdiction,
        body=ctx.string(data, "body", ""), type=itype, binding=ctx.boolean(data, "binding", "", False),
        adopted=adopted, effective=effective, rescinded=rescinded,
        vote=_vote(ctx, data.get("vote"), "vote"), text=(data.get("text") or "").strip(),
        sources=tuple(sources), rules=tuple(rules),
        rescission_vote=_vote(ctx, data.get("rescission_vote"), "rescission_vote"),
        example=ctx.boolean(data, "example", "", False), note=ctx.string(data, "note", ""),
        file=ctx.file, digest=digest,
    )


def _dates(ctx: _Ctx, data: dict) -> tuple[dt.date | None, dt.date | None, dt.date | None]:
    """(adopted, effective, rescinded), each checked against the others."""
    adopted = ctx.date(data, "adopted", "")
    effective = ctx.date(data, "effective", "")
    rescinded = ctx.date(data, "rescinded", "")
    if adopted is None and effective is None and "adopted" not in data:
        ctx.err("required field is missing (adopted or effective)", "adopted", data)
    if effective and adopted and effective < adopted:
        ctx.err(f"effective ({effective}) before adopted ({adopted})", "effective", data, "effective")
    start = effective or adopted
    if rescinded and start and rescinded <= start:
        ctx.err(f"rescinded ({rescinded}) on or before it took effect ({start})", "rescinded", data, "rescinded")
    return adopted, effective, rescinded


def _sources(ctx: _Ctx, data: dict) -> list[s.PolicySource]:
    sources: list[s.PolicySource] = []
    raw = data.get("sources")
    if raw is not None and (not isinstance(raw, list) or not raw):
        ctx.err("expected a non-empty list of sources", "sources", data, "sources")
        raw = []
    for i, item in enumerate(raw or []):
        here = f"sources[{i}]"
        if isinstance(item, str):  # a bare URL
            line = _line_of(raw, i)
            item = LineDict(url=item)
            item.line = line or 0
        if ctx.fields(item, SOURCE_FIELDS, here, ("url",)):
            url = ctx.string(item, "url", here)
            if url and not re.match(r"^https?://", url):
                ctx.err(f"expected an http(s) URL, got {url!r}", _join(here, "url"), item, "url")
            sources.append(s.PolicySource(url, ctx.string(item, "title", here), ctx.string(item, "publisher", here)))
    return sources


def _rules(ctx: _Ctx, data: dict, dates: s.Instrument) -> list[s.Rule]:
    """The instrument's rules; `dates` carries its adopted/effective/rescinded dates alone."""
    rules: list[s.Rule] = []
    raw = data.get("rules")
    if raw is not None and (not isinstance(raw, list) or not raw):
        ctx.err("expected a non-empty list of rules", "rules", data, "rules")
        raw = []
    seen: set[str] = set()
    for i, item in enumerate(raw or []):
        rule = _rule(ctx, item, f"rules[{i}]", data)
        if rule is None:
            continue
        if rule.id in seen:
            ctx.err(f"duplicate rule id {rule.id!r}", f"rules[{i}].id", item, "id")
        seen.add(rule.id)
        # the rule's own window must meet the instrument's time in force
        w = dates.in_force_window(rule)
        if w.start and w.end and w.end < w.start:
            ctx.err(f"window never in force: {w.start} .. {w.end} (check from/to against "
                    f"adopted/effective/rescinded)", f"rules[{i}].window", item, "window")
        rules.append(rule)
    return rules


# ---------------------------------------------------------------- entry points
def _parse(text: str, file: str, known: frozenset[str] | None) -> tuple[s.Instrument | None, list[Problem]]:
    ctx = _Ctx(file, known)
    try:
        data = load_yaml(text, file, text_keys=False)
    except InputError as error:
        return None, error.problems
    inst = _instrument(ctx, data, hashlib.sha256(text.encode()).hexdigest())
    return inst, ctx.problems


def load_policy_text(text: str, file: str = "<text>", known_entities: Iterable[str] | None = None) -> s.Instrument:
    known = frozenset(known_entities) if known_entities is not None else None
    inst, problems = _parse(text, file, known)
    if problems or inst is None:
        raise ValidationFailed(f"{file}: invalid law pack", problems)
    return inst


def load_policy_file(path: str | Path, known_entities: Iterable[str] | None = None) -> s.Instrument:
    path = Path(path)
    return load_policy_text(read_text(path), str(path), known_entities)


def policy_files(dirs: Iterable[str | Path]) -> list[Path]:
    files: list[Path] = []
    for d in dirs:
        d = Path(d)
        if d.is_file():
            files.append(d)
        elif d.is_dir():
            files.extend(sorted(p for p in d.rglob("*.y*ml") if p.suffix in (".yaml", ".yml")))
        else:
            raise ValidationFailed(f"no such policy directory: {d}", [Problem("no such file or directory",
                                                                                file=str(d))])
    return files


def load_policies(dirs: Iterable[str | Path], known_entities: Iterable[str] | None = None) -> list[s.Instrument]:
    """Load every *.yaml under the directories; all problems of all files are raised together."""
    known = frozenset(known_entities) if known_entities is not None else None
    problems: list[Problem] = []
    out: list[s.Instrument] = []
    seen: dict[str, str] = {}
    for path in policy_files(dirs):
        try:  # an unreadable file is reported with the others; the rest are still checked
            text = read_text(path)
        except InputError as error:
            problems.extend(error.problems)
            continue
        inst, found = _parse(text, str(path), known)
        problems.extend(found)
        if inst is None:
            continue
        if inst.id in seen:
            problems.append(Problem(f"duplicate policy id {inst.id!r} (also in {seen[inst.id]})",
                                    field="id", file=str(path), line=1))
            continue
        seen[inst.id] = str(path)
        out.append(inst)
    if problems:
        raise ValidationFailed(f"{len(problems)} problem(s) in the law packs", problems)
    return out
