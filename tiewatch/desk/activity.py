"""What changed about a followed record, as the public may see it: registry changes (ChangeRecord)
of the record and its ties, new screening findings on those ties, and new published records requests.

This is the one source of a follow's Atom feed and of its email digests, so both follow the public
visibility rule (tiewatch/registry/visibility.py): only published records and ties are looked at,
and a change is told by the names of the fields it changed, never their values (a value may name a
draft)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from tiewatch.core.errors import NotFound
from tiewatch.desk.models.follows import FOLLOW_KINDS
from tiewatch.desk.requests_service import visible_requests
from tiewatch.policies.models import Finding
from tiewatch.policies.services import get_instrument
from tiewatch.registry import visibility
from tiewatch.registry.models import ChangeRecord, Entity

FEED_ITEMS = 50


@dataclass(frozen=True, slots=True)
class Target:
    kind: str
    id: str
    title: str
    page: str  # this site's page of the record
    entity_ids: QuerySet[Any] | None  # published entities whose changes and requests count
    tie_ids: QuerySet[Any] | None  # published ties whose changes and findings count
    policy: str = ""


@dataclass(frozen=True, slots=True)
class Item:
    key: str  # unique and stable: the Atom entry id's tail
    at: dt.datetime
    title: str
    summary: str
    link: str
    seq: int  # the row's id: orders items of the same moment


def target(kind: str, target_id: str) -> Target:
    """The public record `kind`/`target_id`, or NotFound (a draft is not found)."""
    if kind not in FOLLOW_KINDS:
        raise NotFound(f"nothing to follow of kind {kind!r}; kinds: {', '.join(FOLLOW_KINDS)}")
    public_ties = visibility.ties(False)
    if kind in ("entity", "program"):
        entity = visibility.entities(False).filter(pk=target_id).first()
        if entity is None or (kind == "program") != (entity.kind == "program"):
            raise NotFound(f"no public {kind} {target_id!r}")
        ties = public_ties.filter(Q(subject_id=entity.pk) | Q(program_id=entity.pk)
                                  | Q(counterpart_links__entity_id=entity.pk))
        return Target(kind, entity.pk, entity.name, f"/entities/{entity.pk}/",
                      Entity.objects.filter(pk=entity.pk).values("pk"), ties.values("id"))
    if kind == "place":
        place = visibility.jurisdictions(False).filter(pk="ocd-division/" + target_id).first()
        if place is None:
            raise NotFound(f"no public place {target_id!r}")
        placed = visibility.entities(False).filter(Q(jurisdiction_id=place.pk)
                                                   | Q(jurisdiction__id__startswith=place.pk + "/"))
        return Target(kind, target_id, place.name, f"/jurisdictions/{target_id}/", placed.values("pk"),
                      public_ties.filter(subject_id__in=placed.values("pk")).values("id"))
    if kind == "policy":
        instrument = get_instrument(target_id)
        return Target(kind, instrument.id, instrument.title, f"/policies/{instrument.id}/", None,
                      public_ties.values("id"), policy=instrument.id)
    ties = public_ties.filter(dataset=target_id)
    if not target_id or not ties.exists():
        raise NotFound(f"no public dataset {target_id!r}")
    # The registry has no page of its own per dataset: the follow page (recent items, feed) stands for it.
    return Target(kind, target_id, f"dataset {target_id}", f"/follow/dataset/{target_id}/", None, ties.values("id"))


Window = tuple[dt.datetime | None, dt.datetime | None]  # (after, up to and including); None: open


def items(of: Target, since: dt.datetime | None = None, until: dt.datetime | None = None,
          limit: int = FEED_ITEMS) -> list[Item]:
    """The newest `limit` public changes of `of` after `since` and up to `until`, newest first (a
    digest covers up to its own time, so the next one starts exactly where it ended)."""
    window = (since, until)
    found = [*_changes(of, window, limit), *_findings(of, window, limit), *_requests(of, window, limit)]
    found.sort(key=lambda item: (item.at, item.seq), reverse=True)
    return found[:limit]


def _within(qs: QuerySet[Any], field: str, window: Window) -> QuerySet[Any]:
    since, until = window
    if since is not None:
        qs = qs.filter(**{f"{field}__gt": since})
    if until is not None:
        qs = qs.filter(**{f"{field}__lte": until})
    return qs


def _changes(of: Target, window: Window, limit: int) -> list[Item]:
    if of.kind == "policy":
        return []  # law packs are YAML files, reviewed like code: their changes are not in the audit trail
    scope = Q(model="tie", object_id__in=of.tie_ids) if of.tie_ids is not None else Q(pk__in=[])
    if of.entity_ids is not None:
        scope |= Q(model="entity", object_id__in=of.entity_ids)
    qs = _within(ChangeRecord.objects.filter(scope), "at", window)
    out = []
    for change in qs.order_by("-at", "-id")[:limit]:
        fields = ", ".join(name for name, _, _ in change.changed_fields()) or "no fields"
        page = f"/ties/{change.object_id}/" if change.model == "tie" else f"/entities/{change.object_id}/"
        out.append(Item(f"change-{change.pk}", change.at, f"{change.model} {change.object_id}: {change.action}",
                        f"Changed: {fields}.", page, change.pk))
    return out


def _findings(of: Target, window: Window, limit: int) -> list[Item]:
    qs = Finding.objects.filter(tie_id__in=of.tie_ids) if of.tie_ids is not None else Finding.objects.none()
    if of.policy:
        qs = qs.filter(policy_id=of.policy)
    qs = _within(qs, "appeared_at", window)
    return [Item(f"finding-{f.pk}", f.appeared_at, f"New finding: {f.policy_id} {f.rule_id} ({f.effect}) on {f.tie_id}",
                 f"Screening found that {f.policy_id} rule {f.rule_id} applies to tie {f.tie_id}: {f.effect}.",
                 f"/ties/{f.tie_id}/", f.pk)
            for f in qs.order_by("-appeared_at", "-id")[:limit]]


def _requests(of: Target, window: Window, limit: int) -> list[Item]:
    if of.entity_ids is None:
        return []
    qs = _within(visible_requests(False).filter(agency_id__in=of.entity_ids), "created_at", window)
    return [Item(f"request-{r.pk}", r.created_at, f"Records request to {r.agency.name}: {r.title}",
                 f"Sent {r.sent_on.isoformat()} under {r.law}; status {r.status.replace('_', ' ')}.",
                 f"/requests/{r.pk}/", r.pk)
            for r in qs.order_by("-created_at", "-id")[:limit]]
