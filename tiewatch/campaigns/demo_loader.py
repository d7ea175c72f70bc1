"""Load campaign data (the Durham story and the `example` petition) from YAML, idempotently:
records are matched by slug (events by campaign, date and text), so loading twice changes nothing.
Everything is validated first, then written in one transaction."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from django.utils import timezone

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
from tiewatch.core.partial_dates import parse_partial_date

DEMO_FILE = Path(__file__).resolve().parent / "demo" / "durham.yaml"


def _date(value: Any, where: str, problems: list[Problem], file: str) -> tuple[dt.date | None, str]:
    if value is None:
        return None, "day"
    try:
        partial = parse_partial_date(value)
    except ValueError as exc:
        problems.append(Problem(str(exc), field=where, file=file))
        return None, "day"
    return partial.first_day, partial.precision


def _day(value: Any) -> dt.date:
    """A date already validated by _validate()."""
    day, _ = _date(value, "", [], "")
    assert day is not None
    return day


def _validate(data: Any, file: str) -> list[Problem]:
    problems: list[Problem] = []
    if not isinstance(data, dict):
        return [Problem("expected a mapping with `organisations` and `campaigns`", file=file)]
    orgs = {o.get("slug") for o in data.get("organisations") or []}
    for i, c in enumerate(data.get("campaigns") or []):
        base = f"campaigns[{i}]"
        for key in ("slug", "name", "target_body", "jurisdiction"):
            if not c.get(key):
                problems.append(Problem("required", field=f"{base}.{key}", file=file))
        for j, m in enumerate(c.get("members") or []):
            if m.get("organisation") not in orgs:
                problems.append(Problem(f"unknown organisation {m.get('organisation')!r}",
                                        field=f"{base}.members[{j}]", file=file))
        for j, p in enumerate(c.get("petitions") or []):
            if p.get("status", "draft") not in Petition.Status.values:
                problems.append(Problem(f"status must be one of {Petition.Status.values}",
                                        field=f"{base}.petitions[{j}].status", file=file))
            for key in ("slug", "title", "text", "target"):
                if not p.get(key):
                    problems.append(Problem("required", field=f"{base}.petitions[{j}].{key}", file=file))
        for section in ("letters", "hearings", "votes", "events"):
            for j, item in enumerate(c.get(section) or []):
                if section != "letters" and item.get("date") is None:
                    problems.append(Problem("required", field=f"{base}.{section}[{j}].date", file=file))
                _date(item.get("date"), f"{base}.{section}[{j}].date", problems, file)
        for j, p in enumerate(c.get("petitions") or []):
            _date(p.get("delivered_on"), f"{base}.petitions[{j}].delivered_on", problems, file)
            for k, b in enumerate(p.get("offline") or []):
                _date(b.get("collected_on"), f"{base}.petitions[{j}].offline[{k}].collected_on", problems, file)
        for j, e in enumerate(c.get("events") or []):
            if e.get("kind", "other") not in CampaignEvent.Kind.values:
                problems.append(Problem("unknown kind", field=f"{base}.events[{j}].kind", file=file))
        for j, v in enumerate(c.get("votes") or []):
            if v.get("outcome") not in Vote.Outcome.values:
                problems.append(Problem("outcome must be passed or failed", field=f"{base}.votes[{j}].outcome",
                                        file=file))
            for k, r in enumerate(v.get("roll_call") or []):
                if r.get("position") not in RollCallEntry.Position.values:
                    problems.append(Problem("bad position", field=f"{base}.votes[{j}].roll_call[{k}]", file=file))
        for j, h in enumerate(c.get("hearings") or []):
            for k, t in enumerate(h.get("testimonies") or []):
                if t.get("stance") not in Testimony.Stance.values:
                    problems.append(Problem("stance must be for, against or neutral",
                                            field=f"{base}.hearings[{j}].testimonies[{k}]", file=file))
    return problems


def load(path: Path = DEMO_FILE) -> dict[str, int]:
    file = str(path)
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    problems = _validate(data, file)
    if problems:
        raise ValidationFailed(f"{file}: invalid campaign data", problems)
    stats = {"campaigns": 0, "petitions": 0, "events": 0, "letters": 0, "hearings": 0, "votes": 0,
             "missing_ties": 0}
    with transaction.atomic():
        orgs = {}
        for o in data.get("organisations") or []:
            orgs[o["slug"]], _ = Organisation.objects.update_or_create(
                slug=o["slug"], defaults={"name": o["name"], "url": o.get("url", ""),
                                          "entity_id": o.get("entity_id", "")})
        for c in data.get("campaigns") or []:
            _load_campaign(c, orgs, stats, file)
    return stats


def _load_campaign(c: dict, orgs: dict, stats: dict, file: str) -> None:
    from tiewatch.registry.models import Tie

    problems: list[Problem] = []
    campaign, _ = Campaign.objects.update_or_create(slug=c["slug"], defaults={
        "name": c["name"], "coalition": c.get("coalition", ""), "coalition_entity_id": c.get("coalition_entity_id", ""),
        "target_body": c["target_body"], "jurisdiction": c["jurisdiction"], "summary": c.get("summary", ""),
        "policy_id": c.get("policy_id", ""), "sources": c.get("sources", []), "published": c.get("published", True)})
    stats["campaigns"] += 1
    for m in c.get("members") or []:
        CampaignMembership.objects.update_or_create(
            campaign=campaign, organisation=orgs[m["organisation"]],
            defaults={"role": m.get("role", "member"), "uncertain": bool(m.get("uncertain"))})
    wanted = list(c.get("evidence") or [])
    found = list(Tie.objects.filter(id__in=wanted))
    stats["missing_ties"] += len(wanted) - len(found)
    if found:
        campaign.evidence.add(*found)
    for p in c.get("petitions") or []:
        delivered, _ = _date(p.get("delivered_on"), "delivered_on", problems, file)
        petition, created = Petition.objects.update_or_create(slug=p["slug"], defaults={
            "campaign": campaign, "title": p["title"], "text": p["text"], "target": p["target"],
            "jurisdiction": p.get("jurisdiction", campaign.jurisdiction), "thresholds": p.get("thresholds", []),
            "status": p.get("status", "draft"), "delivered_on": delivered,
            "verification": p.get("verification", "none"), "verification_config": p.get("verification_config", {}),
            "privacy_notice": p.get("privacy_notice", ""), "sources": p.get("sources", []), "note": p.get("note", "")})
        if created and petition.status == Petition.Status.OPEN and petition.opens_at is None:
            petition.opens_at = timezone.now()
            petition.save(update_fields=["opens_at"])
        stats["petitions"] += 1
        for b in p.get("offline") or []:
            collected, _ = _date(b.get("collected_on"), "collected_on", problems, file)
            OfflineSignatureBatch.objects.update_or_create(
                petition=petition, source=b["source"], collected_on=collected,
                defaults={"count": int(b["count"]), "note": b.get("note", ""),
                          "verified_residents": int(b.get("verified_residents", 0))})
    for letter_data in c.get("letters") or []:
        date, precision = _date(letter_data.get("date"), "date", problems, file)
        letter, _ = Letter.objects.update_or_create(slug=letter_data["slug"], defaults={
            "campaign": campaign, "title": letter_data["title"], "text": letter_data.get("text", ""),
            "summary": letter_data.get("summary", ""), "date": date, "date_precision": precision,
            "addressed_to": letter_data.get("addressed_to", ""), "stance": letter_data.get("stance", "for"),
            "reported_signatories": letter_data.get("reported_signatories", ""),
            "uncertain": bool(letter_data.get("uncertain")), "sources": letter_data.get("sources", [])})
        for s in letter_data.get("signatories") or []:
            LetterSignatory.objects.update_or_create(letter=letter, name=s["name"], defaults={
                "role": s.get("role", ""), "organisation": s.get("organisation", "")})
        for slug in letter_data.get("endorsements") or []:
            Endorsement.objects.get_or_create(letter=letter, organisation=orgs[slug])
        stats["letters"] += 1
    hearings = {}
    for h in c.get("hearings") or []:
        hearing, _ = Hearing.objects.update_or_create(slug=h["slug"], defaults={
            "campaign": campaign, "body": h["body"], "date": _day(h["date"]), "agenda_item": h.get("agenda_item", ""),
            "video_url": h.get("video_url", ""), "reported_testimonies": h.get("reported_testimonies"),
            "reported_duration_minutes": h.get("reported_duration_minutes"), "note": h.get("note", ""),
            "sources": h.get("sources", [])})
        for t in h.get("testimonies") or []:
            Testimony.objects.update_or_create(hearing=hearing, speaker=t["speaker"], defaults={
                "affiliation": t.get("affiliation", ""), "stance": t["stance"], "resident": t.get("resident"),
                "duration_seconds": t.get("duration_seconds"), "sources": t.get("sources", [])})
        hearings[h["slug"]] = hearing
        stats["hearings"] += 1
    for v in c.get("votes") or []:
        vote, _ = Vote.objects.update_or_create(slug=v["slug"], defaults={
            "campaign": campaign, "hearing": hearings.get(v.get("hearing", "")), "body": v["body"],
            "motion": v["motion"], "date": _day(v["date"]), "outcome": v["outcome"], "effect": v.get("effect", "adopted"),
            "policy_id": v.get("policy_id", ""), "reported_yes": v.get("reported_yes"),
            "reported_no": v.get("reported_no"), "reported_abstain": v.get("reported_abstain"),
            "reported_absent": v.get("reported_absent"), "seats": v.get("seats"), "note": v.get("note", ""),
            "sources": v.get("sources", [])})
        for r in v.get("roll_call") or []:
            RollCallEntry.objects.update_or_create(vote=vote, member=r["member"], defaults={"position": r["position"]})
        stats["votes"] += 1
    for e in c.get("events") or []:
        date, precision = _date(e["date"], "date", problems, file)
        text = " ".join(str(e["text"]).split())
        CampaignEvent.objects.update_or_create(campaign=campaign, date=_day(e["date"]), text=text, defaults={
            "precision": precision, "kind": e.get("kind", "other"), "link": e.get("link", ""),
            "uncertain": bool(e.get("uncertain")), "sources": e.get("sources", [])})
        stats["events"] += 1
    if problems:
        raise ValidationFailed(f"{file}: invalid campaign data", problems)
