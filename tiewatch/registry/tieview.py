"""One typed view of a tie, as a reader may see it: what pages, the API, exports and the audit trail
serialise (each in its own way, from this one view). It is built with the visibility rule applied
(visibility.py): a tie a reader may not see is never built, and the parties and sources hidden from
the reader are not in it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from django.db.models import Prefetch, QuerySet

from tiewatch.core.partial_dates import PartialDate
from tiewatch.registry.models import Entity, Source, Tie, TieCounterpart
from tiewatch.registry.visibility import ENTITY_REF_ATTRIBUTES, Visible


@dataclass(frozen=True, slots=True)
class EntityRef:
    """A party of a tie: enough to name and link it."""

    id: str
    name: str
    kind: str
    published: bool

    @classmethod
    def of(cls, entity: Entity) -> EntityRef:
        return cls(id=entity.pk, name=entity.name, kind=entity.kind, published=entity.published)


@dataclass(frozen=True, slots=True)
class TieView:
    id: str
    subject: EntityRef
    counterparts: tuple[EntityRef, ...]
    program: EntityRef | None
    kind: str
    status: str
    start: PartialDate | None
    end: PartialDate | None
    years: tuple[int, ...]
    year_from: int | None
    year_to: int | None
    note: str
    uncertain: bool
    attributes: dict[str, Any]
    published: bool
    sources: tuple[Source, ...]
    # The role of the entity whose page lists this tie: "subject", "counterpart" or "program".
    role: str = ""

    @property
    def kind_label(self) -> str:
        return self.kind.replace("_", " ")

    @property
    def when(self) -> str:
        """Human date: '2009, 2010, 2014', '2018-12-02 – 2018-12-11', '2018', 'undated'."""
        if len(self.years) > 1:
            return ", ".join(str(y) for y in self.years)
        if self.start is None:
            return "undated"
        if self.end is None or str(self.end) == str(self.start):
            return str(self.start)
        return f"{self.start} – {self.end}"

    def with_role(self, role: str) -> TieView:
        return replace(self, role=role)


def ties_with_links(qs: QuerySet[Tie]) -> QuerySet[Tie]:
    """Ties with what a view of them needs, in three queries for any number of ties."""
    return qs.select_related("subject", "program").prefetch_related(
        Prefetch("counterpart_links", queryset=TieCounterpart.objects.select_related("entity").order_by("position")),
        "sources",
    )


def tie_view(tie: Tie, visible: Visible) -> TieView | None:
    """The view of a tie loaded by `ties_with_links`; None when `visible` hides its subject."""
    if visible.entity(tie.subject_id) is None:
        return None
    return _build(tie, visible)


def complete_view(tie: Tie) -> TieView:
    """The view of a tie with every party and source, drafts included (the audit trail's)."""
    return _build(tie, Visible())


def _build(tie: Tie, visible: Visible) -> TieView:
    program = tie.program if tie.program is not None and visible.entity(tie.program_id) else None
    return TieView(
        id=tie.pk, subject=EntityRef.of(tie.subject),
        counterparts=tuple(EntityRef.of(link.entity) for link in tie.counterpart_links.all()
                           if visible.entity(link.entity_id)),
        program=EntityRef.of(program) if program is not None else None,
        kind=tie.kind, status=tie.status, start=tie.start, end=tie.end, years=tuple(tie.years or ()),
        year_from=tie.year_from, year_to=tie.year_to, note=tie.note, uncertain=tie.uncertain,
        attributes=visible.facts(tie.attributes, ENTITY_REF_ATTRIBUTES), published=tie.published,
        sources=tuple(s for s in tie.sources.all() if visible.source(s.pk)),
    )


def tie_views(items: Iterable[Tie], drafts: bool) -> list[TieView]:
    """Views of ties loaded by `ties_with_links`, as the public (drafts=False) or staff see them."""
    rows = list(items)
    visible = Visible.for_ties(rows, drafts)
    return [view for view in (tie_view(t, visible) for t in rows) if view is not None]
