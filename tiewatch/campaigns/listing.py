"""The campaigns list: its filters (outcome, state, year begun), their counts, sortable columns and
exports, over the public campaigns (few: counted in Python, with the facets of tiewatch/registry/facets.py)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Count, Min, Q

from tiewatch.campaigns.models import Campaign, Petition
from tiewatch.registry.forms import ListForm
from tiewatch.registry.jurisdictions import NATIONAL, display_name, state_choices, state_label, state_of

OUTCOMES = ("policy adopted", "no policy yet")
SORTS = {"name": "name, A to Z", "-name": "name, Z to A", "place": "place, A to Z", "-place": "place, Z to A", "year": "begun, earliest first",
         "-year": "begun, latest first", "petitions": "fewest petitions first", "-petitions": "most petitions first"}
SORT_COLUMNS: list[tuple[str, str, str | None]] = [
    ("Campaign", "name", "-name"), ("Place", "place", "-place"), ("Begun", "year", "-year"),
    ("Petitions", "-petitions", "petitions")]
FACETS = (("outcome", "Outcome", str), ("state", "State", state_label), ("year", "Year begun", str))
COLUMNS = ["slug", "name", "coalition", "target_body", "jurisdiction", "place", "state", "year", "outcome",
           "policy_id", "petitions", "url"]


class CampaignFilterForm(ListForm):
    outcome = forms.ChoiceField(required=False, choices=[("", "any")] + [(o, o) for o in OUTCOMES])
    state = forms.ChoiceField(required=False, choices=state_choices())
    year = forms.IntegerField(required=False, min_value=1000, max_value=2999, label="Year begun")
    sort = forms.ChoiceField(required=False, choices=[("", "as listed"), *SORTS.items()])


def campaign_rows() -> list[dict[str, Any]]:
    """Every public campaign as a row: where (state), when it began (its first dated event), its outcome."""
    qs = Campaign.objects.public().annotate(
        begun=Min("events__date"),
        petition_count=Count("petitions", filter=Q(petitions__in=Petition.objects.public()), distinct=True),
    ).order_by("name", "slug")  # Meta.ordering does not apply to a query that aggregates
    return [{"slug": c.slug, "name": c.name, "coalition": c.coalition, "target_body": c.target_body,
             "jurisdiction": c.jurisdiction, "place": place_name(c.jurisdiction),
             "state": state_of(c.jurisdiction), "year": c.begun.year if c.begun else None,
             "outcome": OUTCOMES[0] if c.policy_id else OUTCOMES[1], "policy_id": c.policy_id,
             "petitions": c.petition_count, "url": f"/campaigns/{c.slug}/"} for c in qs]


def place_name(ocd_id: str) -> str:
    """"Durham, North Carolina": the division's name and, below a state, the state's."""
    if not ocd_id:
        return ""
    state = state_of(ocd_id)
    name = display_name(ocd_id)
    return f"{name}, {state_label(state)}" if state and state != NATIONAL and name != state_label(state) else name


def selected(form: CampaignFilterForm) -> dict[str, Any]:
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    return {key: data.get(key) for key in ("outcome", "state", "year")}
