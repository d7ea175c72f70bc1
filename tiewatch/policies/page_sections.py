"""The policies app's sections on registry pages (registered in apps.py; see tiewatch/registry/sections.py):
on an agency's page the laws that bind it and their current verdicts on its ties, on a place's page
the laws adopted there or covering it, on a tie's page the verdicts on that tie. Verdicts are the
findings stored by the latest screening; the public sees only findings on ties it may see."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.db.models import Count
from django.http import HttpRequest
from django.template.loader import render_to_string

from tiewatch.core.errors import TiewatchError
from tiewatch.policies import services
from tiewatch.policies.engine import schema as s
from tiewatch.policies.models import Finding, ScreeningRun
from tiewatch.registry import sections, visibility
from tiewatch.registry.models import Jurisdiction

FINDINGS_SHOWN = 50
VERDICT_WORDS = {"prohibit": "prohibited", "require_approval": "needs approval", "report": "must be reported"}


def _instruments() -> list[s.Instrument]:
    try:
        return services.load_instruments()
    except TiewatchError:  # a broken law pack shows on /policies/, not as a 500 on every entity page
        return []


def covers(place: str, target: str) -> bool:
    """Whether a law of `place` reaches `target` (the place itself or one of its child divisions)."""
    return bool(place) and bool(target) and (target == place or target.startswith(place + "/"))


def place_names(ids: set[str]) -> dict[str, Jurisdiction]:
    return {j.pk: j for j in Jurisdiction.objects.filter(pk__in=ids)}


def policy_rows(instruments: list[s.Instrument]) -> list[dict[str, Any]]:
    places = place_names({i.jurisdiction for i in instruments})
    return [{"id": i.id, "title": i.title, "place": places.get(i.jurisdiction), "body": i.body,
             "adopted": i.adopted, "rescinded": i.rescinded, "in_force": services.in_force(i),
             "binding": i.binding} for i in instruments]


def binding_instruments(entity: Any) -> list[s.Instrument]:
    """Law packs with a rule that binds `entity`: by name, or by its place and kind."""
    found = []
    for inst in _instruments():
        for rule in inst.rules:
            binds = rule.binds
            by_place = covers(binds.jurisdiction, entity.jurisdiction_id or "") and (
                not binds.entity_kinds or entity.kind in binds.entity_kinds)
            if entity.pk in binds.entities or by_place:
                found.append(inst)
                break
    return found


def verdict_rows(findings: list[Finding], drafts: bool) -> list[dict[str, Any]]:
    """Current findings as the public may see them, with each policy named by its title and the
    records their reasons name ("binds us-nc-…-police-department: …") by their names."""
    visible = set(visibility.ties(drafts).filter(pk__in={f.tie_id for f in findings}).values_list("pk", flat=True))
    shown = [f for f in findings if f.tie_id in visible]
    titles = {i.id: i.title for i in _instruments()}
    name = _namer({f.subject_id for f in shown} | {f.counterpart_id for f in shown if f.counterpart_id}, drafts)
    return [{"finding": f, "verdict": VERDICT_WORDS.get(f.effect, f.effect.replace("_", " ")),
             "policy_title": titles.get(f.policy_id, f.policy_id),
             "reasons": [name(str(r)) for r in f.reasons],
             "sources": [{"url": str(url)} for url in f.sources if isinstance(url, str)]}
            for f in shown]


def _namer(ids: set[str], drafts: bool) -> Callable[[str], str]:
    """A function putting the names of the records `ids` (those the reader may see) in place of their
    ids in a reason; one query for all of them."""
    names = dict(visibility.entities(drafts).filter(pk__in=ids).values_list("pk", "name")) if ids else {}
    if not names:
        return lambda text: text
    # Longest first, and never inside a longer id ("…-department" is not "…-department-2").
    pattern = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, sorted(names, key=len, reverse=True))) + r")(?![\w-])")
    return lambda text: pattern.sub(lambda m: names[m.group(1)], text)


def entity_section(request: HttpRequest | None, entity: Any, drafts: bool) -> str:
    instruments = binding_instruments(entity)
    findings = list(Finding.objects.filter(disappeared_run__isnull=True, subject_id=entity.pk)
                    .order_by("policy_id", "tie_id")[:FINDINGS_SHOWN])
    verdicts = verdict_rows(findings, drafts)
    if not instruments and not verdicts:
        return ""
    rows = policy_rows(instruments)
    for row in rows:  # each policy's verdict on this record: how many of its ties fall under it
        row["verdicts"] = sum(1 for v in verdicts if v["finding"].policy_id == row["id"])
    return render_to_string("policies/_entity_section.html", {
        "entity": entity, "policies": rows, "verdicts": verdicts, "run": ScreeningRun.objects.first(),
        "more": len(findings) == FINDINGS_SHOWN}, request=request)


def jurisdiction_section(request: HttpRequest | None, place: Any, drafts: bool) -> str:
    here = [i for i in _instruments() if i.jurisdiction == place.pk]
    above = [i for i in _instruments() if i.jurisdiction != place.pk and covers(i.jurisdiction, place.pk)]
    if not here and not above:
        return ""
    return render_to_string("policies/_place_section.html", {
        "place": place, "here": policy_rows(here), "above": policy_rows(above)}, request=request)


def tie_section(request: HttpRequest | None, tie: Any, drafts: bool) -> str:
    findings = list(Finding.objects.filter(disappeared_run__isnull=True, tie_id=tie.id))
    verdicts = verdict_rows(findings, drafts)
    if not verdicts:
        return ""
    return render_to_string("policies/_tie_section.html", {"verdicts": verdicts}, request=request)


def produced_section(request: HttpRequest | None, record: Any, drafts: bool) -> str:
    """On a campaign's or vote's page: the policy it produced, by title and place, linked."""
    policy_id = getattr(record, "policy_id", "")
    if not policy_id:
        return ""
    found = [i for i in _instruments() if i.id == policy_id]
    # A policy not (or not yet) in the law packs is still linked, by its id: the only name it has here.
    rows = policy_rows(found) or [{"id": policy_id, "title": policy_id, "place": None, "binding": True}]
    return render_to_string("policies/_produced_section.html", {"policies": rows}, request=request)


HOME_SHOWN = 5


def home_section(request: HttpRequest | None, record: Any, drafts: bool) -> str:
    """On the home page: the latest screening, its current verdicts counted by kind, and the newest few
    with their clause and sources, so a visitor sees at once what the law packs find in the registry."""
    run = ScreeningRun.objects.order_by("-started_at", "-id").first()
    if run is None:
        return ""
    current = Finding.objects.filter(disappeared_run__isnull=True, tie_id__in=visibility.ties(drafts).values("pk"))
    counts = [{"effect": effect, "verdict": VERDICT_WORDS.get(effect, effect.replace("_", " ")), "n": n}
              for effect, n in current.order_by().values_list("effect").annotate(n=Count("id")).order_by("effect")]
    newest = list(current.order_by("-appeared_at", "policy_id", "tie_id")[:HOME_SHOWN])
    return render_to_string("policies/_home_section.html", {
        "run": run, "counts": counts, "total": sum(c["n"] for c in counts),
        "verdicts": verdict_rows(newest, drafts)}, request=request)


def register() -> None:
    sections.register("entity", "policies", entity_section, order=10)
    sections.register("jurisdiction", "policies", jurisdiction_section, order=10)
    sections.register("tie", "policies", tie_section, order=10)
    sections.register("campaign", "policies", produced_section, order=10)
    sections.register("vote", "policies", produced_section, order=10)
    sections.register("home", "policies", home_section, order=10)
