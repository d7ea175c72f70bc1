"""The filter form of the policies list and the places page: bad values become form errors, never a 500."""

from __future__ import annotations

from typing import Any

from django import forms

from tiewatch.core.plain_words import words
from tiewatch.policies.engine.schema import INSTRUMENT_TYPES
from tiewatch.registry.forms import ListForm
from tiewatch.registry.jurisdictions import state_choices, state_label, state_of

STATUSES = ("in force", "not yet in force", "rescinded", "example")
# Sortable columns: (header, ascending sort, descending sort), fields of the list's rows.
POLICY_SORTS = {"title": "title, A to Z", "-title": "title, Z to A", "place": "place, A to Z", "-place": "place, Z to A",
                "type": "type", "adopted": "adopted, oldest first", "-adopted": "adopted, newest first",
                "status": "status"}
POLICY_SORT_COLUMNS: list[tuple[str, str, str | None]] = [
    ("Instrument", "title", "-title"), ("Place", "place", "-place"), ("Type", "type", None),
    ("Adopted", "adopted", "-adopted"), ("Status", "status", None)]
POLICY_FACETS = (("type", "Type", words), ("status", "Status", str), ("state", "State", state_label),
                 ("year", "Year adopted", str))


class PolicyFilterForm(ListForm):
    type = forms.ChoiceField(required=False, choices=[("", "any")] + [(t, words(t)) for t in INSTRUMENT_TYPES])
    status = forms.ChoiceField(required=False, choices=[("", "any")] + [(s, s) for s in STATUSES])
    state = forms.ChoiceField(required=False, choices=state_choices())
    year = forms.IntegerField(required=False, min_value=1000, max_value=2999, label="Year adopted")
    sort = forms.ChoiceField(required=False, choices=[("", "as listed"), *POLICY_SORTS.items()])


def status_of(row: dict[str, Any]) -> str:
    """A law pack row's status in words (STATUSES)."""
    if row.get("example") or row.get("status") == "example":
        return "example"
    if row.get("rescinded"):
        return "rescinded"
    return "in force" if row.get("in_force", row.get("status") == "in force") else "not yet in force"


def list_fields(row: dict[str, Any], place: str) -> dict[str, Any]:
    """The row with the fields the list filters, counts and sorts by."""
    adopted = str(row.get("adopted") or "")
    return {**row, "status": status_of(row), "state": state_of(row["jurisdiction"]),
            "year": int(adopted[:4]) if adopted else None, "place": place}


def selected(form: PolicyFilterForm) -> dict[str, Any]:
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    return {key: data.get(key) for key in ("type", "status", "state", "year")}
