"""Who may see what in the campaigns app: the one rule, used by every page, API path, list and timeline.

A campaign is public when published. Its children (petitions, hearings, votes, letters) are public
only while their campaign is (a child recorded without a campaign stands on its own); a petition also
stops being public as a draft. Staff pages (moderation, exports) and the admin do not use it: they
show everything to those with the permission. `Petition.is_public` applies the same rule to one
loaded petition.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models

if TYPE_CHECKING:
    # Named in the query sets' type arguments (strings: models.py imports this module).
    from tiewatch.campaigns.models import Campaign, Hearing, Letter, Petition, Vote  # noqa: F401

PETITION_DRAFT = "draft"
_IN_PUBLIC_CAMPAIGN = models.Q(campaign__isnull=True) | models.Q(campaign__published=True)


class CampaignQuerySet(models.QuerySet["Campaign"]):
    def public(self) -> CampaignQuerySet:
        return self.filter(published=True)


class PetitionQuerySet(models.QuerySet["Petition"]):
    def public(self) -> PetitionQuerySet:
        return self.filter(campaign__published=True).exclude(status=PETITION_DRAFT)


class HearingQuerySet(models.QuerySet["Hearing"]):
    def public(self) -> HearingQuerySet:
        return self.filter(_IN_PUBLIC_CAMPAIGN)


class VoteQuerySet(models.QuerySet["Vote"]):
    def public(self) -> VoteQuerySet:
        # A vote taken at a hearing is public only where that hearing is.
        return self.filter(_IN_PUBLIC_CAMPAIGN).filter(
            models.Q(hearing__isnull=True) | models.Q(hearing__campaign__isnull=True)
            | models.Q(hearing__campaign__published=True))


class LetterQuerySet(models.QuerySet["Letter"]):
    def public(self) -> LetterQuerySet:
        return self.filter(_IN_PUBLIC_CAMPAIGN)
