"""The thin Django adapter around the pure engine: load law packs, read the registry as plain
records, check one proposed tie, screen the registry and store what changed."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tiewatch.core import csvsafe
from tiewatch.core.errors import NotFound, Problem, ValidationFailed, did_you_mean
from tiewatch.core.partial_dates import parse_partial_date
from tiewatch.core.records import TIE_KINDS, EntityRecord, TieRecord
from tiewatch.policies.engine import Engine, load_policies, verdict_of
from tiewatch.policies.engine import schema as s
from tiewatch.policies.engine.screen import Finding as EngineFinding

FINDING_COLUMNS = ["tie", "subject", "counterpart", "policy", "rule", "effect", "clause", "reasons", "evidence",
                   "sources", "binding", "appeared_at", "disappeared_at"]
POLICY_COLUMNS = ["id", "title", "jurisdiction", "body", "type", "binding", "adopted", "effective", "rescinded",
                  "vote", "rules", "example", "in_force", "sources"]


def policy_dirs(override: str | Sequence[str] | None = None) -> list[str]:
    if override:
        return [override] if isinstance(override, str) else list(override)
    return list(settings.TIEWATCH_POLICY_DIRS)


def load_instruments(dirs: str | Sequence[str] | None = None,
                     known_entities: Iterable[str] | None = None) -> list[s.Instrument]:
    return load_policies(policy_dirs(dirs), known_entities)


def policy_set_hash(instruments: Iterable[s.Instrument]) -> str:
    h = hashlib.sha256()
    for inst in sorted(instruments, key=lambda i: i.id):
        h.update(f"{inst.id}:{inst.digest}\n".encode())
    return h.hexdigest()


def registry_records() -> tuple[list[EntityRecord], list[TieRecord]]:
    from tiewatch.registry.records import entity_records, tie_records

    return entity_records(), tie_records()


def get_instrument(policy_id: str, dirs: str | Sequence[str] | None = None) -> s.Instrument:
    instruments = load_instruments(dirs)
    for inst in instruments:
        if inst.id == policy_id:
            return inst
    raise NotFound(f"no policy {policy_id!r}{did_you_mean(policy_id, [i.id for i in instruments])}")


def in_force(inst: s.Instrument, on: dt.date | None = None) -> bool:
    on = on or dt.date.today()
    start = inst.effective or inst.adopted
    return (start is None or start <= on) and (inst.rescinded is None or on < inst.rescinded)


def instrument_summary(inst: s.Instrument) -> dict[str, Any]:
    return {
        "id": inst.id, "title": inst.title, "jurisdiction": inst.jurisdiction, "body": inst.body,
        "type": inst.type, "binding": inst.binding,
        "adopted": inst.adopted.isoformat() if inst.adopted else None,
        "effective": inst.effective.isoformat() if inst.effective else None,
        "rescinded": inst.rescinded.isoformat() if inst.rescinded else None,
        "vote": vote_dict(inst.vote), "rules": len(inst.rules), "example": inst.example,
        "in_force": in_force(inst), "sources": [src.url for src in inst.sources],
    }


def vote_dict(vote: s.Vote | None) -> dict[str, Any] | None:
    if vote is None:
        return None
    return {"yes": vote.yes, "no": vote.no, "abstain": vote.abstain, "absent": vote.absent,
            "roll_call": [{"member": m, "vote": v} for m, v in vote.roll_call]}


def rule_dict(inst: s.Instrument, rule: s.Rule) -> dict[str, Any]:
    w = inst.in_force_window(rule)
    return {
        "id": rule.id, "clause": rule.clause, "effect": rule.effect, "note": rule.note,
        "binds": {"entities": sorted(rule.binds.entities), "jurisdiction": rule.binds.jurisdiction,
                  "entity_kinds": sorted(rule.binds.entity_kinds),
                  "include_child_divisions": rule.binds.include_child_divisions},
        "tie_kinds": sorted(rule.tie_kinds),
        "conditions": s.condition_to_data(rule.condition) if rule.condition else None,
        "conditions_text": s.describe(rule.condition) if rule.condition else "",
        "in_force": {"from": w.start.isoformat() if w.start else None,
                     "to": w.end.isoformat() if w.end else None, "match": w.match},
        "approval_attribute": rule.approval_attribute or None,
    }


def instrument_detail(inst: s.Instrument) -> dict[str, Any]:
    out = instrument_summary(inst)
    out.update({"text": inst.text, "note": inst.note, "rescission_vote": vote_dict(inst.rescission_vote),
                "sources": [{"url": x.url, "title": x.title, "publisher": x.publisher} for x in inst.sources],
                "rules": [rule_dict(inst, r) for r in inst.rules]})
    return out


def jurisdiction_table(instruments: Iterable[s.Instrument]) -> list[dict[str, Any]]:
    """Which places have adopted which policies, one row per (place, instrument)."""
    rows = []
    for inst in sorted(instruments, key=lambda i: (i.jurisdiction, i.adopted or dt.date.min)):
        rows.append({"jurisdiction": inst.jurisdiction, "policy": inst.id, "title": inst.title,
                     "body": inst.body, "type": inst.type, "adopted": inst.adopted.isoformat() if inst.adopted else "",
                     "rescinded": inst.rescinded.isoformat() if inst.rescinded else "",
                     "status": "example" if inst.example else ("in force" if in_force(inst) else "rescinded"),
                     "binding": inst.binding})
    return rows


# ---------------------------------------------------------------- check one proposed tie
@dataclass
class CheckResult:
    verdict: str
    findings: list[EngineFinding]
    tie: TieRecord
    entities: dict[str, EntityRecord] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "tie": {"subject": self.tie.subject, "counterparts": list(self.tie.counterparts), "kind": self.tie.kind,
                    "start": self.tie.start.isoformat() if self.tie.start else None,
                    "end": self.tie.end.isoformat() if self.tie.end else None, "program": self.tie.program,
                    "attributes": self.tie.attributes},
            "findings": [{"policy": f.policy, "policy_title": f.policy_title, "rule": f.rule, "clause": f.clause,
                          "effect": f.effect, "counterpart": f.counterpart, "binding": f.binding,
                          "reasons": list(f.reasons), "evidence": [e.as_dict() for e in f.evidence],
                          "sources": list(f.sources)} for f in self.findings],
        }


def parse_attr_value(text: str) -> Any:
    low = text.strip().lower()
    if low in ("true", "yes"):
        return True
    if low in ("false", "no"):
        return False
    if low in ("null", "none", ""):
        return None
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text.strip()


def parse_attrs(items: Iterable[str], field_name: str = "attr") -> dict[str, Any]:
    out: dict[str, Any] = {}
    problems = []
    for item in items:
        for part in str(item).splitlines() or [""]:
            part = part.strip()
            if not part:
                continue
            if "=" not in part:
                problems.append(Problem(f"expected key=value, got {part!r}", field=field_name))
                continue
            key, value = part.split("=", 1)
            out[key.strip()] = parse_attr_value(value)
    if problems:
        raise ValidationFailed("bad attributes", problems)
    return out


def _resolve(value: str, field_name: str, entities: dict[str, EntityRecord],
             by_name: dict[str, str], problems: list[Problem], unknown: list[Problem]) -> str:
    """The entity id that `value` names; a blank goes to `problems`, an unknown name to `unknown`."""
    value = (value or "").strip()
    if value in entities:
        return value
    if value.lower() in by_name:
        return by_name[value.lower()]
    if not value:
        problems.append(Problem("required", field=field_name))
    else:
        unknown.append(Problem(f"unknown entity {value!r}{did_you_mean(value, entities)}", field=field_name))
    return value


def check_proposed(subject: str, counterparts: Sequence[str], kind: str, date: str, program: str | None = None,
                   attributes: dict[str, Any] | None = None, dirs: str | Sequence[str] | None = None,
                   records: tuple[list[EntityRecord], list[TieRecord]] | None = None) -> CheckResult:
    """Screen one proposed tie against the registry and all loaded policies."""
    if records is not None:
        entities_list, ties = records
    else:
        from tiewatch.registry.records import entity_records

        entities_list, ties = entity_records(), None
    entities = {e.id: e for e in entities_list}
    by_name = {e.name.lower(): e.id for e in entities_list}
    problems: list[Problem] = []
    unknown: list[Problem] = []
    subject_id = _resolve(subject, "subject", entities, by_name, problems, unknown)
    cps = [c for c in counterparts if c and c.strip()]
    if not cps:
        problems.append(Problem("required", field="counterpart"))
    cp_ids = [_resolve(c, "counterpart", entities, by_name, problems, unknown) for c in cps]
    if kind not in TIE_KINDS:
        problems.append(Problem(f"unknown tie kind {kind!r}{did_you_mean(kind or '', TIE_KINDS)}", field="kind"))
    start = end = None
    try:
        pd = parse_partial_date((date or "").strip())
        start, end = pd.first_day, pd.last_day
    except ValueError as exc:
        problems.append(Problem(str(exc), field="date"))
    program_id = _resolve(program, "program", entities, by_name, problems, unknown) if program else None
    if problems:
        raise ValidationFailed("The proposed tie is invalid.", problems + unknown)
    if unknown:
        # Well formed, but naming an entity the registry does not hold: a 404, as for any unknown id.
        raise NotFound("An entity named in the proposed tie is not in the registry.", unknown)
    instruments = load_instruments(dirs, entities.keys())
    if ties is None:
        # Evidence for a country-level test comes from the subject's own ties, so a check reads only those.
        from tiewatch.registry.records import tie_records

        ties = tie_records(subjects=[subject_id])
    engine = Engine(instruments, entities_list)
    engine.prepare(ties)
    tie = TieRecord("proposed", subject_id, tuple(cp_ids), kind, start, end, "planned", program_id,
                    dict(attributes or {}))
    verdict, findings = engine.check(tie)
    findings.sort(key=lambda f: (-s.VERDICT_RANK[f.verdict], f.policy, f.rule, f.counterpart))
    return CheckResult(verdict, findings, tie, entities)


# ---------------------------------------------------------------- screen the registry
def run_screening(dirs: str | Sequence[str] | None = None,
                  records: tuple[list[EntityRecord], list[TieRecord]] | None = None,
                  store: bool = True) -> tuple[Any, list[EngineFinding]]:
    """Screen every registry tie; store a ScreeningRun and the findings that appeared/disappeared."""
    from tiewatch.policies.models import Finding, ScreeningRun

    started = timezone.now()
    t0 = time.perf_counter()
    entities, ties = records if records is not None else registry_records()
    instruments = load_instruments(dirs, {e.id for e in entities})
    findings = Engine(instruments, entities).screen(ties)
    elapsed = (time.perf_counter() - t0) * 1000
    if not store:
        return None, findings
    with transaction.atomic():
        run = ScreeningRun.objects.create(
            started_at=started, policy_set_hash=policy_set_hash(instruments),
            policies=[{"id": i.id, "digest": i.digest} for i in instruments], ties_screened=len(ties))
        now = timezone.now()
        current = {f.key: f for f in Finding.objects.filter(disappeared_run__isnull=True)}
        new = {f.key: f for f in findings}
        appeared = [k for k in new if k not in current]
        gone = [k for k in current if k not in new]
        kept = [k for k in new if k in current]
        Finding.objects.bulk_create([
            Finding(tie_id=f.tie, subject_id=f.subject, counterpart_id=f.counterpart, policy_id=f.policy,
                    rule_id=f.rule, effect=f.effect, clause=f.clause, reasons=list(f.reasons),
                    evidence=[e.as_dict() for e in f.evidence], sources=list(f.sources), binding=f.binding,
                    first_run=run, last_run=run, appeared_at=now)
            for f in (new[k] for k in appeared)], batch_size=1000)
        updates = []
        for k in kept:
            row, f = current[k], new[k]
            row.last_run = run
            row.effect, row.clause, row.reasons = f.effect, f.clause, list(f.reasons)
            row.evidence, row.sources, row.binding = [e.as_dict() for e in f.evidence], list(f.sources), f.binding
            updates.append(row)
        Finding.objects.bulk_update(updates, ["last_run", "effect", "clause", "reasons", "evidence", "sources",
                                              "binding"], batch_size=1000)
        if gone:
            ids = [current[k].pk for k in gone]
            for i in range(0, len(ids), 900):
                Finding.objects.filter(pk__in=ids[i:i + 900]).update(disappeared_run=run, disappeared_at=now)
        run.finished_at = timezone.now()
        run.findings_count = len(new)
        run.appeared, run.disappeared = len(appeared), len(gone)
        run.duration_ms = elapsed
        run.save()
    return run, findings


def screen_by_date(days: Sequence[dt.date], dirs: str | Sequence[str] | None = None,
                   records: tuple[list[EntityRecord], list[TieRecord]] | None = None,
                   rules_of: dt.date | None = None,
                   ) -> tuple[dict[str, str], list[tuple[dt.date, list[EngineFinding]]]]:
    """Screen the registry as it stood on each day (engine/bydate.py), under the rules in force
    that day or, with `rules_of`, those in force on that other day; nothing is stored, since these
    are views of the past, not the current findings. Returns entity names and, per day, the findings."""
    from tiewatch.policies.engine.bydate import as_of

    entities, ties = records if records is not None else registry_records()
    instruments = load_instruments(dirs, {e.id for e in entities})
    out = []
    for day in days:
        day_instruments, day_ties = as_of(instruments, ties, day, rules_of)
        out.append((day, Engine(day_instruments, entities).screen(day_ties)))
    return {e.id: e.name for e in entities}, out


def parse_days(values: Iterable[str], field_name: str = "as_of") -> list[dt.date]:
    """Whole dates (YYYY-MM-DD) for `--as-of`; a clear error naming the field otherwise."""
    days = []
    for value in values:
        try:
            days.append(dt.date.fromisoformat(value))
        except ValueError:
            raise ValidationFailed(f"{value!r} is not a date (YYYY-MM-DD)",
                                   [Problem(f"{value!r} is not a date (YYYY-MM-DD)", field=field_name)]) from None
    return days


def verdicts_by_tie(findings: Iterable[EngineFinding]) -> dict[str, str]:
    by: dict[str, list[EngineFinding]] = {}
    for f in findings:
        by.setdefault(f.tie, []).append(f)
    return {tie: verdict_of(fs) for tie, fs in by.items()}


# ---------------------------------------------------------------- exports
def findings_rows(rows: Iterable[Any]) -> list[dict[str, Any]]:
    return [r.as_dict() for r in rows]


def to_csv(columns: list[str], rows: Iterable[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csvsafe.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(row.get(k)) for k in columns})
    return out.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, (list, dict)):
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return " | ".join(value)
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if value is None:
        return ""
    return value


def laws_root() -> Path:
    return Path(__file__).resolve().parent / "laws"
