"""Load campaign data (the Durham story and the `example` petition) from YAML, idempotently:
records are matched by slug (events by campaign, date and text), so loading twice changes nothing,
and a record edited since a load wrote it (in the admin, say) is kept and reported (`load_stamps`).

The file is read by the core input layer and checked against the pydantic models of
`data_schema` (every problem names file, line and field); then everything is written in one
transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from pydantic import ValidationError

from tiewatch.campaigns import data_schema as d
from tiewatch.campaigns.load_stamps import Stamper
from tiewatch.campaigns.models import (
    Campaign,
    CampaignEvent,
    CampaignMembership,
    Endorsement,
    Hearing,
    Letter,
    LetterSignatory,
    OfflineSignatureBatch,
    Organisation,
    Petition,
    RollCallEntry,
    Testimony,
    Vote,
)
from tiewatch.core.errors import Problem, ValidationFailed
from tiewatch.core.inputs import line_of, load_yaml, read_text
from tiewatch.core.partial_dates import parse_partial_date

DEMO_FILE = Path(__file__).resolve().parent / "demo" / "durham.yaml"
MAX_BYTES = 10_000_000  # a campaign file is hand-written; anything near this is a mistake


def _date(value: str | None) -> tuple[dt.date | None, str]:
    """A partial date the models already validated: its first day and precision."""
    if value is None:
        return None, "day"
    partial = parse_partial_date(value)
    return partial.first_day, partial.precision


def _day(value: str) -> dt.date:
    day, _ = _date(value)
    assert day is not None
    return day


def read(path: Path) -> d.CampaignFile:
    """The campaign file, validated; ValidationFailed lists every problem with file, line and field."""
    file = str(path)
    data = load_yaml(read_text(path, MAX_BYTES), file)
    if data is None or not isinstance(data, dict):
        raise ValidationFailed(f"{file}: invalid campaign data", [
            Problem("expected a mapping with `organisations` and `campaigns`", file=file, line=line_of(data) or 1)])
    try:
        parsed = d.CampaignFile.model_validate(data)
    except ValidationError as error:
        raise ValidationFailed(f"{file}: invalid campaign data", d.problems(error, data, file)) from None
    problems = _references(parsed, data, file)
    if problems:
        raise ValidationFailed(f"{file}: invalid campaign data", problems)
    return parsed


def _references(parsed: d.CampaignFile, data: Any, file: str) -> list[Problem]:
    """Slugs that must name something defined in the same file."""
    orgs = {o.slug for o in parsed.organisations}
    found: list[tuple[tuple[int | str, ...], str]] = []
    for i, c in enumerate(parsed.campaigns):
        base: tuple[int | str, ...] = ("campaigns", i)
        found += [((*base, "members", j, "organisation"), f"unknown organisation {m.organisation!r}")
                  for j, m in enumerate(c.members) if m.organisation not in orgs]
        found += [((*base, "letters", j, "endorsements", k), f"unknown organisation {slug!r}")
                  for j, letter in enumerate(c.letters) for k, slug in enumerate(letter.endorsements)
                  if slug not in orgs]
        hearings = {h.slug for h in c.hearings}
        found += [((*base, "votes", j, "hearing"), f"unknown hearing {v.hearing!r} (not in this campaign)")
                  for j, v in enumerate(c.votes) if v.hearing is not None and v.hearing not in hearings]
    return [Problem(message, field=d.field_path(loc), file=file, line=d.locate(data, loc)) for loc, message in found]


@dataclass
class Loaded:
    """What a load did: counts per kind, and the records kept because they were edited since a load."""

    stats: dict[str, int]
    kept: list[str] = field(default_factory=list)


def load(path: Path = DEMO_FILE) -> Loaded:
    """Write the file's records in one transaction; a record edited since a load wrote it is kept
    (see `load_stamps`)."""
    parsed = read(Path(path))
    stats = {"campaigns": 0, "petitions": 0, "events": 0, "letters": 0, "hearings": 0, "votes": 0,
             "missing_ties": 0}
    stamps = Stamper()
    with transaction.atomic():
        orgs = {}
        for o in parsed.organisations:
            orgs[o.slug], _ = stamps.put(Organisation, {"slug": o.slug}, {
                "name": o.name, "url": o.url or "", "entity_id": o.entity_id})
        for c in parsed.campaigns:
            _load_campaign(c, orgs, stats, stamps)
    return Loaded(stats, stamps.kept)


def _load_campaign(c: d.CampaignData, orgs: dict[str, Organisation], stats: dict[str, int],
                   stamps: Stamper) -> None:
    campaign, written = stamps.put(Campaign, {"slug": c.slug}, {
        "name": c.name, "coalition": c.coalition, "coalition_entity_id": c.coalition_entity_id,
        "target_body": c.target_body, "jurisdiction": c.jurisdiction, "summary": c.summary,
        "policy_id": c.policy_id, "sources": d.sources_json(c.sources), "published": c.published},
        also=("evidence",))
    stats["campaigns"] += 1
    stats["missing_ties"] += _link_evidence(campaign, c.evidence, stamps if written else None)
    for m in c.members:
        stamps.put(CampaignMembership, {"campaign": campaign, "organisation": orgs[m.organisation]},
                {"role": m.role, "uncertain": m.uncertain})
    for p in c.petitions:
        _load_petition(p, campaign, stamps)
        stats["petitions"] += 1
    for letter in c.letters:
        _load_letter(letter, campaign, orgs, stamps)
        stats["letters"] += 1
    hearings = {h.slug: _load_hearing(h, campaign, stamps) for h in c.hearings}
    stats["hearings"] += len(hearings)
    for v in c.votes:
        _load_vote(v, campaign, hearings, stamps)
        stats["votes"] += 1
    for e in c.events:
        _, precision = _date(e.date)
        key = {"campaign": campaign, "date": _day(e.date), "text": " ".join(e.text.split())}
        stamps.put(CampaignEvent, key, {
            "precision": precision, "kind": e.kind, "link": e.link or "", "uncertain": e.uncertain,
            "sources": d.sources_json(e.sources)})
        stats["events"] += 1


def _link_evidence(campaign: Campaign, ids: list[str], stamps: Stamper | None) -> int:
    """Link the evidence ties the registry has (only to a campaign this load wrote, so that links
    removed in the admin stay removed); the number of ties not in the registry yet."""
    from tiewatch.registry.models import Tie

    found = list(Tie.objects.filter(id__in=ids))
    if found and stamps is not None:
        campaign.evidence.add(*found)
        stamps.restamp(campaign)
    return len(ids) - len(found)


def _load_petition(p: d.PetitionData, campaign: Campaign, stamps: Stamper) -> None:
    delivered, _ = _date(p.delivered_on)
    existed = Petition.objects.filter(slug=p.slug).exists()
    petition, written = stamps.put(Petition, {"slug": p.slug}, {
        "campaign": campaign, "title": p.title, "text": p.text, "target": p.target,
        "jurisdiction": p.jurisdiction or campaign.jurisdiction, "thresholds": p.thresholds,
        "status": p.status, "delivered_on": delivered, "verification": p.verification,
        "verification_config": p.verification_config, "privacy_notice": p.privacy_notice,
        "sources": d.sources_json(p.sources), "note": p.note})
    if written and not existed and petition.status == Petition.Status.OPEN and petition.opens_at is None:
        petition.opens_at = timezone.now()
        petition.save(update_fields=["opens_at"])
    for b in p.offline:
        stamps.put(OfflineSignatureBatch, {"petition": petition, "source": b.source,
                                        "collected_on": _date(b.collected_on)[0]},
                {"count": b.count, "note": b.note, "verified_residents": b.verified_residents})


def _load_letter(data: d.LetterData, campaign: Campaign, orgs: dict[str, Organisation],
                 stamps: Stamper) -> None:
    date, precision = _date(data.date)
    letter, _ = stamps.put(Letter, {"slug": data.slug}, {
        "campaign": campaign, "title": data.title, "text": data.text, "summary": data.summary, "date": date,
        "date_precision": precision, "addressed_to": data.addressed_to, "stance": data.stance,
        "reported_signatories": data.reported_signatories, "uncertain": data.uncertain,
        "sources": d.sources_json(data.sources)})
    for s in data.signatories:
        stamps.put(LetterSignatory, {"letter": letter, "name": s.name},
                   {"role": s.role, "organisation": s.organisation})
    for slug in data.endorsements:
        stamps.put(Endorsement, {"letter": letter, "organisation": orgs[slug]}, {})


def _load_hearing(h: d.HearingData, campaign: Campaign, stamps: Stamper) -> Hearing:
    hearing, _ = stamps.put(Hearing, {"slug": h.slug}, {
        "campaign": campaign, "body": h.body, "date": _day(h.date), "agenda_item": h.agenda_item,
        "video_url": h.video_url or "", "reported_testimonies": h.reported_testimonies,
        "reported_duration_minutes": h.reported_duration_minutes, "note": h.note,
        "sources": d.sources_json(h.sources)})
    for t in h.testimonies:
        stamps.put(Testimony, {"hearing": hearing, "speaker": t.speaker}, {
            "affiliation": t.affiliation, "stance": t.stance, "resident": t.resident,
            "duration_seconds": t.duration_seconds, "sources": d.sources_json(t.sources)})
    return hearing


def _load_vote(v: d.VoteData, campaign: Campaign, hearings: dict[str, Hearing], stamps: Stamper) -> None:
    vote, _ = stamps.put(Vote, {"slug": v.slug}, {
        "campaign": campaign, "hearing": hearings.get(v.hearing or ""), "body": v.body, "motion": v.motion,
        "date": _day(v.date), "outcome": v.outcome, "effect": v.effect, "policy_id": v.policy_id,
        "reported_yes": v.reported_yes, "reported_no": v.reported_no, "reported_abstain": v.reported_abstain,
        "reported_absent": v.reported_absent, "seats": v.seats, "note": v.note,
        "sources": d.sources_json(v.sources)})
    for r in v.roll_call:
        stamps.put(RollCallEntry, {"vote": vote, "member": r.member}, {"position": r.position})
