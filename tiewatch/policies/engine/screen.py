"""Findings, verdicts and the reference (tree-walking) evaluation of one rule against one tie.

`evaluate()` here walks the condition tree and says *why* it matched; the naive evaluator uses it
directly, the compiled engine (compiler.py) uses fast closures and calls it only on hits, to
explain them.

Dates. `TieRecord.start`/`end` are the first and last day a (possibly partial) date can stand for:
a tie dated "2018" spans 2018-01-01..2018-12-31. A rule is in force over
[max(effective or adopted, window.from), min(rescinded - 1 day, window.to)] (either end may be
open). With `match: overlaps` (the default) a tie is caught when its span overlaps that window, so
a tie dated only "2018" is caught by a rule in force from 2018-04-16 (it may have happened then);
with `match: within` its whole span must lie inside the window; with `match: starts` its first day
must (a receipt, a transfer: what counts is when it began, whatever its span after). A tie with a start and no end is
taken as ongoing (open end); a tie with an end and no start as open at the start; an undated tie
(no start and no end) is never caught by any rule: it cannot be placed in time. A tie reported in
several separate years (`years`: 2010 and 2014) is tested year by year (each year clipped to the
tie's span), not over the whole 2010..2014 span. Cancelled ties are
never caught, and never count as evidence.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from tiewatch.core.records import EntityRecord, TieRecord
from tiewatch.policies.engine import schema as s
from tiewatch.policies.engine.facts import Counterpart, Evidence, truthy
from tiewatch.policies.engine.operators import EvidenceLookup, Explanation


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
    lo, hi = start or dt.date.min, end or dt.date.max
    if len(tie.years) > 1:  # several reported years: test each year, not the span between them
        return years_match(tie.years, t0, t1, lo, hi, match)
    return span_matches(t0, t1, lo, hi, match)


def span_matches(t0: dt.date, t1: dt.date, lo: dt.date, hi: dt.date, match: str) -> bool:
    """One span [t0, t1] against the time in force [lo, hi]: `overlaps` meets it, `within` lies
    inside it, `starts` begins inside it (a receipt or a transfer, whatever its span after)."""
    if match == "within":
        return lo <= t0 and t1 <= hi
    if match == "starts":
        return lo <= t0 <= hi
    return t1 >= lo and t0 <= hi


def years_match(years: tuple[int, ...], t0: dt.date, t1: dt.date, lo: dt.date, hi: dt.date,
                match: str) -> bool:
    """A tie reported in several separate years (2010 and 2014): each year, clipped to the tie's
    span, is one occurrence. `overlaps`/`starts`: some occurrence meets or begins in [lo, hi];
    `within`: all lie inside."""
    spans = []
    for y in years:
        if not 1 <= y <= 9999:
            continue
        a, b = max(t0, dt.date(y, 1, 1)), min(t1, dt.date(y, 12, 31))
        if a <= b:
            spans.append((a, b))
    if not spans:
        spans = [(t0, t1)]
    if match == "within":
        return all(span_matches(a, b, lo, hi, match) for a, b in spans)
    return any(span_matches(a, b, lo, hi, match) for a, b in spans)


def fmt_window(start: dt.date | None, end: dt.date | None) -> str:
    return f"{start or '…'}..{end or '…'}"


def fmt_tie_dates(tie: TieRecord) -> str:
    if len(tie.years) > 1:
        return "in " + ", ".join(str(y) for y in tie.years)
    if tie.start == tie.end:
        return str(tie.start)
    return fmt_window(tie.start, tie.end)


# ---------------------------------------------------------------- reference evaluation
def evaluate(cond: s.Condition, tie: TieRecord, cp: Counterpart, evidence: EvidenceLookup,
             out: Explanation | None = None) -> bool:
    """Walk the condition tree for one tie and one counterpart; on a match, append the reasons
    (and evidence) of the parts that made it match to `out`. Each operator evaluates itself
    (`Condition.holds`, in the operator table)."""
    return cond.holds(tie, cp, evidence, out)


_MATCH_WORDS = {"within": "within", "starts": "beginning within", "overlaps": "overlapping"}
_RULE_TEXT: dict[int, tuple[s.Rule, s.Instrument, str, str, tuple[str, ...]]] = {}


def _rule_text(inst: s.Instrument, rule: s.Rule) -> tuple[str, str, tuple[str, ...]]:
    """Per-rule parts of every finding's reasons (computed once per rule object)."""
    cached = _RULE_TEXT.get(id(rule))
    if cached is not None and cached[0] is rule and cached[1] is inst:
        return cached[2], cached[3], cached[4]
    w = inst.in_force_window(rule)
    kinds = f"({', '.join(sorted(rule.tie_kinds))})"
    window = f"{_MATCH_WORDS.get(w.match, 'overlapping')} the rule's time in force {fmt_window(w.start, w.end)}"
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
        reasons.extend(claims_reason(e) for e in ev if e.claims)
    return Finding(inst.id, rule.id, rule.clause, rule.effect, tie.id, tie.subject, cp.id, tuple(reasons),
                   tuple(ev), sources, inst.binding, inst.title)


def claims_reason(e: Evidence) -> str:
    """The claims an evidence tie's fact rests on, side by side (none silently wins)."""
    told = "; ".join(f"{c.claimant or 'unnamed party'} says {c.value!r} ({c.confidence.replace('_', ' ')})"
                     for c in e.claims)
    return f"{e.tie} {e.attribute} rests on {len(e.claims)} claim(s), relied on as {e.status}: {told}"


def approved(rule: s.Rule, tie: TieRecord) -> bool:
    return bool(rule.approval_attribute) and truthy((tie.attributes or {}).get(rule.approval_attribute))
