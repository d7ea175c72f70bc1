"""Screening as of a date, and findings summed up per rule: who was caught, by what, when.

`as_of(instruments, ties, day)` gives the policies and ties "as they stood on `day`":

- only the rules in force on `day` (an instrument keeps the rules whose time in force holds
  `day`; one left without rules is dropped);
- only the ties that had begun by `day`, each cut at `day`: a tie with no end, or ending later,
  is taken to last until `day` and no longer (what happened after was not yet on record).

So a rule read as *holding* (`match: overlaps`) catches what a subject held on `day`, and a rule read
as *receiving* (`match: starts`) what it had received while the rule was in force, both under the
rules of that day. Screening the same registry at several dates shows how the answer changes as
laws come into force and are rescinded.

`as_of(..., rules_of=other_day)` applies instead the rules in force on another day, as if they applied on
`day`: a holding rule catches what was held on `day`, a receiving rule what was received from the
day it took effect up to `day`, as if it had never been rescinded. It
answers "who held, on 31 March 2021, equipment on the 2015 prohibited list" although that list was
revoked in 2017.

`summarize(findings)` counts, per (policy, rule), the ties and the subjects caught.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from tiewatch.core.records import TieRecord
from tiewatch.policies.engine import schema as s
from tiewatch.policies.engine.screen import Finding


def in_force_on(inst: s.Instrument, rule: s.Rule, day: dt.date) -> bool:
    window = inst.in_force_window(rule)
    return (window.start is None or window.start <= day) and (window.end is None or day <= window.end)


def rules_in_force(instruments: Iterable[s.Instrument], day: dt.date) -> list[s.Instrument]:
    """The instruments with only their rules in force on `day`; those with none are left out."""
    out = []
    for inst in instruments:
        rules = tuple(rule for rule in inst.rules if in_force_on(inst, rule, day))
        if rules:
            out.append(dataclasses.replace(inst, rules=rules))
    return out


def tie_as_of(tie: TieRecord, day: dt.date) -> TieRecord | None:
    """The tie as it stood on `day`: None if it had not begun (or cannot be placed in time);
    else cut at `day`, its reported years too."""
    first = tie.start or tie.end
    if first is None or first > day:
        return None
    if tie.end is not None and tie.end <= day:
        return tie
    years = tuple(y for y in tie.years if y <= day.year)
    return dataclasses.replace(tie, end=day, years=years)


def rules_applied_on(instruments: Iterable[s.Instrument], rules_day: dt.date, day: dt.date) -> list[s.Instrument]:
    """The rules in force on `rules_day`, as if still (or already) in force on `day`: a rule read as
    holding (`overlaps`) applies to `day` alone; any other reading (receiving, `starts`; `within`)
    from the day the rule took effect up to and including `day`, as if never rescinded."""
    out = []
    for inst in rules_in_force(instruments, rules_day):
        rules = []
        for rule in inst.rules:
            start = day if rule.window.match == "overlaps" else inst.in_force_window(rule).start
            rules.append(dataclasses.replace(rule, window=s.Window(start, day, rule.window.match)))
        out.append(dataclasses.replace(inst, adopted=None, effective=None, rescinded=None, rules=tuple(rules)))
    return out


def as_of(instruments: Iterable[s.Instrument], ties: Iterable[TieRecord], day: dt.date,
          rules_of: dt.date | None = None) -> tuple[list[s.Instrument], list[TieRecord]]:
    kept = [tie for tie in (tie_as_of(tie, day) for tie in ties) if tie is not None]
    if rules_of is None or rules_of == day:
        return rules_in_force(instruments, day), kept
    return rules_applied_on(instruments, rules_of, day), kept


@dataclass
class RuleSummary:
    """The findings of one rule: how many ties, and which subjects with how many ties each."""

    policy: str
    rule: str
    effect: str
    binding: bool
    policy_title: str = ""
    ties: int = 0
    subjects: Counter[str] = field(default_factory=Counter)

    def as_dict(self, names: dict[str, str] | None = None, limit: int = 0) -> dict[str, object]:
        top = self.subjects.most_common(limit or None)
        return {"policy": self.policy, "rule": self.rule, "effect": self.effect, "binding": self.binding,
                "policy_title": self.policy_title, "ties": self.ties, "subjects_count": len(self.subjects),
                "subjects": [{"id": sid, "name": (names or {}).get(sid, ""), "ties": n} for sid, n in top]}


def summarize(findings: Iterable[Finding]) -> list[RuleSummary]:
    """One summary per (policy, rule) with findings, in policy and rule order; a tie counts once per
    rule however many of its counterparts matched."""
    by_rule: dict[tuple[str, str], RuleSummary] = {}
    seen: set[tuple[str, str, str]] = set()
    for f in findings:
        summary = by_rule.get((f.policy, f.rule))
        if summary is None:
            summary = by_rule[(f.policy, f.rule)] = RuleSummary(f.policy, f.rule, f.effect, f.binding,
                                                                f.policy_title)
        if (f.policy, f.rule, f.tie) in seen:
            continue
        seen.add((f.policy, f.rule, f.tie))
        summary.ties += 1
        summary.subjects[f.subject] += 1
    return [by_rule[key] for key in sorted(by_rule)]
