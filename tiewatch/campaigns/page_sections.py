"""The campaigns app's sections on other apps' pages (registered in apps.py; see
tiewatch/registry/sections.py): the campaigns and votes about an agency (its ties cited as
evidence, its place targeted, or it runs the coalition) and the letters it sent, about a place, about a tie, and the
campaign that led to a policy. Only what campaigns/visibility.py makes public is shown."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from django.template.loader import render_to_string

from tiewatch.campaigns.models import Campaign, Letter, Vote
from tiewatch.registry import sections

SHOWN = 20


def _render(request: HttpRequest | None, heading: str, campaigns: Any, votes: Any, letters: Any = None,
            votes_of_campaigns_only: bool = False) -> str:
    campaign_rows = list(campaigns.distinct()[:SHOWN])
    # Votes that can only belong to the campaigns found: none to look for when no campaign was found.
    skip_votes = votes_of_campaigns_only and not campaign_rows
    vote_rows = [] if skip_votes else list(votes.distinct().order_by("-date")[:SHOWN])
    letter_rows = list(letters.distinct()[:SHOWN]) if letters is not None else []
    if not campaign_rows and not vote_rows and not letter_rows:
        return ""
    return render_to_string("campaigns/_linked_section.html", {
        "heading": heading, "campaigns": campaign_rows, "votes": vote_rows, "letters": letter_rows},
        request=request)


def _votes_of(campaigns: Any, extra: Q | None = None) -> Any:
    about = Q(campaign__in=campaigns.values("pk"))
    return Vote.objects.public().filter(about | extra if extra is not None else about)


def entity_section(request: HttpRequest | None, entity: Any, drafts: bool) -> str:
    about = Q(evidence__subject_id=entity.pk) | Q(coalition_entity_id=entity.pk)
    if entity.jurisdiction_id:
        about |= Q(jurisdiction=entity.jurisdiction_id)
    campaigns = Campaign.objects.public().filter(about)
    # Letters, memos and demands it sent or endorsed (its organisation record names this entity).
    letters = Letter.objects.public().filter(endorsements__organisation__entity_id=entity.pk).select_related("campaign")
    return _render(request, "Campaigns and votes about it", campaigns, _votes_of(campaigns), letters,
                   votes_of_campaigns_only=True)


def jurisdiction_section(request: HttpRequest | None, place: Any, drafts: bool) -> str:
    campaigns = Campaign.objects.public().filter(jurisdiction=place.pk)
    return _render(request, "Campaigns and votes here", campaigns, _votes_of(campaigns), votes_of_campaigns_only=True)


def tie_section(request: HttpRequest | None, tie: Any, drafts: bool) -> str:
    campaigns = Campaign.objects.public().filter(evidence__pk=tie.id)
    return _render(request, "Campaigns citing this tie", campaigns, Vote.objects.none())


def policy_section(request: HttpRequest | None, instrument: Any, drafts: bool) -> str:
    campaigns = Campaign.objects.public().filter(policy_id=instrument.id)
    return _render(request, "The campaign and votes behind it", campaigns,
                   _votes_of(campaigns, Q(policy_id=instrument.id)))


def register() -> None:
    sections.register("entity", "campaigns", entity_section, order=20)
    sections.register("jurisdiction", "campaigns", jurisdiction_section, order=20)
    sections.register("tie", "campaigns", tie_section, order=20)
    sections.register("policy", "campaigns", policy_section, order=20)
