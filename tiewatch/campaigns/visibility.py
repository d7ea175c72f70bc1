"""Who may see what in the campaigns app: the one rule, used by every page, API path, list and timeline.

A campaign is public when published. Its children (petitions, hearings, votes, letters) are public
only while their campaign is (a child recorded without a campaign stands on its own); a petition also
stops being public as a draft. Staff pages (moderation, exports) and the admin do not use it: they
show everything to those with the permission. `Petition.is_public` applies the same rule to one
loaded petition.
"""

from __future__ import annotations

from typing import Self, TypeVar

from django.db import models

# Generic over the model, so this module need not import models.py (which imports it).
_M = TypeVar("_M", bound=models.Model)
PETITION_DRAFT = "draft"
_IN_PUBLIC_CAMPAIGN = models.Q(campaign__isnull=True) | models.Q(campaign__published=True)


class CampaignQuerySet(models.QuerySet[_M]):
    def public(self) -> Self:
        return self.filter(published=True)


class PetitionQuerySet(models.QuerySet[_M]):
    def public(self) -> Self:
        return self.filter(campaign__published=True).exclude(status=PETITION_DRAFT)


class HearingQuerySet(models.QuerySet[_M]):
    def public(self) -> Self:
        return self.filter(_IN_PUBLIC_CAMPAIGN)


class VoteQuerySet(models.QuerySet[_M]):
    def public(self) -> Self:
        # A vote taken at a hearing is public only where that hearing is.
        return self.filter(_IN_PUBLIC_CAMPAIGN).filter(
            models.Q(hearing__isnull=True) | models.Q(hearing__campaign__isnull=True)
            | models.Q(hearing__campaign__published=True))


class LetterQuerySet(models.QuerySet[_M]):
    def public(self) -> Self:
        return self.filter(_IN_PUBLIC_CAMPAIGN)


def public_evidence(campaign: models.Model) -> models.QuerySet:
    """The registry ties a campaign cites that the public may see, by the registry's own rule (a draft
    tie, or a tie whose subject is a draft, stays out of the campaign's pages and API too)."""
    from tiewatch.registry import visibility as registry_visibility

    cited = campaign.evidence.values("pk")  # type: ignore[attr-defined]
    return registry_visibility.ties(False).filter(pk__in=cited)
