"""`claims:` on entities and ties in a bundle: read (every problem names file:line:field), check their
references, and write them (a record's `claims:` replaces its stored claims; a record without the
key keeps them, so claims added in the admin survive an import of a bundle that does not know them).

```yaml
claims:
- fact: military_style_training
  value: false
  confidence: official_record
  claimant: us-nc-durham-police-department   # an entity id, or
  claimant_name: Durham PD deputy chief      # a free-text party
  sources: [https://example.org/memo]        # URLs or source ids the bundle or the registry holds
  retrieved_on: 2018-04-20
  quote: "leadership and mass-casualty response"
```
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from tiewatch.core.errors import Problem, did_you_mean
from tiewatch.core.inputs import LineDict
from tiewatch.core.partial_dates import parse_partial_date
from tiewatch.core.records import CONFIDENCE_GRADES
from tiewatch.core.urls import is_http_url
from tiewatch.registry.models import ChangeRecord, Claim, Entity, Source

CLAIM_FIELDS = ("fact", "value", "confidence", "claimant", "claimant_name", "sources", "retrieved_on", "quote")
FACT_NAME = re.compile(r"^[a-z][a-z0-9_]{0,99}$")
MAX_CLAIMS = 200


@dataclass
class ClaimRow:
    owner: str  # "entity" or "tie"
    owner_id: str
    fact: str
    value: Any
    confidence: str
    claimant: str | None
    claimant_name: str
    sources: list[str]  # URLs or source ids, as written; resolved to ids by resolve_references
    retrieved_on: str | None
    quote: str
    position: int
    file: str = ""
    line: int | None = None
    source_ids: list[str] = field(default_factory=list)


def read_claims(value: Any, owner: str, owner_id: str, file: str, line: int | None,
                problems: list[Problem]) -> list[ClaimRow] | None:
    """The claims of one record (None when it has no `claims` key: its stored claims stay)."""
    if value is None:
        return None
    if not isinstance(value, list):
        problems.append(Problem("expected a list of claims", field="claims", file=file, line=line))
        return []
    if len(value) > MAX_CLAIMS:
        problems.append(Problem(f"more than {MAX_CLAIMS} claims", field="claims", file=file, line=line))
        return []
    rows = []
    for position, item in enumerate(value):
        here = item.line if isinstance(item, LineDict) and item.line else line
        row = _claim(item, owner, owner_id, position, file, here, problems)
        if row is not None:
            rows.append(row)
    return rows


def _claim(item: Any, owner: str, owner_id: str, position: int, file: str, line: int | None,
           problems: list[Problem]) -> ClaimRow | None:
    def problem(name: str, message: str) -> None:
        problems.append(Problem(message, field=f"claims[{position}].{name}", file=file, line=line))

    if not isinstance(item, dict):
        problems.append(Problem("each claim is a mapping with fact, value, confidence and sources",
                                field=f"claims[{position}]", file=file, line=line))
        return None
    before = len(problems)
    for key in item:
        if key not in CLAIM_FIELDS:
            problem(str(key), f"unknown field{did_you_mean(str(key), CLAIM_FIELDS)}")
    fact = _text(item.get("fact"))
    if not FACT_NAME.match(fact):
        problem("fact", "required: a field or attribute name (lower-case letters, digits, _)" if not fact
                else f"{fact[:40]!r} is not a fact name (lower-case letters, digits, _)")
    if "value" not in item:
        problem("value", "required")
    value = _plain(item.get("value"))
    confidence = _text(item.get("confidence"))
    if confidence not in CONFIDENCE_GRADES:
        problem("confidence", f"unknown grade {confidence!r}{did_you_mean(confidence, CONFIDENCE_GRADES)}; "
                              f"expected one of: {', '.join(CONFIDENCE_GRADES)}" if confidence else "required")
    claimant, claimant_name = _text(item.get("claimant")), _text(item.get("claimant_name"))
    if len(claimant_name) > 200:
        problem("claimant_name", "longer than 200 characters")
    if not claimant and not claimant_name:
        problem("claimant", "required: the claimant's entity id, or claimant_name")
    sources = item.get("sources")
    sources = [sources] if isinstance(sources, str) else sources
    if not isinstance(sources, list) or not sources or not all(isinstance(s, str) and s.strip() for s in sources):
        problem("sources", "required: a list of source URLs or ids")
        sources = []
    retrieved = _date(item.get("retrieved_on"), lambda message: problem("retrieved_on", message))
    if len(problems) > before:
        return None
    return ClaimRow(owner, owner_id, fact, value, confidence, claimant or None, claimant_name,
                    [s.strip() for s in sources], retrieved, _text(item.get("quote")), position, file, line)


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ("" if value is None else str(value).strip())


def _plain(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _date(value: Any, problem: Any) -> str | None:
    if value in (None, ""):
        return None
    try:
        parsed = parse_partial_date(value.isoformat() if isinstance(value, dt.date) else value)
    except ValueError as error:
        problem(str(error))
        return None
    if parsed.precision != "day":
        problem("needs a full date YYYY-MM-DD")
        return None
    return str(parsed)


def resolve_references(claims: list[ClaimRow], bundle_entities: set[str], bundle_sources: dict[str, str],
                       problems: list[Problem]) -> None:
    """Claimants must be entities and sources must be sources, in the bundle or the registry.
    `bundle_sources` maps each URL of the bundle's sources to its id."""
    urls = {s for c in claims for s in c.sources if is_http_url(s) and s not in bundle_sources}
    ids = {s for c in claims for s in c.sources if not is_http_url(s)}
    stored = dict(Source.objects.filter(url__in=sorted(urls)).values_list("url", "id")) if urls else {}
    known_ids = set(bundle_sources.values()) | (
        set(Source.objects.filter(pk__in=sorted(ids)).values_list("id", flat=True)) if ids else set())
    claimants = {c.claimant for c in claims if c.claimant and c.claimant not in bundle_entities}
    known_entities = bundle_entities | (
        set(Entity.objects.filter(pk__in=sorted(claimants)).values_list("id", flat=True)) if claimants else set())
    for c in claims:
        where = f"claims[{c.position}]"
        if c.claimant and c.claimant not in known_entities:
            problems.append(Problem(f"unknown entity id {c.claimant!r}", field=f"{where}.claimant",
                                    file=c.file, line=c.line))
        for ref in c.sources:
            sid = (bundle_sources.get(ref) or stored.get(ref)) if is_http_url(ref) else ref
            if sid is None or sid not in known_ids | set(stored.values()):
                problems.append(Problem(f"unknown source {ref!r}: cite a URL or id of a source the bundle or "
                                        "the registry holds", field=f"{where}.sources", file=c.file, line=c.line))
            else:
                c.source_ids.append(sid)


def row_snapshot(c: ClaimRow) -> dict[str, Any]:
    return {"fact": c.fact, "value": c.value, "confidence": c.confidence, "claimant": c.claimant or "",
            "claimant_name": c.claimant_name, "sources": sorted(set(c.source_ids)),
            "retrieved_on": c.retrieved_on, "quote": c.quote}


def claim_snapshot(c: Claim) -> dict[str, Any]:
    return {"fact": c.fact, "value": c.value, "confidence": c.confidence, "claimant": c.claimant_id or "",
            "claimant_name": c.claimant_name, "sources": sorted(s.id for s in c.sources.all()),
            "retrieved_on": c.retrieved_on.isoformat() if c.retrieved_on else None, "quote": c.quote}


def write_claims(claims: dict[tuple[str, str], list[ClaimRow]], actor: str, kept: set[tuple[str, str]]) -> int:
    """Replace the stored claims of each (owner, id) given, unless they are the same; returns the
    number of records whose claims changed. Runs inside the import's transaction."""
    changed = 0
    owners = [key for key in claims if key not in kept]
    stored: dict[tuple[str, str], list[Claim]] = defaultdict(list)
    for owner in ("entity", "tie"):
        ids = sorted(i for o, i in owners if o == owner)
        if ids:
            for claim in Claim.objects.filter(**{f"{owner}_id__in": ids}).prefetch_related("sources"):
                stored[(owner, claim.entity_id or claim.tie_id or "")].append(claim)
    for key in owners:
        before = [claim_snapshot(c) for c in sorted(stored[key], key=lambda c: (c.position, c.pk))]
        after = [row_snapshot(c) for c in claims[key]]
        if before == after:
            continue
        changed += 1
        Claim.objects.filter(pk__in=[c.pk for c in stored[key]]).delete()
        for row in claims[key]:
            _create(row)
        ChangeRecord.objects.create(model="claims", object_id=f"{key[0]}:{key[1]}", action="import", actor=actor,
                                    before=before or None, after=after)
    return changed


def _create(row: ClaimRow) -> Claim:
    owner: dict[str, Any] = {"entity_id": row.owner_id} if row.owner == "entity" else {"tie_id": row.owner_id}
    claim = Claim.objects.create(
        **owner, fact=row.fact, value=row.value, confidence=row.confidence, claimant_id=row.claimant,
        claimant_name=row.claimant_name, quote=row.quote, position=row.position,
        retrieved_on=dt.date.fromisoformat(row.retrieved_on) if row.retrieved_on else None)
    claim.sources.set(Source.objects.filter(pk__in=set(row.source_ids)))
    return claim
