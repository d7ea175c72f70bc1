"""Exports of the registry: CSV and JSON in the import format (so an export re-imports as is),
and FollowTheMoney JSON lines for Aleph and OpenSanctions tooling."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import IO, Any

from django.db.models import Prefetch, QuerySet

from tiewatch.core import csvsafe
from tiewatch.registry.models import Entity, Source, Tie, TieCounterpart

ENTITY_COLUMNS = ["id", "name", "kind", "country", "jurisdiction", "aliases", "parent", "note", "uncertain",
                  "published", "sources", "member_of", "sponsor", "years_active", "counterparts"]
TIE_COLUMNS = ["id", "subject", "counterparts", "program", "kind", "date", "dates", "years", "status", "note",
               "uncertain", "published", "sources"]
SOURCE_COLUMNS = ["id", "url", "title", "publisher", "published_on", "accessed_on", "excerpt", "published"]
# Entity facts kept in Entity.extra that the bundle format has as top-level fields (see importers/validate.py).
ENTITY_EXTRA_FIELDS = ("member_of", "sponsor", "years_active", "counterparts")
ENTITY_REF_EXTRAS = ("member_of", "sponsor", "counterparts")


def _compact(data: dict[str, Any]) -> dict[str, Any]:
    """Leave out empty values and the defaults (uncertain: false, published: true)."""
    out = {k: v for k, v in data.items() if v not in (None, "", [], {})}
    if out.get("uncertain") is False:
        del out["uncertain"]
    if out.get("published") is True:
        del out["published"]
    return out


def ties_with_links(ties: QuerySet[Tie]) -> QuerySet[Tie]:
    return ties.select_related("subject", "program").prefetch_related(
        Prefetch("counterpart_links", queryset=TieCounterpart.objects.select_related("entity").order_by("position")),
        "sources",
    )


def entity_dict(entity: Entity, visible: Visible | None = None) -> dict[str, Any]:
    visible = visible or Visible()
    extra = dict(entity.extra or {})
    data: dict[str, Any] = {
        "id": entity.id, "name": entity.name, "kind": entity.kind, "country": entity.country,
        "jurisdiction": entity.jurisdiction_id, "aliases": list(entity.aliases or []),
        "parent": visible.entity(entity.parent_id), "note": entity.note, "uncertain": entity.uncertain,
        "published": entity.published, "sources": visible.sources([s.id for s in entity.sources.all()]),
    }
    for name in ENTITY_EXTRA_FIELDS:
        if name in extra:
            value = extra.pop(name)
            if name in ENTITY_REF_EXTRAS:
                value = [v for v in value if visible.entity(v)] if isinstance(value, list) else visible.entity(value)
            data[name] = value
    data["extra"] = extra
    return _compact(data)


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


def tie_dict(tie: Tie, visible: Visible | None = None) -> dict[str, Any]:
    """The tie in the import format, naming only the entities and sources `visible` (default: all)."""
    visible = visible or Visible()
    data: dict[str, Any] = {
        "id": tie.id, "subject": tie.subject_id,
        "counterparts": [link.entity_id for link in tie.counterpart_links.all() if visible.entity(link.entity_id)],
        "program": visible.entity(tie.program_id), "kind": tie.kind, **tie_dates(tie), "status": tie.status,
        "attributes": tie.attributes or {}, "note": tie.note, "uncertain": tie.uncertain,
        "published": tie.published, "sources": visible.sources([s.id for s in tie.sources.all()]),
    }
    return _compact(data)


def exportable(data: dict[str, Any], visible: Visible) -> bool:
    """Whether a tie dict is valid with only the `visible` records: its subject is exported, a source
    is left, and a counterpart or a counterpart_country."""
    return bool(visible.entity(data["subject"]) and data.get("sources")
                and (data.get("counterparts") or (data.get("attributes") or {}).get("counterpart_country")))


def source_dict(source: Source) -> dict[str, Any]:
    data = {
        "id": source.id, "url": source.url, "title": source.title, "publisher": source.publisher,
        "published_on": source.published_on.isoformat() if source.published_on else None,
        "accessed_on": source.accessed_on.isoformat() if source.accessed_on else None, "excerpt": source.excerpt,
        "published": source.published,
    }
    return _compact(data)


class Visible:
    """Which entity and source ids an export contains (None: all of them), so that exported records
    never refer to records left out (drafts, in a public export) and the export re-imports as is."""

    def __init__(self, entity_ids: set[str] | None = None, source_ids: set[str] | None = None) -> None:
        self.entity_ids, self.source_ids = entity_ids, source_ids

    @classmethod
    def of(cls, entities: QuerySet[Entity], sources: QuerySet[Source]) -> Visible:
        return cls(set(entities.values_list("id", flat=True)), set(sources.values_list("id", flat=True)))

    def entity(self, entity_id: str | None) -> str | None:
        if entity_id is None or self.entity_ids is None or entity_id in self.entity_ids:
            return entity_id
        return None

    def sources(self, ids: list[str]) -> list[str]:
        return ids if self.source_ids is None else [i for i in ids if i in self.source_ids]


def bundle_dict(entities: QuerySet[Entity], ties: QuerySet[Tie], sources: QuerySet[Source]) -> dict[str, Any]:
    visible = Visible.of(entities, sources)
    tie_dicts = (tie_dict(t, visible) for t in ties_with_links(ties).order_by("id").iterator(chunk_size=2000))
    # A public export leaves drafts out; a tie that would then be invalid is left out too.
    return {
        "sources": [source_dict(s) for s in sources.order_by("id")],
        "entities": [entity_dict(e, visible) for e in entities.prefetch_related("sources").order_by("id")],
        "ties": [t for t in tie_dicts if exportable(t, visible)],
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
    writer = csvsafe.writer(out)
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
    from tiewatch.registry.ftm import model

    exported = set(entities.values_list("id", flat=True))
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
        if entity.parent_id in exported:
            proxy.add("parent", f"{prefix}-{entity.parent_id}")
        yield proxy.to_dict()
    for tie in ties_with_links(ties).order_by("id").iterator(chunk_size=2000):
        if tie.subject_id not in exported:
            continue
        for link in tie.counterpart_links.all():
            if link.entity_id not in exported:
                continue
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
