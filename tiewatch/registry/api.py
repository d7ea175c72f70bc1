"""JSON API of the registry app (mounted by config/api.py at /api/).

Read-only. Lists share the filters of the pages (`tiewatch.registry.queries`) and answer
`{"count", "count_capped", "page", "next", "previous", "results"}`. The public sees published
records only; a signed-in staff session also sees drafts (`"published": false`).
"""

from __future__ import annotations

from typing import Any, Literal, get_args

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Query, Router, Schema

from tiewatch.core.errors import NotFound
from tiewatch.core.records import ENTITY_KINDS, TIE_KINDS, TIE_STATUSES
from tiewatch.registry import queries
from tiewatch.registry.models import Entity, Jurisdiction, Source
from tiewatch.registry.queries import TieView, tie_views, ties_with_links
from tiewatch.registry.tieview import EntityRef as TieParty
from tiewatch.registry.visibility import ENTITY_REF_EXTRAS, Visible, redirect_target

router = Router(tags=["registry"])

TieKind = Literal[TIE_KINDS]  # type: ignore[valid-type]
TieStatus = Literal[TIE_STATUSES]  # type: ignore[valid-type]
EntityKind = Literal[ENTITY_KINDS]  # type: ignore[valid-type]
TieSort = Literal["-year", "year", "kind", "subject", "id"]
EntitySort = Literal["name", "-name", "id", "kind", "country"]
assert set(get_args(TieSort)) == set(queries.TIE_SORTS) and set(get_args(EntitySort)) == set(queries.ENTITY_SORTS)

ID_PATTERN = r"^[-a-zA-Z0-9_]{1,250}$"
COUNTRY_PATTERN = r"^[A-Za-z]{2}$"
NO_NUL = r"^[^\x00]*$"


# --- schemas ----------------------------------------------------------------------------------

class EntityRef(Schema):
    id: str
    name: str
    kind: str
    published: bool


class SourceOut(Schema):
    id: str
    url: str
    title: str
    publisher: str
    published_on: str | None = None
    accessed_on: str | None = None
    excerpt: str
    published: bool
    page: str = Field(description="The source's public page")


class EntityOut(Schema):
    id: str
    name: str
    kind: str
    country: str
    jurisdiction: str | None = None
    parent: str | None = None
    aliases: list[str]
    note: str
    uncertain: bool
    extra: dict[str, Any]
    sources: list[str]
    published: bool
    merged_ids: list[str] = Field(description="Ids of records merged into this one (entity resolution); "
                                              "asking for one of them answers this record")
    page: str = Field(description="The entity's public page")


class TieOut(Schema):
    id: str
    subject: EntityRef
    counterparts: list[EntityRef]
    program: EntityRef | None = None
    kind: str
    when: str = Field(description="Human-readable date: '2018', '2009, 2010, 2014', '2018-12-02 – 2018-12-11'")
    start: str | None = Field(None, description="Partial date: YYYY, YYYY-MM or YYYY-MM-DD")
    end: str | None = None
    years: list[int]
    year_from: int | None = None
    year_to: int | None = None
    status: str
    note: str
    uncertain: bool
    attributes: dict[str, Any]
    sources: list[SourceOut]
    published: bool
    page: str = Field(description="The tie's public page")


class JurisdictionOut(Schema):
    id: str
    name: str
    parent: str | None = None
    page: str


class ListOut(Schema):
    count: int = Field(description=f"Number of results, at most {queries.COUNT_CAP} (see count_capped)")
    count_capped: bool = Field(description=f"True when there are more than {queries.COUNT_CAP} results")
    page: int
    next: str | None = None
    previous: str | None = None


class EntityList(ListOut):
    results: list[EntityOut]


class TieList(ListOut):
    results: list[TieOut]


class SourceList(ListOut):
    results: list[SourceOut]


class JurisdictionList(ListOut):
    results: list[JurisdictionOut]


class PageQuery(Schema):
    page: int = Field(1, ge=1, le=queries.MAX_PAGE, description="1-based page number")
    page_size: int | None = Field(None, ge=1, le=500, description="Results per page (default TIEWATCH_PAGE_SIZE)")


class TieQuery(PageQuery):
    kind: TieKind | None = Field(None, description="Tie kind")
    country: str | None = Field(None, pattern=COUNTRY_PATTERN, description="A counterpart's country (ISO alpha-2)")
    year_from: int | None = Field(None, ge=queries.YEAR_MIN, le=queries.YEAR_MAX,
                                  description="Ties covering this year or later")
    year_to: int | None = Field(None, ge=queries.YEAR_MIN, le=queries.YEAR_MAX,
                                description="Ties covering this year or earlier")
    program: str | None = Field(None, pattern=ID_PATTERN, description="Program entity id")
    status: TieStatus | None = None
    subject: str | None = Field(None, pattern=ID_PATTERN, description="Subject entity id")
    counterpart: str | None = Field(None, pattern=ID_PATTERN, description="Counterpart entity id")
    entity: str | None = Field(None, pattern=ID_PATTERN, description="Entity id in any role")
    dataset: str | None = Field(None, pattern=r"^[a-z0-9_]{1,40}$",
                                description="Imported dataset ('leso', 'sipri_register'), or 'curated' for ties "
                                            "entered by hand")
    category: str | None = Field(None, pattern=r"^[a-z0-9_]{1,60}$",
                                 description="Equipment category listed in a tie's `categories` attribute "
                                             "(LESO ties), e.g. 'drone'")
    sort: TieSort = Field("-year", description="Sort order")


class EntityQuery(PageQuery):
    q: str | None = Field(None, max_length=200, pattern=NO_NUL, description="Words in the name or an alias")
    kind: EntityKind | None = None
    country: str | None = Field(None, pattern=COUNTRY_PATTERN, description="ISO alpha-2 country")
    jurisdiction: str | None = Field(None, max_length=200, pattern=NO_NUL,
                                     description="OCD division id (with or without 'ocd-division/'), "
                                                 "including places within it")
    sort: EntitySort = "name"


class JurisdictionQuery(PageQuery):
    parent: str | None = Field(None, max_length=200, pattern=NO_NUL, description="Only divisions directly within")


# --- rendering --------------------------------------------------------------------------------

def _ref(entity: TieParty) -> dict[str, Any]:
    return {"id": entity.id, "name": entity.name, "kind": entity.kind, "published": entity.published}


def source_out(source: Source) -> dict[str, Any]:
    return {
        "id": source.id, "url": source.url, "title": source.title, "publisher": source.publisher,
        "published_on": source.published_on.isoformat() if source.published_on else None,
        "accessed_on": source.accessed_on.isoformat() if source.accessed_on else None,
        "excerpt": source.excerpt, "published": source.published,
        "page": reverse("registry:source_detail", args=[source.id]),
    }


def entity_out(entity: Entity, visible: Visible) -> dict[str, Any]:
    """An entity loaded with its sources, naming only the entities and sources `visible`."""
    return {
        "id": entity.id, "name": entity.name, "kind": entity.kind, "country": entity.country,
        "jurisdiction": entity.jurisdiction_id, "parent": visible.entity(entity.parent_id),
        "aliases": list(entity.aliases or []), "note": entity.note, "uncertain": entity.uncertain,
        "extra": visible.facts(entity.extra, ENTITY_REF_EXTRAS),
        "sources": visible.sources([s.id for s in entity.sources.all()]), "published": entity.published,
        "merged_ids": visible.merged_ids(entity), "page": reverse("registry:entity_detail", args=[entity.id]),
    }


def tie_out(tie: TieView) -> dict[str, Any]:
    start, end = tie.start, tie.end
    return {
        "id": tie.id, "subject": _ref(tie.subject), "counterparts": [_ref(e) for e in tie.counterparts],
        "program": _ref(tie.program) if tie.program else None, "kind": tie.kind, "when": tie.when,
        "start": str(start) if start else None, "end": str(end) if end else None,
        "years": list(tie.years), "year_from": tie.year_from, "year_to": tie.year_to,
        "status": tie.status, "note": tie.note, "uncertain": tie.uncertain, "attributes": tie.attributes,
        "sources": [source_out(s) for s in tie.sources],
        "published": tie.published, "page": reverse("registry:tie_detail", args=[tie.id]),
    }


def jurisdiction_out(j: Jurisdiction) -> dict[str, Any]:
    return {"id": j.id, "name": j.name, "parent": j.parent_id,
            "page": reverse("registry:jurisdiction_detail", args=[j.slug])}


def _envelope(request: HttpRequest, page: queries.Page, results: list[dict[str, Any]]) -> dict[str, Any]:
    def link(number: int) -> str:
        params = request.GET.copy()
        params["page"] = str(number)
        return f"{request.path}?{params.urlencode()}"

    return {
        "count": page.count, "count_capped": page.count_capped, "page": page.number,
        "next": link(page.number + 1) if page.has_next else None,
        "previous": link(page.number - 1) if page.has_previous else None,
        "results": results,
    }


def _drafts(request: HttpRequest) -> bool:
    return queries.can_see_drafts(getattr(request, "user", None))


# --- endpoints --------------------------------------------------------------------------------

@router.get("/entities", response=EntityList, summary="List entities",
            description="Agencies, forces, programs ... filtered by words in the name or aliases (`q`), "
                        "kind, country and jurisdiction.")
def list_entities(request: HttpRequest, filters: Query[EntityQuery]) -> dict[str, Any]:
    drafts = _drafts(request)
    f = queries.EntityFilters.from_mapping(filters.dict(exclude={"page", "page_size"})).check()
    qs = queries.filter_entities(queries.entities(drafts), f).prefetch_related("sources", "redirects")
    page = queries.paginate(qs, filters.page, filters.page_size)
    visible = Visible.for_entities(page.items, drafts)
    return _envelope(request, page, [entity_out(e, visible) for e in page.items])


@router.get("/entities/{id}", response=EntityOut, summary="One entity",
            description="An id merged into another record (entity resolution) answers the canonical record, "
                        "whose `id` differs and whose `merged_ids` lists the id asked for.")
def get_entity(request: HttpRequest, id: str) -> dict[str, Any]:
    drafts = _drafts(request)
    entity = queries.get_entity(id, drafts)
    if entity is None:
        target = redirect_target(id, drafts) if queries.valid_id(id) else None
        entity = queries.get_entity(target, drafts) if target else None
    if entity is None:
        raise NotFound(f"No entity with id {id!r}.")
    return entity_out(entity, Visible.for_entities([entity], drafts))


@router.get("/ties", response=TieList, summary="List ties",
            description="Ties filtered by kind, counterpart country, year range (overlap), program, status, "
                        "subject, counterpart or any role (`entity`); sorted by `sort`.")
def list_ties(request: HttpRequest, filters: Query[TieQuery]) -> dict[str, Any]:
    drafts = _drafts(request)
    f = queries.TieFilters.from_mapping(filters.dict(exclude={"page", "page_size"})).check()
    qs = ties_with_links(queries.list_ties(f, drafts))
    page = queries.paginate(qs, filters.page, filters.page_size)
    return _envelope(request, page, [tie_out(t) for t in tie_views(page.items, drafts)])


@router.get("/ties/{id}", response=TieOut, summary="One tie")
def get_tie(request: HttpRequest, id: str) -> dict[str, Any]:
    tie = queries.get_tie(id, _drafts(request))
    if tie is None:
        raise NotFound(f"No tie with id {id!r}.")
    return tie_out(tie)


@router.get("/sources", response=SourceList, summary="List sources")
def list_sources(request: HttpRequest, filters: Query[PageQuery]) -> dict[str, Any]:
    qs = queries.sources(_drafts(request)).order_by("id")
    page = queries.paginate(qs, filters.page, filters.page_size)
    return _envelope(request, page, [source_out(s) for s in page.items])


@router.get("/jurisdictions", response=JurisdictionList, summary="List jurisdictions (OCD divisions)")
def list_jurisdictions(request: HttpRequest, filters: Query[JurisdictionQuery]) -> dict[str, Any]:
    qs = queries.jurisdictions(_drafts(request)).order_by("id")
    if filters.parent:
        qs = qs.filter(parent_id=queries.jurisdiction_id(filters.parent))
    page = queries.paginate(qs, filters.page, filters.page_size)
    return _envelope(request, page, [jurisdiction_out(j) for j in page.items])


@router.get("/sources/{id}", response=SourceOut, summary="One source")
def get_source(request: HttpRequest, id: str) -> dict[str, Any]:
    source = queries.get_source(id, _drafts(request))
    if source is None:
        raise NotFound(f"No source with id {id!r}.")
    return source_out(source)
