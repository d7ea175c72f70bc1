"""A campaign's whole story as one dated list: events, petitions, letters, hearings, votes, policy."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from tiewatch.campaigns.models import Campaign, CampaignEvent
from tiewatch.core.urls import is_http_url, safe_sources, site_href


@dataclass(slots=True)
class Item:
    date: dt.date
    when: str
    kind: str
    title: str
    text: str = ""
    url: str = ""
    uncertain: bool = False
    sources: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"date": self.when, "kind": self.kind, "title": self.title, "text": self.text,
                "url": site_href(self.url), "uncertain": self.uncertain, "sources": safe_sources(self.sources)}


def campaign_timeline(campaign: Campaign) -> list[Item]:
    items: list[Item] = []
    described: set[tuple[dt.date, str]] = set()
    for event in campaign.events.all():
        items.append(Item(event.date, event.when, event.kind, event.get_kind_display(), event.text,
                          url=event.link, uncertain=event.uncertain, sources=event.sources))
        if event.link:
            described.add((event.date, event.link))
    structured: list[Item] = []
    for petition in campaign.petitions.public():
        if petition.opens_at:
            d = petition.opens_at.date()
            structured.append(Item(d, d.isoformat(), "petition", f"Petition opened: {petition.title}",
                              url=f"/petitions/{petition.slug}/", sources=petition.sources))
        for batch in petition.offline_batches.all():
            if batch.collected_on:
                structured.append(Item(batch.collected_on, batch.collected_on.isoformat(), "petition",
                                  f"{batch.count:,} signatures recorded ({petition.title})", batch.note,
                                  url=f"/petitions/{petition.slug}/", sources=[{"url": batch.source}]
                                  if is_http_url(batch.source) else []))
        if petition.delivered_on:
            structured.append(Item(petition.delivered_on, petition.delivered_on.isoformat(), "petition",
                              f"Petition delivered to {petition.target}", url=f"/petitions/{petition.slug}/"))
    for letter in campaign.letters.public():
        if letter.date:
            structured.append(Item(letter.date, letter.when, "letter", letter.title, letter.summary,
                              url=f"/letters/{letter.slug}/", uncertain=letter.uncertain, sources=letter.sources))
    for hearing in campaign.hearings.public():
        structured.append(Item(hearing.date, hearing.date.isoformat(), "hearing", f"Hearing: {hearing.body}",
                          hearing.note, url=f"/hearings/{hearing.slug}/", sources=hearing.sources))
    for vote in campaign.votes.public():
        tally = vote.tally()
        text = f"{vote.motion} — {vote.get_outcome_display().lower()} {tally['yes']}-{tally['no']}"
        structured.append(Item(vote.date, vote.date.isoformat(), "vote", f"Vote: {vote.body}", text,
                          url=f"/votes/{vote.slug}/", sources=vote.sources))
        if vote.policy_id and vote.outcome == "passed" and vote.effect != "none":
            structured.append(Item(vote.date, vote.date.isoformat(), "policy",
                              f"Policy {vote.get_effect_display().lower()}: {vote.policy_id}",
                              url=f"/policies/{vote.policy_id}/"))
    # An event that already tells a record's story (same date, same page) replaces its generic line.
    items += [i for i in structured if (i.date, i.url) not in described]
    order = {"campaign": 0, "petition": 1, "letter": 2, "opposition": 3, "hearing": 4, "vote": 5, "policy": 6}
    items.sort(key=lambda i: (i.date, order.get(i.kind, 7)))
    return items


__all__ = ["CampaignEvent", "Item", "campaign_timeline"]
