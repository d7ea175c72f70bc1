"""The naive evaluator: every rule against every tie, walking the condition tree each time.

It is the reference the compiled engine is property-tested against, and the benchmark baseline.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from tiewatch.core.records import EntityRecord, TieRecord
from tiewatch.policies.engine import schema as s
from tiewatch.policies.engine.facts import Evidence, evidence_of, evidence_status, tie_countries
from tiewatch.policies.engine.operators import EvidenceSpec
from tiewatch.policies.engine.screen import Finding, approved, counterparts_of, explain_hit, window_matches


class NaiveEvaluator:
    def __init__(self, instruments: Iterable[s.Instrument], entities: Iterable[EntityRecord],
                 registry_ties: Iterable[TieRecord]) -> None:
        self.instruments = list(instruments)
        self.entities = {e.id: e for e in entities}
        self.by_subject: dict[str, list[TieRecord]] = defaultdict(list)
        for t in registry_ties:
            self.by_subject[t.subject].append(t)

    def evidence(self, spec: EvidenceSpec, subject: str, country: str, exclude: str) -> list[Evidence]:
        out = []
        for t in self.by_subject.get(subject, ()):
            if t.id == exclude or t.kind not in spec.tie_kinds:
                continue
            status = evidence_status(t, spec.attribute)
            if status is None or (status == "disputed" and not spec.count_disputed):
                continue
            for _, c in tie_countries(t, self.entities):
                if c == country:
                    out.append(evidence_of(t, c, status, spec.attribute))
                    break
        return sorted(out, key=lambda e: e.tie)

    def bound_reason(self, rule: s.Rule, subject: str) -> str | None:
        if subject in rule.binds.entities:
            return f"binds {subject} by name"
        ent = self.entities.get(subject)
        if (rule.binds.jurisdiction and ent is not None and ent.kind in rule.binds.entity_kinds
                and s.division_contains(rule.binds.jurisdiction, ent.jurisdiction,
                                        rule.binds.include_child_divisions)):
            return f"binds {subject}: a {ent.kind} within {rule.binds.jurisdiction}"
        return None

    def screen_tie(self, tie: TieRecord) -> list[Finding]:
        out = []
        for inst in self.instruments:
            for rule in inst.rules:
                out.extend(self._rule_tie(inst, rule, tie))
        return out

    def _rule_tie(self, inst: s.Instrument, rule: s.Rule, tie: TieRecord) -> list[Finding]:
        if tie.status == "cancelled" or tie.kind not in rule.tie_kinds:
            return []
        reason = self.bound_reason(rule, tie.subject)
        if reason is None:
            return []
        w = inst.in_force_window(rule)
        if not window_matches(tie, w.start, w.end, w.match) or approved(rule, tie):
            return []
        out = []
        for cp in counterparts_of(tie, self.entities):
            f = explain_hit(inst, rule, tie, cp, reason, self.evidence)
            if f is not None:
                out.append(f)
        return out

    def screen(self, ties: Iterable[TieRecord]) -> list[Finding]:
        ties = list(ties)
        out = []
        for inst in self.instruments:  # every rule against every tie
            for rule in inst.rules:
                for tie in ties:
                    out.extend(self._rule_tie(inst, rule, tie))
        return out


def naive_screen(instruments: Iterable[s.Instrument], entities: Iterable[EntityRecord],
                 ties: Iterable[TieRecord]) -> list[Finding]:
    ties = list(ties)
    return NaiveEvaluator(instruments, entities, ties).screen(ties)
