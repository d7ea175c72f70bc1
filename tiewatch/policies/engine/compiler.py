"""Compile law packs once into an `Engine` that screens a whole registry without evaluating every
rule against every tie.

Indexes:
- rules by bound subject id and tie kind (`subject -> kind -> [rules]`): a rule bound to
  "all police_agency within ocd-division/country:us/state:nc" is expanded, at compile time, to the
  entity ids it binds (through an index of entities by (division ancestor, kind));
- counterpart sets: the counterpart-only parts of a rule's condition (`counterpart_id_in`,
  `counterpart_kind_in`, `counterpart_country_in`, `counterpart_jurisdiction_within` under
  `all`/`any`/`not`) become one precomputed frozenset of entity ids, tested by membership;
- the rest of the condition becomes nested closures; the country-level test reads a precomputed
  `(subject, country) -> evidence` index built once per screen from the registry's ties.

Only hits are explained (reasons, evidence) by the reference evaluator in screen.py.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections import defaultdict
from collections.abc import Iterable
from itertools import compress
from operator import attrgetter, ge

from tiewatch.core.records import EntityRecord, TieRecord
from tiewatch.policies.engine import schema as s
from tiewatch.policies.engine.facts import (
    Counterpart,
    Evidence,
    evidence_of,
    evidence_status,
    tie_countries,
    truthy,
)
from tiewatch.policies.engine.operators import EvidenceSpec, Need, Pred, need_size
from tiewatch.policies.engine.screen import Finding, evaluate, explain_hit, verdict_of, years_match

_SUBJECT_KIND = attrgetter("subject", "kind")
_ATTRIBUTES = attrgetter("attributes")
_CLAIMS = attrgetter("claims")
_END = attrgetter("end")
_LO = attrgetter("lo")
_DMIN, _DMAX = dt.date.min, dt.date.max


class _Bucket(list):
    """The rule entries of one (subject, tie kind), sorted by first day in force; `lo` is the earliest."""

    __slots__ = ("lo",)
    lo: dt.date


def _ends_after(end: dt.date | None, lo: dt.date) -> bool:
    return end is None or end >= lo


class CompiledRule:
    __slots__ = (
        "approval",
        "cp_conds",
        "cp_set",
        "end",
        "inst",
        "match",
        "need",
        "residual",
        "rule",
        "start",
        "subjects",
    )

    def __init__(self, inst: s.Instrument, rule: s.Rule) -> None:
        self.inst = inst
        self.rule = rule
        w = inst.in_force_window(rule)
        self.start, self.end, self.match = w.start, w.end, w.match
        self.cp_set: frozenset[str] | None = None  # counterpart ids passing the counterpart-only part
        self.cp_conds: list[s.Condition] = []  # that part, for counterparts not in the entity table
        self.residual: Pred | None = None
        # A necessary condition of the residual: (counterpart ids, program ids, needs attributes), meaning
        # the rule can only hold if a counterpart is in the set, or the program is, or the tie has
        # attributes. None: no cheap necessary condition.
        self.need: Need | None = None
        self.approval = rule.approval_attribute
        self.subjects: set[str] = set()

    def entry(self) -> tuple:
        """What the screening loop reads, as one tuple (unpacking beats attribute access)."""
        return (self.start or _DMIN, self.end or _DMAX, self.match, self.approval, self.cp_set,
                self.need, self.residual, self)


class Engine:
    """Compiled policies over a fixed entity table. `screen(ties)` screens a registry;
    `check(tie)` screens one (proposed) tie against the registry given to `prepare()`/`screen()`."""

    def __init__(self, instruments: Iterable[s.Instrument], entities: Iterable[EntityRecord]) -> None:
        self.instruments = list(instruments)
        self.entities: dict[str, EntityRecord] = {e.id: e for e in entities}
        self._cp: dict[str, Counterpart] = {
            e.id: Counterpart(e.id, e.kind, e.country, e.jurisdiction) for e in self.entities.values()}
        # the entity indexes conditions compile against (operators.CompileContext)
        self.all_ids = frozenset(self.entities)
        self.by_kind: dict[str, set[str]] = defaultdict(set)
        self.by_country: dict[str, set[str]] = defaultdict(set)
        self.by_division: dict[str, set[str]] = defaultdict(set)  # ancestor division -> ids within
        self._by_div_kind: dict[tuple[str, str], set[str]] = defaultdict(set)  # (ancestor, kind) -> ids
        self._by_exact_div_kind: dict[tuple[str, str], set[str]] = defaultdict(set)
        for e in self.entities.values():
            self.by_kind[e.kind].add(e.id)
            if e.country:
                self.by_country[e.country].add(e.id)
            if e.jurisdiction:
                self._by_exact_div_kind[(e.jurisdiction, e.kind)].add(e.id)
                for anc in s.division_ancestors(e.jurisdiction):
                    self.by_division[anc].add(e.id)
                    self._by_div_kind[(anc, e.kind)].add(e.id)
        # evidence specs -> subjects needing it; the evidence itself, by spec and (subject, country)
        self._ev_specs: dict[EvidenceSpec, set[str]] = defaultdict(set)
        self.evidence: dict[EvidenceSpec, dict[tuple[str, str], list[Evidence]]] = {}
        self.rules: list[CompiledRule] = []
        # subject -> tie kind -> rule entries (CompiledRule.entry() tuples)
        self.index: dict[str, dict[str, _Bucket]] = {}
        for inst in self.instruments:
            for rule in inst.rules:
                self.rules.append(self._compile_rule(inst, rule))
        for cr in self.rules:
            entry = cr.entry()
            for subject in cr.subjects:
                by_kind = self.index.setdefault(subject, {})
                for kind in cr.rule.tie_kinds:
                    by_kind.setdefault(kind, _Bucket()).append(entry)
        for by_kind in self.index.values():
            for bucket in by_kind.values():
                bucket.sort(key=lambda e: e[0])  # by first day in force: the loop stops at the first too late
                bucket.lo = bucket[0][0]
        # the same buckets keyed by (subject, kind): one C-level lookup per tie in screen()
        self._pairs: dict[tuple[str, str], _Bucket] = {
            (subject, kind): bucket for subject, by_kind in self.index.items() for kind, bucket in by_kind.items()}
        self.prepare(())

    # ------------------------------------------------------------ compile
    def _compile_rule(self, inst: s.Instrument, rule: s.Rule) -> CompiledRule:
        cr = CompiledRule(inst, rule)
        subjects = set(rule.binds.entities)
        if rule.binds.jurisdiction:
            table = self._by_div_kind if rule.binds.include_child_divisions else self._by_exact_div_kind
            for kind in rule.binds.entity_kinds:
                subjects |= table.get((rule.binds.jurisdiction, kind), set())
        cr.subjects = subjects
        conjuncts = rule.condition.conjuncts() if rule.condition is not None else ()
        pure = [c for c in conjuncts if c.counterpart_only()]
        rest = [c for c in conjuncts if not c.counterpart_only()]
        if pure:
            ids = self.all_ids
            for c in pure:
                ids = ids & c.id_set(self)
            cr.cp_set = frozenset(ids)
            cr.cp_conds = pure
        if cr.cp_set is None and rest:
            needs = [n for n in (c.need(self) for c in rest) if n is not None]
            if needs:  # any conjunct's necessary condition will do: take the narrowest
                cr.need = min(needs, key=need_size)
        preds = [c.predicate(self, subjects) for c in rest]
        if len(preds) == 1:
            cr.residual = preds[0]
        elif preds:
            ps = tuple(preds)
            cr.residual = lambda t, cp: all(p(t, cp) for p in ps)
        return cr

    def want_evidence(self, spec: EvidenceSpec, subjects: Iterable[str]) -> None:
        """A compiled country-level test of these subjects reads evidence of this spec."""
        self._ev_specs[spec].update(subjects)

    # ------------------------------------------------------------ evidence
    def prepare(self, ties: Iterable[TieRecord]) -> None:
        """Index the registry's ties as evidence for country-level tests (one pass)."""
        self.evidence = {key: {} for key in self._ev_specs}
        if not self._ev_specs:
            return
        specs = [(spec, spec.tie_kinds, spec.attribute, spec.count_disputed, subs)
                 for spec, subs in self._ev_specs.items()]
        wanted = set().union(*(subs for *_, subs in specs))
        ents = self.entities
        if not isinstance(ties, (list, tuple)):
            ties = list(ties)
        # Only ties with attributes or claims can be evidence (C-level passes, as in screen()).
        for t in compress(ties, map(any, zip(map(_ATTRIBUTES, ties), map(_CLAIMS, ties)))):
            if t.subject not in wanted:
                continue
            for spec, kinds, attribute, count_disputed, subs in specs:
                if t.kind not in kinds or t.subject not in subs:
                    continue
                status = evidence_status(t, attribute)
                if status is None or (status == "disputed" and not count_disputed):
                    continue
                table = self.evidence[spec]
                seen = set()
                for _, country in tie_countries(t, ents):
                    if country in seen:
                        continue
                    seen.add(country)
                    table.setdefault((t.subject, country), []).append(
                        evidence_of(t, country, status, attribute))
        for table in self.evidence.values():
            for lst in table.values():
                lst.sort(key=lambda e: e.tie)

    def _evidence_lookup(self, spec: EvidenceSpec, subject: str, country: str, exclude: str) -> list[Evidence]:
        table = self.evidence.get(spec, {})
        return [e for e in table.get((subject, country), ()) if e.tie != exclude]

    # ------------------------------------------------------------ screening
    def _bound_reason(self, cr: CompiledRule, subject: str) -> str:
        if subject in cr.rule.binds.entities:
            return f"binds {subject} by name"
        ent = self.entities[subject]
        return f"binds {subject}: a {ent.kind} within {cr.rule.binds.jurisdiction}"

    def _screen_into(self, t: TieRecord, rules: _Bucket, out: list[Finding]) -> None:
        """Screen one tie against the rule entries of its (subject, kind) bucket."""
        self._screen_many(((t, rules),), out)

    def _screen_many(self, pairs: Iterable[tuple[TieRecord, _Bucket]], out: list[Finding]) -> None:
        """Screen (tie, bucket) pairs: the hot loop, kept in one function for speed."""
        known = self._cp
        explain = self._explain
        for t, rules in pairs:
            if t.status == "cancelled" or (t.start is None and t.end is None):
                continue  # cancelled or undated: never caught
            t0, t1 = t.start or _DMIN, t.end or _DMAX  # an open end is open
            several_years = len(t.years) > 1
            cps = None
            for lo, hi, match, approval, cp_set, need, residual, cr in rules:
                if t1 < lo:
                    break  # entries are sorted by lo: no later rule was in force yet either
                if several_years:  # each reported year is an occurrence: only the years decide
                    if not years_match(t.years, t0, t1, lo, hi, match):
                        continue
                elif match == "overlaps":
                    if t1 < lo or t0 > hi:
                        continue
                elif t0 < lo or t0 > hi or (match == "within" and t1 > hi):
                    continue
                if approval and t.attributes and truthy(t.attributes.get(approval)):
                    continue
                if cp_set is not None:
                    ids = t.counterparts
                    if ids:
                        for cid in ids:
                            if cid in cp_set or cid not in known:
                                break
                        else:
                            continue  # every counterpart is a known entity outside the counterpart set
                elif need is not None:
                    n_cps, n_progs, n_attrs = need
                    if not ((n_attrs and t.attributes) or (n_progs is not None and t.program in n_progs)):
                        if n_cps is None:
                            continue
                        ids = t.counterparts
                        if ids:
                            for cid in ids:
                                if cid in n_cps or cid not in known:
                                    break
                            else:
                                continue
                if cps is None:
                    cps = self._counterparts(t)
                for cp in cps:
                    if cp_set is not None:
                        if cp.id in known:
                            if cp.id not in cp_set:
                                continue
                        elif not all(evaluate(c, t, cp, self._evidence_lookup) for c in cr.cp_conds):
                            continue
                    if residual is not None and not residual(t, cp):
                        continue
                    f = explain(cr, t, cp)
                    if f is not None:
                        out.append(f)

    def _explain(self, cr: CompiledRule, t: TieRecord, cp: Counterpart) -> Finding | None:
        return explain_hit(cr.inst, cr.rule, t, cp, self._bound_reason(cr, t.subject), self._evidence_lookup)

    def _counterparts(self, t: TieRecord) -> list[Counterpart]:
        if not t.counterparts:
            country = t.attributes.get("counterpart_country", "") if t.attributes else ""
            return [Counterpart("", "", country.upper() if isinstance(country, str) else "", "")]
        table = self._cp
        return [table.get(c) or Counterpart(c) for c in t.counterparts]

    def screen(self, ties: Iterable[TieRecord], prepare: bool = True) -> list[Finding]:
        """Screen every tie (the registry); also makes these ties the evidence for `check`.

        The (subject, kind) bucket lookups and the "ended before any rule of its bucket" test run as
        C-level map/compress passes over the tie list; Python code only runs for ties that have at
        least one candidate rule. The cyclic garbage collector is paused meanwhile: nothing here
        makes cycles, and its passes would otherwise walk the big temporary lists (and so every tie)
        again and again. (Forking workers was tried: copy-on-write of the touched ties cost more
        than the second core saved.)"""
        if not isinstance(ties, (list, tuple)):
            ties = list(ties)
        paused = gc.isenabled()
        gc.disable()
        try:
            if prepare:
                self.prepare(ties)
            return self._screen_all(ties)
        finally:
            if paused:
                gc.enable()

    def _screen_all(self, ties: list[TieRecord] | tuple[TieRecord, ...]) -> list[Finding]:
        out: list[Finding] = []
        rule_lists = list(map(self._pairs.get, map(_SUBJECT_KIND, ties)))  # (subject, kind) -> bucket or None
        candidates = list(compress(ties, rule_lists))
        rule_lists = list(filter(None, rule_lists))
        # drop ties that ended before any rule of their bucket came into force (C-level compare)
        ends = list(map(_END, candidates))
        los = list(map(_LO, rule_lists))
        try:
            recent = list(map(ge, ends, los))
        except TypeError:  # some tie without an end date (open): compare one by one
            recent = list(map(_ends_after, ends, los))
        self._screen_many(zip(compress(candidates, recent), compress(rule_lists, recent)), out)  # type: ignore[arg-type]
        return out

    def check(self, tie: TieRecord) -> tuple[str, list[Finding]]:
        """Screen one (proposed) tie: (verdict, findings)."""
        out: list[Finding] = []
        by_kind = self.index.get(tie.subject)
        if by_kind is not None:
            rules = by_kind.get(tie.kind)
            if rules is not None:
                self._screen_into(tie, rules, out)
        return verdict_of(out), out

    def rules_for(self, subject: str) -> list[CompiledRule]:
        seen: dict[int, CompiledRule] = {}
        for entries in self.index.get(subject, {}).values():
            for entry in entries:
                seen[id(entry[-1])] = entry[-1]
        return list(seen.values())


def compile_policies(instruments: Iterable[s.Instrument], entities: Iterable[EntityRecord]) -> Engine:
    return Engine(instruments, entities)


