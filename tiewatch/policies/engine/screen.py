"""Findings, verdicts and the reference (tree-walking) evaluation of one rule against one tie.

`evaluate()` here walks the condition tree and says *why* it matched; the naive evaluator uses it
directly, the compiled engine (compiler.py) uses fast closures and calls it only on hits, to
explain them.

Dates. `TieRecord.start`/`end` are the first and last day a (possibly partial) date can stand for:
a tie dated "2018" spans 2018-01-01..2018-12-31. A rule is in force over
[max(effective or adopted, window.from), min(rescinded - 1 day, window.to)] (either end may be
open). With `match: overlaps` (the default) a tie is caught when its span overlaps that window, so
a tie dated only "2018" is caught by a rule in force from 2018-04-16 (it may have happened then);
with `match: within` its whole span must lie inside the window. A tie with a start and no end is
taken as ongoing (open end); a tie with an end and no start as open at the start; an undated tie
(no start and no end) is never caught by any rule: it cannot be placed in time. A tie reported in
several separate years (`years`: 2010 and 2014) is tested year by year (each year clipped to the
tie's span), not over the whole 2010..2014 span. Cancelled ties are
never caught, and never count as evidence.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tiewatch.core.records import EntityRecord, TieRecord
from tiewatch.policies.engine import schema as s

MISSING = object()
_TRUE_WORDS = frozenset({"true", "yes", "confirmed"})
_DISPUTED_WORDS = frozenset({"disputed", "contested", "uncertain"})


@dataclass(frozen=True, slots=True)
class Evidence:
    """A tie a country-level test relied on."""

    tie: str
    country: str
    status: str  # "asserted" (attribute true) or "disputed" (attribute "disputed" or tie disputed)
    attribute: str = ""
    value: Any = None

    def as_dict(self) -> dict[str, Any]:
        return {"tie": self.tie, "country": self.country, "status": self.status,
                "attribute": self.attribute, "value": self.value}


@dataclass(frozen=True, slots=True)
class Finding:
    policy: str
    rule: str
    clause: str
    effect: str
    tie: str
    subject: str
    counterpart: str
    reasons: tuple[str, ...]
    evidence: tuple[Evidence, ...] = ()
    sources: tuple[str, ...] = ()
    binding: bool = False
    policy_title: str = ""

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.tie, self.policy, self.rule, self.counterpart)

    @property
    def verdict(self) -> str:
        return s.EFFECT_VERDICT[self.effect]

    @property
    def disputed(self) -> bool:
        return bool(self.evidence) and all(e.status == "disputed" for e in self.evidence)

    def as_dict(self) -> dict[str, Any]:
        return {
            "policy": self.policy, "rule": self.rule, "clause": self.clause, "effect": self.effect,
            "tie": self.tie, "subject": self.subject, "counterpart": self.counterpart,
            "reasons": list(self.reasons), "evidence": [e.as_dict() for e in self.evidence],
            "sources": list(self.sources), "binding": self.binding, "policy_title": self.policy_title,
        }


def verdict_of(findings: Iterable[Finding]) -> str:
    """The strongest effect of all findings: prohibited > requires_approval > reported > allowed."""
    best = "allowed"
    for f in findings:
        v = s.EFFECT_VERDICT[f.effect]
        if s.VERDICT_RANK[v] > s.VERDICT_RANK[best]:
            best = v
    return best


# ---------------------------------------------------------------- small shared semantics
def truthy(value: Any) -> bool:
    """`attribute_truthy`: true, a non-zero number, or the words true/yes/confirmed."""
    if value is True:
        return True
    if isinstance(value, bool) or value is None:
        return False
    if isinstance(value, (int, float)):
        return value != 0
    if isinstance(value, str):
        return value.strip().lower() in _TRUE_WORDS
    return False


def evidence_status(tie: TieRecord, attribute: str) -> str | None:
    """"asserted", "disputed", or None when the tie is no evidence for `attribute`."""
    if tie.status == "cancelled":
        return None
    value = tie.attributes.get(attribute, MISSING) if tie.attributes else MISSING
    if value is MISSING:
        return None
    if isinstance(value, str) and value.strip().lower() in _DISPUTED_WORDS:
        return "disputed"
    if truthy(value):
        return "disputed" if tie.status == "disputed" else "asserted"
    return None


def tie_countries(tie: TieRecord, entities: Mapping[str, EntityRecord]) -> list[tuple[str, str]]:
    """(counterpart id, country) pairs of a tie; a tie without counterparts may carry
    `attributes.counterpart_country` (an agency not named, a country known)."""
    out = []
    for cp in tie.counterparts:
        ent = entities.get(cp)
        if ent is not None and ent.country:
            out.append((cp, ent.country))
    if not tie.counterparts and tie.attributes:
        country = tie.attributes.get("counterpart_country")
        if isinstance(country, str) and country:
            out.append(("", country.upper()))
    return out


@dataclass(frozen=True, slots=True)
class Counterpart:
    id: str
    kind: str = ""
    country: str = ""
    jurisdiction: str = ""


def counterparts_of(tie: TieRecord, entities: Mapping[str, EntityRecord]) -> list[Counterpart]:
    """The counterparts a rule is evaluated against, one at a time. Unknown ids have no kind or
    country; a tie without counterparts is evaluated once against a pseudo-counterpart `""` whose
    country is `attributes.counterpart_country` (if any)."""
    if not tie.counterparts:
        country = tie.attributes.get("counterpart_country", "") if tie.attributes else ""
        return [Counterpart("", "", country.upper() if isinstance(country, str) else "", "")]
    out = []
    for cp in tie.counterparts:
        ent = entities.get(cp)
        out.append(Counterpart(cp, ent.kind, ent.country, ent.jurisdiction) if ent else Counterpart(cp))
    return out


def window_matches(tie: TieRecord, start: dt.date | None, end: dt.date | None, match: str) -> bool:
    if tie.start is None and tie.end is None:
        return False
    t0 = tie.start if tie.start is not None else dt.date.min
    t1 = tie.end if tie.end is not None else dt.date.max
    if len(tie.years) > 1:  # several reported years: test each year, not the span between them
        lo, hi = start or dt.date.min, end or dt.date.max
        return years_match(tie.years, t0, t1, lo, hi, match == "within")
    if match == "within":
        return (start is None or t0 >= start) and (end is None or t1 <= end)
    return (start is None or t1 >= start) and (end is None or t0 <= end)


def years_match(years: tuple[int, ...], t0: dt.date, t1: dt.date, lo: dt.date, hi: dt.date,
                within: bool) -> bool:
    """A tie reported in several separate years (2010 and 2014): each year, clipped to the tie's
    span, is one occurrence. `overlaps`: some occurrence overlaps [lo, hi]; `within`: all lie inside."""
    spans = []
    for y in years:
        if not 1 <= y <= 9999:
            continue
        a, b = max(t0, dt.date(y, 1, 1)), min(t1, dt.date(y, 12, 31))
        if a <= b:
            spans.append((a, b))
    if not spans:
        spans = [(t0, t1)]
    if within:
        return all(lo <= a and b <= hi for a, b in spans)
    return any(b >= lo and a <= hi for a, b in spans)


def fmt_window(start: dt.date | None, end: dt.date | None) -> str:
    return f"{start or '…'}..{end or '…'}"


def fmt_tie_dates(tie: TieRecord) -> str:
    if len(tie.years) > 1:
        return "in " + ", ".join(str(y) for y in tie.years)
    if tie.start == tie.end:
        return str(tie.start)
    return fmt_window(tie.start, tie.end)


EvidenceLookup = Callable[[s.CounterpartCountryWhereSubjectTrained, str, str, str], list[Evidence]]
"""(condition, subject id, country, screened tie id) -> evidence ties (excluding the screened one)."""


# ---------------------------------------------------------------- reference evaluation
@dataclass(slots=True)
class Explanation:
    reasons: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)


def evaluate(cond: s.Condition, tie: TieRecord, cp: Counterpart, evidence: EvidenceLookup,
             out: Explanation | None = None) -> bool:
    """Walk the condition tree for one tie and one counterpart; on a match, append the reasons
    (and evidence) of the parts that made it match to `out`."""
    if isinstance(cond, s.All):
        sub = Explanation()
        for item in cond.items:
            if not evaluate(item, tie, cp, evidence, sub):
                return False
        if out is not None:
            out.reasons.extend(sub.reasons)
            out.evidence.extend(sub.evidence)
        return True
    if isinstance(cond, s.Any_):
        for item in cond.items:
            sub = Explanation()
            if evaluate(item, tie, cp, evidence, sub):
                if out is not None:
                    out.reasons.extend(sub.reasons)
                    out.evidence.extend(sub.evidence)
                return True
        return False
    if isinstance(cond, s.Not):
        if evaluate(cond.item, tie, cp, evidence, None):
            return False
        if out is not None:
            out.reasons.append("not: " + s.describe(cond.item))
        return True
    reason = _leaf(cond, tie, cp, evidence, out)
    if reason is None:
        return False
    if out is not None:
        out.reasons.append(reason)
    return True


def _leaf(cond: s.Condition, tie: TieRecord, cp: Counterpart, evidence: EvidenceLookup,
          out: Explanation | None) -> str | None:
    """The reason text when the leaf holds, else None."""
    if isinstance(cond, s.CounterpartIdIn):
        return f"counterpart {cp.id} is a listed counterpart" if cp.id in cond.values else None
    if isinstance(cond, s.CounterpartKindIn):
        return (f"counterpart {cp.id} is a {cp.kind} (one of {', '.join(sorted(cond.values))})"
                if cp.kind in cond.values else None)
    if isinstance(cond, s.CounterpartCountryIn):
        return (f"counterpart {cp.id or '(unnamed)'} is in {cp.country} (one of {', '.join(sorted(cond.values))})"
                if cp.country in cond.values else None)
    if isinstance(cond, s.CounterpartJurisdictionWithin):
        return (f"counterpart {cp.id} is within {cond.division}"
                if s.division_contains(cond.division, cp.jurisdiction) else None)
    if isinstance(cond, s.CounterpartCountryWhereSubjectTrained):
        if not cp.country:
            return None
        found = evidence(cond, tie.subject, cp.country, tie.id)
        if not found:
            return None
        if out is not None:
            out.evidence.extend(found)
        disputed = sum(1 for e in found if e.status == "disputed")
        note = f" ({disputed} of {len(found)} disputed)" if disputed else ""
        return (f"{tie.subject} has recorded {cond.attribute} in {cp.country}, the counterpart's country: "
                f"{', '.join(e.tie for e in found)}{note}")
    if isinstance(cond, s.ProgramIdIn):
        return f"program {tie.program} is a listed program" if tie.program in cond.values else None
    attrs = tie.attributes or {}
    if isinstance(cond, s.AttributeEquals):
        value = attrs.get(cond.name, MISSING)
        return f"attribute {cond.name} = {value!r}" if value is not MISSING and value == cond.value else None
    if isinstance(cond, s.AttributeIn):
        value = attrs.get(cond.name, MISSING)
        return (f"attribute {cond.name} = {value!r} (one of {list(cond.values)!r})"
                if value is not MISSING and value in cond.values else None)
    if isinstance(cond, s.AttributeExists):
        return f"attribute {cond.name} recorded" if attrs.get(cond.name) is not None else None
    if isinstance(cond, s.AttributeTruthy):
        return f"attribute {cond.name} is true" if truthy(attrs.get(cond.name)) else None
    if isinstance(cond, s.StatusIn):
        return f"tie status {tie.status}" if tie.status in cond.values else None
    raise TypeError(cond)


_RULE_TEXT: dict[int, tuple[s.Rule, s.Instrument, str, str, tuple[str, ...]]] = {}


def _rule_text(inst: s.Instrument, rule: s.Rule) -> tuple[str, str, tuple[str, ...]]:
    """Per-rule parts of every finding's reasons (computed once per rule object)."""
    cached = _RULE_TEXT.get(id(rule))
    if cached is not None and cached[0] is rule and cached[1] is inst:
        return cached[2], cached[3], cached[4]
    w = inst.in_force_window(rule)
    kinds = f"({', '.join(sorted(rule.tie_kinds))})"
    window = f"{'within' if w.match == 'within' else 'overlapping'} the rule's time in force {fmt_window(w.start, w.end)}"
    sources = tuple(src.url for src in inst.sources)
    if len(_RULE_TEXT) > 100_000:
        _RULE_TEXT.clear()
    _RULE_TEXT[id(rule)] = (rule, inst, kinds, window, sources)
    return kinds, window, sources


def explain_hit(inst: s.Instrument, rule: s.Rule, tie: TieRecord, cp: Counterpart, bound_reason: str,
                evidence: EvidenceLookup) -> Finding | None:
    """Build the finding for a rule that applies to (tie, counterpart), or None if it does not."""
    kinds, window, sources = _rule_text(inst, rule)
    reasons = [bound_reason, f"tie kind {tie.kind} is covered {kinds}", f"dated {fmt_tie_dates(tie)}, {window}"]
    ex = Explanation()
    if rule.condition is not None and not evaluate(rule.condition, tie, cp, evidence, ex):
        return None
    reasons.extend(ex.reasons)
    ev: list[Evidence] = []
    if ex.evidence:
        seen: set[tuple[str, str]] = set()
        for e in ex.evidence:
            if (e.tie, e.country) not in seen:
                seen.add((e.tie, e.country))
                ev.append(e)
        if any(e.status == "disputed" for e in ev):
            reasons.append("some evidence is disputed: "
                           + ", ".join(e.tie for e in ev if e.status == "disputed"))
    return Finding(inst.id, rule.id, rule.clause, rule.effect, tie.id, tie.subject, cp.id, tuple(reasons),
                   tuple(ev), sources, inst.binding, inst.title)


def approved(rule: s.Rule, tie: TieRecord) -> bool:
    return bool(rule.approval_attribute) and truthy((tie.attributes or {}).get(rule.approval_attribute))
