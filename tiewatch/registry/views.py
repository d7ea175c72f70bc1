"""Public pages of the registry: home, entities, ties, sources, jurisdictions, search.

Every list takes `?format=csv` or `?format=json` for an export of the filtered list (at most
`queries.EXPORT_LIMIT` rows). The public sees published records only; staff also see drafts,
marked "draft". Filters are validated by forms: bad values are shown as form errors, never a 500.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from tiewatch.core.date_words import date_words
from tiewatch.core.errors import ValidationFailed
from tiewatch.core.records import TIE_KINDS
from tiewatch.registry import atlas, facets, queries, tallies
from tiewatch.registry.exporters import (
    SOURCE_COLUMNS,
    TIE_COLUMNS,
    entity_columns,
    entity_dict,
    export_response,
    source_dict,
    tie_dict,
)
from tiewatch.registry.forms import EntityFilterForm, ListForm, SearchForm, TieFilterForm
from tiewatch.registry.models import Entity
from tiewatch.registry.queries import TieView, tie_views, ties_with_links
from tiewatch.registry.tieview import EntityRef
from tiewatch.registry.visibility import ENTITY_REF_EXTRAS, Visible, redirect_target

EXPORT_FORMATS = ("csv", "json")
# Sortable columns: (header, ascending sort key, descending sort key or None), keys of the lists' sorts.
TIE_SORT_COLUMNS = [("When", "year", "-year"), ("Subject", "subject", None), ("Kind", "kind", None)]
ENTITY_SORT_COLUMNS = [("Name", "name", "-name"), ("Kind", "kind", None), ("Country", "country", None)]
SOURCE_SORTS: dict[str, list[str]] = {"id": ["id"], "title": ["title", "id"], "-title": ["-title", "id"],
                                      "publisher": ["publisher", "id"], "published": ["published_on", "id"],
                                      "-published": ["-published_on", "id"]}
SOURCE_SORT_COLUMNS = [("Source", "title", "-title"), ("Publisher", "publisher", None),
                       ("Published", "-published", "published")]


# --- forms ------------------------------------------------------------------------------------

# --- helpers ----------------------------------------------------------------------------------

def _drafts(request: HttpRequest) -> bool:
    return queries.can_see_drafts(request.user)


def _querystring(request: HttpRequest, **changes: Any) -> str:
    params = request.GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = str(value)
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


def _link(request: HttpRequest) -> facets.Link:
    return lambda changes: _querystring(request, page=None, format=None, **changes)


def _tie_facets(request: HttpRequest, qs: Any, filters: queries.TieFilters, drafts: bool,
                page: queries.Page) -> dict[str, Any]:
    """Facets and sortable headers of the tie list: every tie's counts cached; a filtered list's counted
    now when it has up to COUNT_CAP ties, else on request (?facets=1), as its chart and maps."""
    link = _link(request)
    selected = {f: getattr(filters, f) for f in ("kind", "country", "year_from", "year_to", "program", "status",
                                                 "dataset")}
    headers = facets.sort_headers(TIE_SORT_COLUMNS, filters.sort, link)
    if not filters.active():
        counts = facets.cached_tie_counts(drafts)
    elif not page.count_capped or request.GET.get("facets") == "1":
        counts = facets.tie_counts(qs, drafts)
    else:
        return {"facets": None, "facets_url": link({"facets": "1"}), "sort_headers": headers}
    return {"facets": facets.tie_facets(counts, selected, link), "sort_headers": headers}


def _list_context(request: HttpRequest, page: queries.Page) -> dict[str, Any]:
    return {
        "page": page,
        "next_url": _querystring(request, page=page.number + 1, format=None) if page.has_next else "",
        "previous_url": _querystring(request, page=page.number - 1, format=None) if page.has_previous else "",
        "csv_url": _querystring(request, format="csv", page=None),
        "json_url": _querystring(request, format="json", page=None),
    }


def _export_ties(request: HttpRequest, qs: Any, fmt: str, drafts: bool) -> HttpResponse:
    views = tie_views(ties_with_links(qs)[: queries.EXPORT_LIMIT], drafts)
    return export_response("ties", fmt, TIE_COLUMNS, [tie_dict(t) for t in views], attributes=True)


def _export_entities(request: HttpRequest, qs: Any, fmt: str, drafts: bool) -> HttpResponse:
    rows = list(qs.prefetch_related("sources", "redirects")[: queries.EXPORT_LIMIT])
    visible = Visible.for_entities(rows, drafts)
    found = [entity_dict(e, visible) for e in rows]
    return export_response("entities", fmt, entity_columns(found), found)


# --- HTML snippets ----------------------------------------------------------------------------
# Tie rows are rendered by the hundred; building their links here is several times faster than
# template includes and {% url %} tags in loops (ids are slugs, safe in a path).

DRAFT = mark_safe(' <span class="badge draft">draft</span>')  # a constant


def entity_link(entity: Entity | EntityRef) -> SafeString:
    return format_html('<a href="/entities/{}/">{}</a>{}', entity.id, entity.name,
                       "" if entity.published else DRAFT)


def sources_html(sources: Any) -> SafeString:
    if not sources:
        return mark_safe('<span class="muted small">no public source</span>')  # a constant
    items = format_html_join("", '<li><a href="/sources/{}/">{}</a>{}{}</li>', (
        (s.pk, s.label,
         format_html(" <span class=\"muted\">({}{})</span>", s.publisher,
                     f", {date_words(s.published_on)}" if s.published_on else "") if s.publisher and s.title else "",
         "" if s.published else DRAFT)
        for s in sources))
    return format_html('<ol class="sources">{}</ol>', items)


@dataclass(frozen=True, slots=True)
class TieRow:
    """A tie view with the HTML of its links, as the tie tables and lists show it."""

    tie: TieView
    subject_html: SafeString
    counterparts_html: SafeString
    program_html: SafeString
    sources_html: SafeString


DASH = mark_safe('<span class="muted">—</span>')  # a constant


def tie_row(tie: TieView) -> TieRow:
    return TieRow(
        tie=tie, subject_html=entity_link(tie.subject),
        # joined escaped snippets
        counterparts_html=mark_safe(", ".join(entity_link(e) for e in tie.counterparts)) or DASH,
        program_html=entity_link(tie.program) if tie.program else DASH,
        sources_html=sources_html(tie.sources),
    )


def tie_rows(ties: Any, drafts: bool) -> list[TieRow]:
    """The rows of ties loaded by `ties_with_links`, as `drafts` (staff) or the public see them."""
    return [tie_row(t) for t in tie_views(ties, drafts)]


# --- pages ------------------------------------------------------------------------------------

def home(request: HttpRequest) -> HttpResponse:
    drafts = _drafts(request)
    ties = queries.ties(drafts)
    cap = queries.HOME_COUNT_CAP
    counts = {
        # Exact, from the tallies the database keeps (a million ties are not counted per request).
        "ties": (tallies.stored(drafts, ("total",))["total"][""], False) if tallies.kept()
        else queries.capped_count(ties, cap),
        "entities": queries.capped_count(queries.entities(drafts), cap),
        "sources": queries.capped_count(queries.sources(drafts), cap),
        "jurisdictions": queries.capped_count(queries.jurisdictions(drafts), cap),
    }
    latest = ties.filter(year_from__isnull=False).order_by(*queries.TIE_SORTS["-year"])
    latest_ties = tie_rows(ties_with_links(latest)[:10], drafts)
    return render(request, "registry/home.html", {"counts": counts, "latest_ties": latest_ties,
                                                  "drafts": drafts, "tie_kinds": TIE_KINDS})


def tie_list(request: HttpRequest) -> HttpResponse:
    drafts = _drafts(request)
    form = TieFilterForm(request.GET or None, drafts=drafts)
    context: dict[str, Any] = {"form": form, "drafts": drafts}
    if form.is_bound and not form.is_valid():
        return render(request, "registry/tie_list.html", {**context, "page": None}, status=400)
    data = form.cleaned_data if form.is_bound else {}
    try:
        filters = queries.TieFilters.from_mapping(data).check()
    except ValidationFailed as error:  # pragma: no cover - the form checks the same things first
        for name, messages in error.fields().items():
            form.add_error(None, f"{name}: {'; '.join(messages)}")
        return render(request, "registry/tie_list.html", {**context, "page": None}, status=400)
    qs = queries.list_ties(filters, drafts)
    fmt = data.get("format") or ""
    if fmt in EXPORT_FORMATS:
        return _export_ties(request, qs, fmt, drafts)
    page = queries.paginate(ties_with_links(qs), data.get("page") or 1)
    page.items = tie_rows(page.items, drafts)
    context.update(_list_context(request, page))
    context["filtered"] = filters.active()
    context.update(_tie_facets(request, qs, filters, drafts, page))
    # The chart and maps: all ties -> the cached overview; a filtered list of up to COUNT_CAP ties -> counted
    # now; a larger one -> on request (?overview=1), so the list itself stays fast (docs/maps.md).
    asked = request.GET.get("overview") == "1"
    context["overview"] = atlas.overview(qs) if filters.active() and (asked or not page.count_capped) else None
    context["overview_deferred"] = filters.active() and context["overview"] is None
    for name in ("entity", "subject", "counterpart", "program"):
        value = getattr(filters, name)
        if value:
            context.setdefault("about", []).append(
                (name, queries.entities(drafts).filter(pk=value).first() or value))
    return render(request, "registry/tie_list.html", context)



def _json_detail(data: Any) -> HttpResponse:
    """One record as readable JSON (`?format=json` on a detail page)."""
    return HttpResponse(json.dumps(data, indent=1, ensure_ascii=False), content_type="application/json; charset=utf-8")


def tie_detail(request: HttpRequest, tie_id: str) -> HttpResponse:
    drafts = _drafts(request)
    tie = queries.get_tie(tie_id, drafts)
    if tie is None:
        raise Http404("No such tie.")
    if request.GET.get("format") == "json":
        return _json_detail(tie_dict(tie))
    return render(request, "registry/tie_detail.html", {"tie": tie, "drafts": drafts})


def entity_list(request: HttpRequest) -> HttpResponse:
    drafts = _drafts(request)
    form = EntityFilterForm(request.GET or None)
    context: dict[str, Any] = {"form": form, "drafts": drafts}
    if form.is_bound and not form.is_valid():
        return render(request, "registry/entity_list.html", {**context, "page": None}, status=400)
    data = form.cleaned_data if form.is_bound else {}
    filters = queries.EntityFilters.from_mapping(data).check()
    qs = queries.filter_entities(queries.entities(drafts), filters)
    fmt = data.get("format") or ""
    if fmt in EXPORT_FORMATS:
        return _export_entities(request, qs, fmt, drafts)
    page = queries.paginate(qs, data.get("page") or 1)
    context.update(_list_context(request, page))
    link = _link(request)
    context["facets"] = facets.entity_facets(qs, data, link)
    context["sort_headers"] = facets.sort_headers(ENTITY_SORT_COLUMNS, filters.sort, link)
    return render(request, "registry/entity_list.html", context)


def entity_detail(request: HttpRequest, entity_id: str) -> HttpResponse:
    drafts = _drafts(request)
    entity = queries.get_entity(entity_id, drafts)
    if entity is None:
        target = redirect_target(entity_id, drafts) if queries.valid_id(entity_id) else None
        if target is None:
            raise Http404("No such entity.")
        # Merged into another record (entity resolution): the old address keeps working, for good.
        query = f"?{request.GET.urlencode()}" if request.GET else ""
        return redirect(reverse("registry:entity_detail", args=[target]) + query, permanent=True)
    visible = Visible.for_entities([entity], drafts)
    if request.GET.get("format") == "json":
        return _json_detail(entity_dict(entity, visible))
    found = queries.entity_ties(entity, drafts)
    facts = visible.facts(entity.extra, ENTITY_REF_EXTRAS)
    related_ids = set()
    for key in ENTITY_REF_EXTRAS:
        value = facts.get(key)
        related_ids.update(value if isinstance(value, list) else [value] if value else [])
    related = {e.id: e for e in queries.entities(drafts).filter(pk__in=related_ids)} if related_ids else {}
    extra = []
    for key, value in facts.items():
        values = value if isinstance(value, list) else [value]
        extra.append((key.replace("_", " "), [related.get(v, v) if isinstance(v, str) else _plain(v) for v in values]))
    children = list(queries.entities(drafts).filter(parent_id=entity.pk).order_by("name")[:100])
    return render(request, "registry/entity_detail.html", {
        "entity": entity, "drafts": drafts, "merged": visible.merged_records(entity),
        "dataset_summaries": _with_links(found["datasets"], entity.pk),
        "country_ties": queries.country_ties(entity, drafts),
        "groups": _with_rows(queries.group_by_kind_and_year(found["items"])),
        "roles": found["roles"], "shown_count": len(found["items"]), "truncated": found["truncated"],
        "tie_limit": queries.ENTITY_TIE_LIMIT, "extra": extra,
        "children": children,
        "entity_sources": [s for s in entity.sources.all() if visible.source(s.pk)],
        "parent": entity.parent if entity.parent and visible.entity(entity.parent_id) else None,
    })


def _plain(value: Any) -> Any:
    """A fact as words: a flag reads 'yes' or 'no', not Python's True."""
    return ("yes" if value else "no") if isinstance(value, bool) else value


def _with_links(summaries: list[dict[str, Any]], entity_id: str) -> list[dict[str, Any]]:
    """Each summary's rows one click away: the tie list filtered by role, dataset and the row."""
    other = {"subject": "counterpart", "counterpart": "subject", "program": "subject"}
    for summary in summaries:
        base = {summary["role"]: entity_id, "dataset": summary["dataset"]}
        summary["list_url"] = "?" + urlencode(base)
        for row in summary["rows"]:
            if not row["key"]:
                row["list_url"] = ""
            elif summary["filter"]:
                row["list_url"] = "?" + urlencode({**base, summary["filter"]: row["key"]})
            else:
                row["list_url"] = "?" + urlencode({**base, other[summary["role"]]: row["key"]})
    return summaries


def _with_rows(groups: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for group in groups:
        for year in group["years"]:
            year["ties"] = [tie_row(t) for t in year["ties"]]
    return groups


def source_detail(request: HttpRequest, source_id: str) -> HttpResponse:
    drafts = _drafts(request)
    source = queries.get_source(source_id, drafts)
    if source is None:
        raise Http404("No such source.")
    if request.GET.get("format") == "json":
        return _json_detail(source_dict(source))
    cited = queries.ties(drafts).filter(sources=source).order_by(*queries.TIE_SORTS["-year"])
    cited_ties = tie_rows(ties_with_links(cited)[:200], drafts)
    cited_entities = list(queries.entities(drafts).filter(sources=source).order_by("name")[:200])
    return render(request, "registry/source_detail.html", {
        "source": source, "drafts": drafts, "ties": cited_ties, "entities": cited_entities,
    })


def jurisdiction_list(request: HttpRequest) -> HttpResponse:
    drafts = _drafts(request)
    form = ListForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return render(request, "registry/jurisdiction_list.html", {"form": form, "page": None}, status=400)
    data = form.cleaned_data if form.is_bound else {}
    entity_filter = Q() if drafts else Q(entities__published=True)
    qs = queries.jurisdictions(drafts).annotate(entity_count=Count("entities", filter=entity_filter)).select_related("parent").order_by("id")
    fmt = data.get("format") or ""
    if fmt in EXPORT_FORMATS:
        rows = [{"id": j.id, "name": j.name, "parent": j.parent_id, "entities": j.entity_count}
                for j in qs[: queries.EXPORT_LIMIT]]
        return export_response("jurisdictions", fmt, ["id", "name", "parent", "entities"], rows)
    page = queries.paginate(qs, data.get("page") or 1, size=max(queries.page_size(), 200))
    return render(request, "registry/jurisdiction_list.html",
                  {"form": form, **_list_context(request, page), "drafts": drafts})


def jurisdiction_detail(request: HttpRequest, ocd: str) -> HttpResponse:
    drafts = _drafts(request)
    if "\x00" in ocd:
        raise Http404("No such place.")
    jurisdiction = queries.get_jurisdiction(ocd, drafts)
    if jurisdiction is None:
        raise Http404("No such place.")
    if ocd.startswith("ocd-division/"):
        return redirect(reverse("registry:jurisdiction_detail", args=[jurisdiction.slug]))
    form = ListForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return render(request, "registry/jurisdiction_detail.html",
                      {"form": form, "jurisdiction": jurisdiction, "page": None}, status=400)
    data = form.cleaned_data if form.is_bound else {}
    filters = queries.EntityFilters(jurisdiction=jurisdiction.id)
    qs = queries.filter_entities(queries.entities(drafts), filters)
    fmt = data.get("format") or ""
    if fmt in EXPORT_FORMATS:
        return _export_entities(request, qs, fmt, drafts)
    page = queries.paginate(qs, data.get("page") or 1)
    children = list(queries.jurisdictions(drafts).filter(parent=jurisdiction).order_by("id")[:500])
    return render(request, "registry/jurisdiction_detail.html", {
        "form": form, "jurisdiction": jurisdiction, "children": children, "drafts": drafts,
        **_list_context(request, page),
    })


def search(request: HttpRequest) -> HttpResponse:
    drafts = _drafts(request)
    form = SearchForm(request.GET or None)
    context: dict[str, Any] = {"form": form, "drafts": drafts, "page": None, "q": ""}
    if not form.is_bound:
        return render(request, "registry/search.html", context)
    if not form.is_valid():
        return render(request, "registry/search.html", context, status=400)
    data = form.cleaned_data
    q = data.get("q") or ""
    context["q"] = q
    if not q.strip():
        return render(request, "registry/search.html", context)
    qs = queries.search_entities(queries.entities(drafts), q).select_related("jurisdiction").order_by("name", "id")
    fmt = data.get("format") or ""
    if fmt in EXPORT_FORMATS:
        return _export_entities(request, qs, fmt, drafts)
    page = queries.paginate(qs, data.get("page") or 1)
    context.update(_list_context(request, page))
    return render(request, "registry/search.html", context)


def source_list(request: HttpRequest) -> HttpResponse:
    drafts = _drafts(request)
    form = ListForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return render(request, "registry/source_list.html", {"form": form, "page": None}, status=400)
    data = form.cleaned_data if form.is_bound else {}
    sort = request.GET.get("sort") or "id"
    if sort not in SOURCE_SORTS:
        return render(request, "registry/source_list.html", {"form": form, "page": None, "sort_error": (
            f"sort must be one of {', '.join(SOURCE_SORTS)}")}, status=400)
    qs = queries.sources(drafts).order_by(*SOURCE_SORTS[sort])
    fmt = data.get("format") or ""
    if fmt in EXPORT_FORMATS:
        rows = [source_dict(s) for s in qs[: queries.EXPORT_LIMIT]]
        return export_response("sources", fmt, SOURCE_COLUMNS, rows)
    page = queries.paginate(qs, data.get("page") or 1)
    return render(request, "registry/source_list.html", {
        "form": form, "drafts": drafts, **_list_context(request, page),
        "sort_headers": facets.sort_headers(SOURCE_SORT_COLUMNS, sort, _link(request))})
