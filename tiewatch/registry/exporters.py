"""Exports of the registry: CSV and JSON in the import format (so an export re-imports as is),
and FollowTheMoney JSON lines for Aleph and OpenSanctions tooling."""

from __future__ import annotations

import io
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import IO, Any

from django.db.models import QuerySet
from django.http import HttpResponse

from tiewatch.core import csvsafe
from tiewatch.registry.models import Claim, Entity, Source, Tie
from tiewatch.registry.tieview import TieView, tie_view, ties_with_links
from tiewatch.registry.visibility import ENTITY_REF_EXTRAS, Visible, entities, sources, ties

ENTITY_COLUMNS = ["id", "name", "kind", "country", "jurisdiction", "aliases", "parent", "note", "uncertain",
                  "published", "sources", "member_of", "sponsor", "years_active", "counterparts"]
TIE_COLUMNS = ["id", "subject", "counterparts", "program", "kind", "date", "dates", "years", "status", "note",
               "uncertain", "published", "sources"]
SOURCE_COLUMNS = ["id", "url", "title", "publisher", "published_on", "accessed_on", "excerpt", "published"]
# Entity facts kept in Entity.extra that the bundle format has as top-level fields (see importers/validate.py).
ENTITY_EXTRA_FIELDS = ("member_of", "sponsor", "years_active", "counterparts")


def entity_columns(rows: Iterable[dict[str, Any]]) -> list[str]:
    """The entity CSV columns; `merged_ids` (entity resolution) only when an exported entity has some,
    so registries without merges export the same columns as before."""
    return ENTITY_COLUMNS + (["merged_ids"] if any(row.get("merged_ids") for row in rows) else [])


def _compact(data: dict[str, Any]) -> dict[str, Any]:
    """Leave out empty values and the defaults (uncertain: false, published: true)."""
    out = {k: v for k, v in data.items() if v not in (None, "", [], {})}
    if out.get("uncertain") is False:
        del out["uncertain"]
    if out.get("published") is True:
        del out["published"]
    return out


def entity_dict(entity: Entity, visible: Visible | None = None) -> dict[str, Any]:
    """The entity in the import format, naming only the entities and sources `visible` (default: all)."""
    visible = visible or Visible()
    extra = visible.facts(entity.extra, ENTITY_REF_EXTRAS)
    data: dict[str, Any] = {
        "id": entity.id, "name": entity.name, "kind": entity.kind, "country": entity.country,
        "jurisdiction": entity.jurisdiction_id, "aliases": list(entity.aliases or []),
        "parent": visible.entity(entity.parent_id), "note": entity.note, "uncertain": entity.uncertain,
        "published": entity.published, "sources": visible.sources([s.id for s in entity.sources.all()]),
        "merged_ids": visible.merged_ids(entity),
    }
    for name in ENTITY_EXTRA_FIELDS:
        if name in extra:
            data[name] = extra.pop(name)
    data["extra"] = extra
    return _compact(data)


def tie_dates(tie: TieView) -> dict[str, Any]:
    start, end = tie.start, tie.end
    if tie.years and start is not None and start.precision == "year" and (end is None or end.precision == "year"):
        return {"years": list(tie.years)}
    if start is None:
        return {}
    if end is None or str(end) == str(start):
        return {"date": str(start)}
    return {"dates": f"{start}/{end}"}


def tie_dict(tie: TieView) -> dict[str, Any]:
    """The tie in the import format (the parties and sources of the view: those its reader may see)."""
    data: dict[str, Any] = {
        "id": tie.id, "subject": tie.subject.id, "counterparts": [e.id for e in tie.counterparts],
        "program": tie.program.id if tie.program else None, "kind": tie.kind, **tie_dates(tie),
        "status": tie.status, "attributes": tie.attributes, "note": tie.note, "uncertain": tie.uncertain,
        "published": tie.published, "sources": [s.id for s in tie.sources],
    }
    return _compact(data)


def exportable(tie: TieView) -> bool:
    """Whether a tie is valid in the import format with only the records its reader may see: a
    source is left, and a counterpart or a counterpart_country."""
    return bool(tie.sources and (tie.counterparts or tie.attributes.get("counterpart_country")))


def source_dict(source: Source) -> dict[str, Any]:
    data = {
        "id": source.id, "url": source.url, "title": source.title, "publisher": source.publisher,
        "published_on": source.published_on.isoformat() if source.published_on else None,
        "accessed_on": source.accessed_on.isoformat() if source.accessed_on else None, "excerpt": source.excerpt,
        "published": source.published,
    }
    return _compact(data)


def export_querysets(include_drafts: bool) -> tuple[QuerySet[Entity], QuerySet[Tie], QuerySet[Source]]:
    """What `tiewatch export` writes: what the public sees, or everything (`--include-drafts`)."""
    return entities(include_drafts), ties(include_drafts), sources(include_drafts)


def exported_ties(entity_qs: QuerySet[Entity], tie_qs: QuerySet[Tie], visible: Visible) -> Iterator[TieView]:
    """The ties of an export, by id: those whose subject is exported, each naming only exported
    records, leaving out a tie that would then be invalid (no source, no counterpart)."""
    for tie in ties_with_links(tie_qs).order_by("id").iterator(chunk_size=2000):
        view = tie_view(tie, visible)
        if view is not None and exportable(view):
            yield view


def bundle_dict(entity_qs: QuerySet[Entity], tie_qs: QuerySet[Tie], source_qs: QuerySet[Source]) -> dict[str, Any]:
    visible = Visible.of(entity_qs, source_qs)
    claims = claim_dicts(visible)
    return {
        "sources": [source_dict(s) for s in source_qs.order_by("id")],
        "entities": [_with_claims(entity_dict(e, visible), claims.get(("entity", e.pk)))
                     for e in entity_qs.prefetch_related("sources", "redirects").order_by("id")],
        "ties": [_with_claims(tie_dict(t), claims.get(("tie", t.id)))
                 for t in exported_ties(entity_qs, tie_qs, visible)],
    }


def _with_claims(data: dict[str, Any], claims: list[dict[str, Any]] | None) -> dict[str, Any]:
    if claims:
        data["claims"] = claims
    return data


def claim_dicts(visible: Visible) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """Claims in the import format, by (owner kind, owner id), naming only `visible` sources and
    claimants: a claim left citing no source is left out (docs/registry.md#claims-and-confidence)."""
    out: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for c in Claim.objects.prefetch_related("sources").select_related("claimant").order_by("position", "id"):
        cited = visible.sources(sorted(s.id for s in c.sources.all()))
        if not cited:
            continue
        claimant = visible.entity(c.claimant_id)
        owner = ("entity", c.entity_id) if c.entity_id else ("tie", c.tie_id or "")
        out[owner].append(_compact({
            "fact": c.fact, "value": c.value, "confidence": c.confidence, "claimant": claimant,
            "claimant_name": c.claimant_name or ("" if claimant or not c.claimant_id else "a party not shown"),
            "sources": cited, "retrieved_on": c.retrieved_on.isoformat() if c.retrieved_on else None,
            "quote": c.quote}))
        if "value" not in out[owner][-1]:
            out[owner][-1]["value"] = c.value
    return dict(out)


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


def ftm_entities(entity_qs: QuerySet[Entity], tie_qs: QuerySet[Tie], source_qs: QuerySet[Source],
                 prefix: str = "tiewatch") -> Iterator[dict[str, Any]]:
    """FollowTheMoney entities: agencies and forces as PublicBody, ties as UnknownLink (one per
    counterpart); the same records, parties and sources as the JSON and CSV exports."""
    from tiewatch.registry.ftm import entity_id as ftm_id
    from tiewatch.registry.ftm import model

    visible = Visible.of(entity_qs, source_qs)
    for entity in entity_qs.prefetch_related("sources", "redirects").order_by("id").iterator(chunk_size=2000):
        proxy = model.make_entity(FTM_SCHEMA.get(entity.kind, "PublicBody"))
        proxy.id = f"{prefix}-{entity.id}"
        proxy.add("name", entity.name)
        proxy.add("alias", list(entity.aliases or []))
        proxy.add("country", entity.country.lower() or None)
        proxy.add("jurisdiction", entity.country.lower() or None)
        proxy.add("classification", entity.kind)
        proxy.add("notes", entity.note or None)
        proxy.add("sourceUrl", [s.url for s in entity.sources.all() if visible.source(s.id)])
        if visible.entity(entity.parent_id):
            proxy.add("parent", f"{prefix}-{entity.parent_id}")
        # FtM's `referents`: ids of records merged into this one (nomenklatura's convention).
        proxy.referents = [ftm_id(f"{prefix}-{old}") for old in visible.merged_ids(entity)]
        yield proxy.to_dict()
    for tie in exported_ties(entity_qs, tie_qs, visible):
        yield from _ftm_links(model, tie, prefix)


def _ftm_links(model: Any, tie: TieView, prefix: str) -> Iterator[dict[str, Any]]:
    for counterpart in tie.counterparts:
        proxy = model.make_entity("UnknownLink")
        proxy.id = f"{prefix}-{tie.id}--{counterpart.id}"
        proxy.add("subject", f"{prefix}-{tie.subject.id}")
        proxy.add("object", f"{prefix}-{counterpart.id}")
        proxy.add("role", tie.kind.replace("_", " "))
        proxy.add("status", tie.status)
        proxy.add("startDate", str(tie.start) if tie.start else None)
        proxy.add("endDate", str(tie.end) if tie.end else None)
        proxy.add("summary", tie.note or None)
        proxy.add("recordId", tie.id)
        proxy.add("sourceUrl", [s.url for s in tie.sources])
        yield proxy.to_dict()


def write_json_lines(out: IO[str], items: Iterable[dict[str, Any]]) -> int:
    count = 0
    for item in items:
        out.write(json.dumps(item, sort_keys=True, ensure_ascii=False) + "\n")
        count += 1
    return count


def export_response(name: str, fmt: str, columns: list[str], rows: list[dict[str, Any]],
                    attributes: bool = False, extra: dict[str, Any] | None = None) -> HttpResponse:
    """A list page's export: CSV (spreadsheet-safe cells) as a download, or JSON as {name: rows}."""
    if fmt == "csv":
        out = io.StringIO()
        write_csv(out, columns, rows, attributes=attributes)
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    body = {**(extra or {}), name: rows}
    response = HttpResponse(json.dumps(body, indent=1, ensure_ascii=False) + "\n",
                            content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{name}.json"'
    return response
