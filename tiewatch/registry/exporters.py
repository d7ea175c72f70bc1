"""Exports of the registry: CSV and JSON in the import format (so an export re-imports as is),
and FollowTheMoney JSON lines for Aleph and OpenSanctions tooling."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from typing import IO, Any

from django.db.models import Prefetch, QuerySet

from tiewatch.registry.models import Entity, Source, Tie, TieCounterpart

ENTITY_COLUMNS = ["id", "name", "kind", "country", "jurisdiction", "aliases", "parent", "note", "uncertain",
                  "sources", "member_of", "sponsor", "years_active", "counterparts"]
TIE_COLUMNS = ["id", "subject", "counterparts", "program", "kind", "date", "dates", "years", "status", "note",
               "uncertain", "sources"]
SOURCE_COLUMNS = ["id", "url", "title", "publisher", "published_on", "accessed_on", "excerpt"]


def ties_with_links(ties: QuerySet[Tie]) -> QuerySet[Tie]:
    return ties.select_related("subject", "program").prefetch_related(
        Prefetch("counterpart_links", queryset=TieCounterpart.objects.select_related("entity").order_by("position")),
        "sources",
    )


def entity_dict(entity: Entity) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": entity.id, "name": entity.name, "kind": entity.kind, "country": entity.country,
        "jurisdiction": entity.jurisdiction_id, "aliases": list(entity.aliases or []), "parent": entity.parent_id,
        "note": entity.note, "uncertain": entity.uncertain, "sources": [s.id for s in entity.sources.all()],
    }
    data.update(entity.extra or {})
    return {k: v for k, v in data.items() if v not in (None, "", [], {}) and v is not False}


def tie_dates(tie: Tie) -> dict[str, Any]:
    start, end = tie.start, tie.end
    if tie.years and len(tie.years) > 0 and start is not None and start.precision == "year" \
            and (end is None or end.precision == "year"):
        return {"years": list(tie.years)}
    if start is None:
        return {}
    if end is None or str(end) == str(start):
        return {"date": str(start)}
    return {"dates": f"{start}/{end}"}


def tie_dict(tie: Tie) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": tie.id, "subject": tie.subject_id,
        "counterparts": [link.entity_id for link in tie.counterpart_links.all()],
        "program": tie.program_id, "kind": tie.kind, **tie_dates(tie), "status": tie.status,
        "attributes": tie.attributes or {}, "note": tie.note, "uncertain": tie.uncertain,
        "sources": [s.id for s in tie.sources.all()],
    }
    return {k: v for k, v in data.items() if v not in (None, "", {}) and v is not False}


def source_dict(source: Source) -> dict[str, Any]:
    data = {
        "id": source.id, "url": source.url, "title": source.title, "publisher": source.publisher,
        "published_on": source.published_on.isoformat() if source.published_on else None,
        "accessed_on": source.accessed_on.isoformat() if source.accessed_on else None, "excerpt": source.excerpt,
    }
    return {k: v for k, v in data.items() if v not in (None, "")}


def bundle_dict(entities: QuerySet[Entity], ties: QuerySet[Tie], sources: QuerySet[Source]) -> dict[str, Any]:
    return {
        "sources": [source_dict(s) for s in sources.order_by("id")],
        "entities": [entity_dict(e) for e in entities.prefetch_related("sources").order_by("id")],
        "ties": [tie_dict(t) for t in ties_with_links(ties).order_by("id")],
    }


def csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return str(value)


def write_csv(out: IO[str], columns: list[str], rows: Iterable[dict[str, Any]], attributes: bool = False) -> None:
    rows = list(rows)
    extra = sorted({k for r in rows for k in (r.get("attributes") or {})}) if attributes else []
    writer = csv.writer(out)
    writer.writerow(columns + [f"attr.{a}" for a in extra])
    for row in rows:
        attrs = row.get("attributes") or {}
        writer.writerow([csv_cell(row.get(c)) for c in columns] + [csv_cell(attrs.get(a)) for a in extra])


# --- FollowTheMoney ----------------------------------------------------------------------------

FTM_SCHEMA = {
    "organization": "Organization", "program": "Organization", "company": "Company",
}


def ftm_entities(entities: QuerySet[Entity], ties: QuerySet[Tie], prefix: str = "tiewatch") -> Iterator[dict[str, Any]]:
    """FollowTheMoney entities: agencies and forces as PublicBody, ties as UnknownLink (one per counterpart)."""
    from followthemoney import model

    for entity in entities.prefetch_related("sources").order_by("id").iterator(chunk_size=2000):
        proxy = model.make_entity(FTM_SCHEMA.get(entity.kind, "PublicBody"))
        proxy.id = f"{prefix}-{entity.id}"
        proxy.add("name", entity.name)
        proxy.add("alias", list(entity.aliases or []))
        proxy.add("country", entity.country.lower() or None)
        proxy.add("jurisdiction", entity.country.lower() or None)
        proxy.add("classification", entity.kind)
        proxy.add("notes", entity.note or None)
        proxy.add("sourceUrl", [s.url for s in entity.sources.all()])
        if entity.parent_id:
            proxy.add("parent", f"{prefix}-{entity.parent_id}")
        yield proxy.to_dict()
    for tie in ties_with_links(ties).order_by("id").iterator(chunk_size=2000):
        for link in tie.counterpart_links.all():
            proxy = model.make_entity("UnknownLink")
            proxy.id = f"{prefix}-{tie.id}--{link.entity_id}"
            proxy.add("subject", f"{prefix}-{tie.subject_id}")
            proxy.add("object", f"{prefix}-{link.entity_id}")
            proxy.add("role", tie.kind.replace("_", " "))
            proxy.add("status", tie.status)
            start, end = tie.start, tie.end
            proxy.add("startDate", str(start) if start else None)
            proxy.add("endDate", str(end) if end else None)
            proxy.add("summary", tie.note or None)
            proxy.add("recordId", tie.id)
            proxy.add("sourceUrl", [s.url for s in tie.sources.all()])
            yield proxy.to_dict()


def write_json_lines(out: IO[str], items: Iterable[dict[str, Any]]) -> int:
    count = 0
    for item in items:
        out.write(json.dumps(item, sort_keys=True, ensure_ascii=False) + "\n")
        count += 1
    return count
