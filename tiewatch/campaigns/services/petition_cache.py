"""The signing path's short-lived copy of each petition, and the public petition lookup that uses it.

A copy is reused for up to TIEWATCH_CAMPAIGNS_PETITION_CACHE_SECONDS (per process) and dropped as
soon as the petition is saved or deleted in this process. The receivers are connected here, by the
cache's own module, so the models need not know the cache exists (no import cycle).
"""

from __future__ import annotations

import time
from typing import Any

from django.db.models.signals import post_delete, post_save

from tiewatch.campaigns.models import Petition
from tiewatch.campaigns.services.hotpath import hot_settings
from tiewatch.core.errors import NotFound

_petition_cache: dict[str, tuple[float, Petition]] = {}


def get_public_petition(slug: str, cached: bool = False) -> Petition:
    """The petition unless it is a draft. `cached` reuses a copy up to
    TIEWATCH_CAMPAIGNS_PETITION_CACHE_SECONDS old (the signing hot path)."""
    ttl = hot_settings()["petition_ttl"] if cached else 0.0
    now = time.monotonic()
    if ttl > 0:
        hit = _petition_cache.get(slug)
        if hit is not None and hit[0] > now:
            return hit[1]
    try:
        petition = Petition.objects.select_related("campaign").get(slug=slug)
    except Petition.DoesNotExist:
        raise NotFound(f"No petition {slug!r}.") from None
    if not petition.is_public:
        raise NotFound(f"No petition {slug!r}.")
    if ttl > 0:
        if len(_petition_cache) > 1000:
            _petition_cache.clear()
        _petition_cache[slug] = (now + ttl, petition)
    return petition


def _forget_cached_petition(sender: Any, instance: Petition, **kwargs: Any) -> None:
    _petition_cache.pop(instance.slug, None)


post_save.connect(_forget_cached_petition, sender=Petition, dispatch_uid="tiewatch.campaigns.petition_cache.save")
post_delete.connect(_forget_cached_petition, sender=Petition,
                    dispatch_uid="tiewatch.campaigns.petition_cache.delete")
