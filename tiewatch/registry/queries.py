"""Queries shared by the registry's pages and its JSON API: visibility (drafts), filters, sorting,
search and pagination live here, in one place.

Everything is written to stay index-friendly on large tables (a million ties): filters use the
indexed columns (`kind`, `year_from`, `year_to`, `status`, `program_id`, `subject_id`,
`counterpart_countries`), lists are paginated with LIMIT/OFFSET, and counts are capped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, fields
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import BooleanField, Count, F, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from tiewatch.core.errors import Problem, ValidationFailed
from tiewatch.core.records import ENTITY_KINDS, TIE_KINDS, TIE_STATUSES
from tiewatch.registry import tallies
from tiewatch.registry.dataset_summary import CURATED, summarise
from tiewatch.registry.models import ChangeRecord, Entity, Jurisdiction, Source, Tie, TieCounterpart
from tiewatch.registry.tieview import TieView, tie_views, ties_with_links
from tiewatch.registry.visibility import (
    can_see_drafts,
    entities,
    jurisdictions,
    sources,
    ties,
    ties_of_subject,
)

# Re-exported: pages and the API read everything through this module.
__all__ = ["TieView", "can_see_drafts", "entities", "jurisdictions", "sources", "tie_views", "ties",
           "ties_with_links"]

# Counts of a list stop at this many rows: "more than 500" is as useful as an exact COUNT(*) over
# millions, and costs a short scan (measured on a million ties: ~10-30 ms at 500, up to ~130 ms at
# 1,000). The home page's totals count further.
COUNT_CAP = 500
HOME_COUNT_CAP = 100_000
# Exports of a list stop at this many rows; `tiewatch export` writes everything.
EXPORT_LIMIT = 10_000
# An entity page lists the most recent this many ties per role (subject, counterpart, program), below
# a complete count of its ties by kind and year; the full lists are on /ties/?subject= (counterpart=,
# program=). Rendering every tie of a foreign force or program (hundreds to thousands) took most of
# the page's time at a million ties (docs/benchmarks.md).
ENTITY_TIE_LIMIT = 25
MAX_PAGE = 100_000
YEAR_MIN, YEAR_MAX = 1, 9999

ID_RE = re.compile(r"^[-a-zA-Z0-9_]{1,250}$")
COUNTRY_RE = re.compile(r"^[A-Za-z]{2}$")
DATASET_RE = re.compile(r"^[a-z0-9_]{1,40}$")
CATEGORY_RE = re.compile(r"^[a-z0-9_]{1,60}$")
WORD_RE = re.compile(r"\w+", re.UNICODE)


# --- visibility (the rule itself is in visibility.py) -------------------------------------------

def valid_id(value: str) -> bool:
    return bool(ID_RE.match(value or ""))


def get_entity(entity_id: str, drafts: bool) -> Entity | None:
    if not valid_id(entity_id):
        return None
    return entities(drafts).select_related("jurisdiction", "parent").prefetch_related("sources", "redirects") \
        .filter(pk=entity_id).first()


def get_tie(tie_id: str, drafts: bool) -> TieView | None:
    if not valid_id(tie_id):
        return None
    found = tie_views(ties_with_links(ties(drafts)).filter(pk=tie_id), drafts)
    return found[0] if found else None


def get_source(source_id: str, drafts: bool) -> Source | None:
    if not valid_id(source_id):
        return None
    return sources(drafts).filter(pk=source_id).first()


def jurisdiction_id(value: str) -> str:
    """`country:us/state:nc` or `ocd-division/country:us/state:nc` -> the full OCD id."""
    value = (value or "").strip().strip("/").replace("\x00", "")
    return value if value.startswith("ocd-division/") else f"ocd-division/{value}"


def get_jurisdiction(value: str, drafts: bool) -> Jurisdiction | None:
    return jurisdictions(drafts).select_related("parent").filter(pk=jurisdiction_id(value)).first()


# --- filters ----------------------------------------------------------------------------------

# Each order is one an index serves on PostgreSQL, so a page of a million ties reads ~page-size rows:
# "-year" the (year_from DESC NULLS LAST, id) index of migration 0003, "year" the year_from index,
# "kind" (published, kind, year_from), "subject" (subject, year_from); id the primary key.
TIE_SORTS: dict[str, list[Any]] = {
    "-year": [F("year_from").desc(nulls_last=True), "id"],
    "year": [F("year_from").asc(nulls_last=True), "id"],
    "kind": ["kind", F("year_from").asc(nulls_last=True), "id"],
    "subject": ["subject_id", F("year_from").asc(nulls_last=True), "id"],
    "id": ["id"],
}
TIE_SORT_LABELS = {"-year": "newest first", "year": "oldest first", "kind": "kind, then oldest first",
                   "subject": "subject id, then oldest first", "id": "id"}
# The same orders for a few ties of one entity, written so that no index can serve them: the planner
# then finds the entity's ties through its own index and sorts them, instead of walking the whole
# year index looking for them (which takes seconds on a million ties when the entity has none).
SMALL_SET_SORTS: dict[str, list[Any]] = {
    "-year": [Coalesce("year_from", Value(0)).desc(), "id"],
    "year": [Coalesce("year_from", Value(100_000)).asc(), "id"],
}
ENTITY_SORTS: dict[str, list[str]] = {"name": ["name", "id"], "-name": ["-name", "id"], "id": ["id"],
                                      "kind": ["kind", "name", "id"], "country": ["country", "name", "id"]}


@dataclass
class TieFilters:
    """Filters of the tie list; the page's form and the API's query schema both produce one."""

    kind: str = ""
    country: str = ""
    year_from: int | None = None
    year_to: int | None = None
    program: str = ""
    status: str = ""
    subject: str = ""
    counterpart: str = ""
    entity: str = ""
    dataset: str = ""  # a dataset's name, or CURATED for the ties entered by hand
    category: str = ""  # an equipment category (LESO ties' `categories` attribute)
    sort: str = "-year"

    @classmethod
    def from_mapping(cls, data: dict[str, Any]) -> TieFilters:
        names = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in names and v not in (None, "")}
        return cls(**values)

    def check(self) -> TieFilters:
        """Validate (the API's schema and the page's form do this too; this is the one authority)."""
        problems: list[Problem] = []
        if self.kind and self.kind not in TIE_KINDS:
            problems.append(Problem(f"unknown kind {self.kind!r}", field="kind"))
        if self.status and self.status not in TIE_STATUSES:
            problems.append(Problem(f"unknown status {self.status!r}", field="status"))
        if self.country and not COUNTRY_RE.match(self.country):
            problems.append(Problem("a two-letter ISO 3166-1 country code is expected", field="country"))
        for name in ("program", "subject", "counterpart", "entity"):
            value = getattr(self, name)
            if value and not valid_id(value):
                problems.append(Problem("not a valid entity id", field=name))
        for name in ("year_from", "year_to"):
            value = getattr(self, name)
            if value is not None and not YEAR_MIN <= value <= YEAR_MAX:
                problems.append(Problem(f"a year between {YEAR_MIN} and {YEAR_MAX} is expected", field=name))
        if self.year_from is not None and self.year_to is not None and self.year_from > self.year_to:
            problems.append(Problem("must not be after year_to", field="year_from"))
        if self.sort not in TIE_SORTS:
            problems.append(Problem(f"sort must be one of {', '.join(TIE_SORTS)}", field="sort"))
        if self.dataset and not DATASET_RE.match(self.dataset):
            problems.append(Problem("a dataset name (lower-case letters, digits, _) is expected", field="dataset"))
        if self.category and not CATEGORY_RE.match(self.category):
            problems.append(Problem("a category (lower-case letters, digits, _) is expected", field="category"))
        if problems:
            raise ValidationFailed("The filters are invalid.", problems)
        return self

    def active(self) -> bool:
        return any(getattr(self, f.name) not in (None, "") for f in fields(self) if f.name != "sort")


def list_ties(f: TieFilters, drafts: bool) -> QuerySet[Tie]:
    """The ties a reader may see that match `f`. Naming a hidden entity finds nothing (so a filter
    cannot tell that a draft exists, or list the published ties naming it)."""
    named = [getattr(f, name) for name in ("program", "subject", "counterpart", "entity") if getattr(f, name)]
    if named and not drafts and entities(drafts).filter(pk__in=named).count() < len(set(named)):
        return ties(drafts).none()
    return filter_ties(ties(drafts), f)


def filter_ties(qs: QuerySet[Tie], f: TieFilters) -> QuerySet[Tie]:
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.country:
        c = f.country.upper()
        qs = qs.filter(Q(counterpart_countries=c) | Q(counterpart_countries__startswith=f"{c},")
                       | Q(counterpart_countries__endswith=f",{c}") | Q(counterpart_countries__contains=f",{c},"))
    # A tie overlaps the range [year_from, year_to] when it starts before its end and ends after its start.
    if f.year_from is not None:
        qs = qs.filter(year_to__gte=f.year_from)
    if f.year_to is not None:
        qs = qs.filter(year_from__lte=f.year_to)
    if f.program:
        qs = qs.filter(program_id=f.program)
    if f.dataset:
        qs = qs.filter(dataset="" if f.dataset == CURATED else f.dataset)
    if f.category:
        qs = in_category(qs, f.category)
    if f.subject:
        qs = qs.filter(subject_id=f.subject)
    if f.counterpart:
        qs = qs.filter(pk__in=TieCounterpart.objects.filter(entity_id=f.counterpart).values("tie_id"))
    if f.entity:
        # A UNION of the three roles' ids, each read through its own index: an OR of the three made
        # PostgreSQL scan every tie (a foreign force at a million ties: ~110 ms, plus as much to count).
        qs = qs.filter(pk__in=Tie.objects.filter(subject_id=f.entity).order_by().values("id").union(
            Tie.objects.filter(program_id=f.entity).order_by().values("id"),
            TieCounterpart.objects.filter(entity_id=f.entity).order_by().values("tie_id"), all=True))
    sort = f.sort if f.sort in TIE_SORTS else "-year"
    if (f.subject or f.program or f.counterpart or f.entity) and sort in SMALL_SET_SORTS:
        return qs.order_by(*SMALL_SET_SORTS[sort])
    return qs.order_by(*TIE_SORTS[sort])


def in_category(qs: QuerySet[Tie], category: str) -> QuerySet[Tie]:
    """Ties whose `categories` attribute lists `category`: JSON containment on PostgreSQL, json_each
    on SQLite (the value is a parameter either way)."""
    if connection.vendor == "postgresql":
        return qs.filter(attributes__categories__contains=[category])
    return qs.alias(in_category=RawSQL(
        "EXISTS (SELECT 1 FROM json_each(registry_tie.attributes, '$.categories') WHERE json_each.value = %s)",
        [category], output_field=BooleanField())).filter(in_category=True)


@dataclass
class EntityFilters:
    q: str = ""
    kind: str = ""
    country: str = ""
    jurisdiction: str = ""
    sort: str = "name"

    @classmethod
    def from_mapping(cls, data: dict[str, Any]) -> EntityFilters:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names and v not in (None, "")})

    def check(self) -> EntityFilters:
        problems: list[Problem] = []
        if self.kind and self.kind not in ENTITY_KINDS:
            problems.append(Problem(f"unknown kind {self.kind!r}", field="kind"))
        if self.country and not COUNTRY_RE.match(self.country):
            problems.append(Problem("a two-letter ISO 3166-1 country code is expected", field="country"))
        if "\x00" in self.q or "\x00" in self.jurisdiction:
            problems.append(Problem("null characters are not allowed", field="q"))
        if self.sort not in ENTITY_SORTS:
            problems.append(Problem(f"sort must be one of {', '.join(ENTITY_SORTS)}", field="sort"))
        if problems:
            raise ValidationFailed("The filters are invalid.", problems)
        return self


def filter_entities(qs: QuerySet[Entity], f: EntityFilters) -> QuerySet[Entity]:
    if f.q:
        qs = search_entities(qs, f.q)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.country:
        qs = qs.filter(country=f.country.upper())
    if f.jurisdiction:
        jid = jurisdiction_id(f.jurisdiction)
        qs = qs.filter(Q(jurisdiction_id=jid) | Q(jurisdiction__id__startswith=f"{jid}/"))
    return qs.select_related("jurisdiction").order_by(*ENTITY_SORTS.get(f.sort, ENTITY_SORTS["name"]))


# --- search -----------------------------------------------------------------------------------

def search_words(q: str) -> list[str]:
    return [w.lower() for w in WORD_RE.findall(q or "")][:10]


def search_entities(qs: QuerySet[Entity], q: str) -> QuerySet[Entity]:
    """Entities whose name or an alias contains every word of `q` (as a word prefix on PostgreSQL,
    which uses full-text search over `search_text` with the GIN index of migration 0003)."""
    words = search_words(q)
    if not words:
        return qs.none()
    if connection.vendor == "postgresql":
        tsquery = " & ".join(f"{word}:*" for word in words)
        return qs.extra(  # fixed SQL; the words are a parameter
            where=["to_tsvector('simple', registry_entity.search_text) @@ to_tsquery('simple', %s)"],
            params=[tsquery],
        )
    for word in words:
        qs = qs.filter(search_text__icontains=word)
    return qs


# --- pagination -------------------------------------------------------------------------------

def page_size() -> int:
    return max(1, int(getattr(settings, "TIEWATCH_PAGE_SIZE", 50)))


def capped_count(qs: QuerySet[Any], cap: int | None = None) -> tuple[int, bool]:
    """(count, capped): counts at most `cap` + 1 rows, so a huge table is never counted in full."""
    cap = COUNT_CAP if cap is None else cap
    n = qs.order_by()[: cap + 1].count()
    return (cap, True) if n > cap else (n, False)


@dataclass
class Page:
    items: list[Any]
    number: int
    size: int
    count: int
    count_capped: bool
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def start(self) -> int:
        return (self.number - 1) * self.size + 1 if self.items else 0

    @property
    def end(self) -> int:
        return (self.number - 1) * self.size + len(self.items)


def paginate(qs: QuerySet[Any], number: int, size: int | None = None) -> Page:
    size = size or page_size()
    number = max(1, min(int(number or 1), MAX_PAGE))
    offset = (number - 1) * size
    rows = list(qs[offset: offset + size + 1])
    has_next = len(rows) > size
    items = rows[:size]
    if not has_next and (items or number == 1):
        count, capped = offset + len(items), False
    else:
        count, capped = capped_count(qs)
    return Page(items=items, number=number, size=size, count=count, count_capped=capped, has_next=has_next)


ENTITY_ROLES = {"subject": "As subject", "counterpart": "As counterpart", "program": "As program"}


def entity_role_ties(entity: Entity, drafts: bool) -> dict[str, QuerySet[Tie]]:
    """An entity's visible ties in each role; each role's key is also the tie list's filter for it."""
    base = ties(drafts)
    return {
        "subject": ties_of_subject(entity, drafts),
        "counterpart": base.filter(pk__in=TieCounterpart.objects.filter(entity_id=entity.pk).values("tie_id")),
        "program": base.filter(program_id=entity.pk),
    }


def kind_year_counts(qs: QuerySet[Tie]) -> dict[str, Any]:
    """All of `qs` counted by kind and first year, in SQL (one GROUP BY, read through the role's index):
    {total, kinds: [{kind, label, total}] (most ties first), rows: [{year, total, cells: [n per kind]}]
    (newest first, undated (year None) last)}."""
    return kind_year_table(qs.order_by().values_list("kind", "year_from").annotate(n=Count("id")))


def kind_year_table(triples: Iterable[tuple[str, int | None, int]]) -> dict[str, Any]:
    """kind_year_counts' table of (kind, first year, count) triples."""
    counts: dict[Any, dict[str, int]] = {}
    for kind, year, n in triples:
        counts.setdefault(year, {})[kind] = counts.get(year, {}).get(kind, 0) + n
    totals: dict[str, int] = {}
    for by_kind in counts.values():
        for kind, n in by_kind.items():
            totals[kind] = totals.get(kind, 0) + n
    kinds = sorted(totals, key=lambda k: (-totals[k], k))
    rows = [{"year": year, "total": sum(counts[year].values()), "cells": [counts[year].get(k, 0) for k in kinds]}
            for year in sorted(counts, key=lambda y: (y is None, -(y or 0)))]
    return {"total": sum(totals.values()), "rows": rows,
            "kinds": [{"kind": k, "label": k.replace("_", " "), "total": totals[k]} for k in kinds]}


# A role of many thousand ties (the Defense Logistics Agency is the counterpart of every LESO row)
# takes the database most of a second to count by kind and year; such counts are kept in Django's
# cache, tagged with the newest audit record. Every change to a tie or an entity (edit, import,
# merge, publication) writes an audit record, so a newer one means the counts are read again.
CACHED_COUNTS_FROM = 5000


def audit_version() -> tuple[int, str] | None:
    """The newest audit record's (id, time): the version of the registry's content."""
    newest = ChangeRecord.objects.order_by("-id").values_list("id", "at").first()
    return None if newest is None else (newest[0], newest[1].isoformat())


def role_counts(entity: Entity, role: str, qs: QuerySet[Tie], drafts: bool,
                version: tuple[Any, ...] | None, large: bool = False) -> dict[str, Any]:
    """kind_year_counts(qs), from the cache when a large role's counts were made at this version.
    `large`: the role is large though `qs` is not (its dataset ties are summarised apart, and finding
    its few hand-entered ones among them is what takes the time)."""
    key = f"tiewatch:role-counts:{int(drafts)}:{role}:{entity.pk}"
    if version is not None:
        held = cache.get(key)
        if held is not None and held[0] == version:
            return held[1]  # type: ignore[no-any-return]
    counts = kind_year_counts(qs)
    if version is not None and (large or counts["total"] >= CACHED_COUNTS_FROM):
        cache.set(key, (version, counts), None)
    return counts


def dataset_summaries(entity: Entity, role: str, qs: QuerySet[Tie], drafts: bool,
                      version: tuple[Any, ...] | None) -> tuple[list[dict[str, Any]], QuerySet[Tie]]:
    """The summaries of a role's ties from imported datasets (from the cache when large, like
    role_counts: the DLA is the counterpart of 140,500), and the role's remaining hand-entered ties."""
    key = f"tiewatch:dataset-summaries:{int(drafts)}:{role}:{entity.pk}"
    held = cache.get(key) if version is not None else None
    if held is not None and held[0] == version:
        summaries: list[dict[str, Any]] = held[1]
    else:
        datasets = sorted(d for d in qs.order_by().values_list("dataset", flat=True).distinct() if d)
        summaries = [summarise(qs.filter(dataset=name), name, role, drafts) for name in datasets]
        if version is not None and sum(s["total"] for s in summaries) >= CACHED_COUNTS_FROM:
            cache.set(key, (version, summaries), None)
    return summaries, (qs.filter(dataset="") if summaries else qs)


def entity_ties(entity: Entity, drafts: bool, limit: int = ENTITY_TIE_LIMIT) -> dict[str, Any]:
    """An entity's ties in every role: per role, complete counts by kind and year, and the `limit` most
    recent ties with their links (the full lists are on /ties/?subject=, ?counterpart=, ?program=).
    {"roles": [{role, label, counts, shown}], "items": recent tie views, each with its .role, "truncated": bool,
    "datasets": [dataset_summary.summarise(...) per role and dataset]}.
    Ties from an imported dataset (Tie.dataset) are summarised per dataset, not listed: their rows are
    on /ties/?{role}=...&dataset=..."""
    out: dict[str, Any] = {"items": [], "truncated": False, "roles": [], "datasets": []}
    seen: set[str] = set()
    # The entity's own stamp (its ties changed) where the database keeps them; else any change.
    version = tallies.entity_version(entity.pk) or audit_version()
    for role, qs in entity_role_ties(entity, drafts).items():
        summaries, qs = dataset_summaries(entity, role, qs, drafts, version)
        out["datasets"].extend(summaries)
        large = sum(s["total"] for s in summaries) >= CACHED_COUNTS_FROM
        counts = role_counts(entity, role, qs, drafts, version, large)
        if not counts["total"]:
            continue
        # The same order either way; a large role's newest ties are found by walking the year index
        # (4 ms for the DLA's 140,500), a small one's by its own index, then sorted.
        order = TIE_SORTS["-year"] if counts["total"] >= CACHED_COUNTS_FROM else SMALL_SET_SORTS["-year"]
        rows = list(ties_with_links(qs.order_by(*order))[:limit])
        if counts["total"] > len(rows):
            out["truncated"] = True
        out["roles"].append({"role": role, "label": ENTITY_ROLES[role], "counts": counts, "shown": len(rows)})
        for view in tie_views(rows, drafts):
            if view.id in seen:
                continue
            seen.add(view.id)
            out["items"].append(view.with_role(role))
    return out


def country_ties(entity: Entity, drafts: bool) -> dict[str, Any] | None:
    """For a country's national government (a dataset marks it `national_government`), the ties
    entered by hand with that country's agencies as counterparts, counted by kind and year: a state's
    arms ties are shown beside its police's ties. None for any other entity."""
    if not (entity.country and isinstance(entity.extra, dict) and entity.extra.get("national_government") is True):
        return None
    qs = filter_ties(ties(drafts).filter(dataset=""), TieFilters(country=entity.country))
    counts = kind_year_counts(qs)
    return {"country": entity.country, "counts": counts} if counts["total"] else None


def group_by_kind_and_year(items: list[TieView]) -> list[dict[str, Any]]:
    """[{kind, count, years: [{year, ties}]}], kinds by number of ties, years newest first, undated last."""
    kinds: dict[str, dict[Any, list[TieView]]] = {}
    for tie in items:
        kinds.setdefault(tie.kind, {}).setdefault(tie.year_from, []).append(tie)
    groups: list[dict[str, Any]] = []
    for kind, years in kinds.items():
        ordered = sorted(years.items(), key=lambda kv: (kv[0] is None, -(kv[0] or 0)))
        groups.append({"kind": kind, "label": kind.replace("_", " "), "count": sum(len(v) for v in years.values()),
                       "years": [{"year": y, "ties": sorted(v, key=lambda t: t.id)} for y, v in ordered]})
    groups.sort(key=lambda g: (-g["count"], g["kind"]))
    return groups
