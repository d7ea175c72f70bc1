"""The filter forms of the registry's lists: bad values become form errors, never a 500."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from tiewatch.core.records import ENTITY_KINDS, TIE_KINDS, TIE_STATUSES
from tiewatch.registry import queries
from tiewatch.registry.dataset_summary import CURATED, dataset_choices


def _choices(values: tuple[str, ...], blank: str = "any") -> list[tuple[str, str]]:
    return [("", blank)] + [(v, v.replace("_", " ")) for v in values]


class ListForm(forms.Form):
    """The page and export format every list takes."""

    page = forms.IntegerField(required=False, min_value=1, max_value=queries.MAX_PAGE)
    format = forms.ChoiceField(required=False, choices=[("", "html"), ("csv", "csv"), ("json", "json")])


class FastSelect(forms.Select):
    """A <select> built in Python: Django's template-rendered options cost ~30 µs each, and the
    program list may have hundreds."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        final = self.build_attrs(self.attrs, attrs)
        selected = "" if value is None else str(value)
        options = format_html_join("", '<option value="{}"{}>{}</option>', (
            (v, mark_safe(" selected") if str(v) == selected else "", label)  # a constant
            for v, label in self.choices))
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(final), options)


class TieFilterForm(ListForm):
    kind = forms.ChoiceField(required=False, choices=_choices(TIE_KINDS))
    country = forms.RegexField(required=False, regex=queries.COUNTRY_RE, max_length=2,
                               label="Counterpart country", help_text="ISO code, e.g. IL",
                               error_messages={"invalid": "Enter a two-letter country code, e.g. IL."})
    year_from = forms.IntegerField(required=False, min_value=queries.YEAR_MIN, max_value=queries.YEAR_MAX,
                                   label="From year")
    year_to = forms.IntegerField(required=False, min_value=queries.YEAR_MIN, max_value=queries.YEAR_MAX,
                                 label="To year")
    program = forms.ChoiceField(required=False, choices=[("", "any")], label="Program", widget=FastSelect)
    status = forms.ChoiceField(required=False, choices=_choices(TIE_STATUSES))
    subject = forms.CharField(required=False, max_length=250, widget=forms.HiddenInput)
    counterpart = forms.CharField(required=False, max_length=250, widget=forms.HiddenInput)
    entity = forms.CharField(required=False, max_length=250, widget=forms.HiddenInput)
    dataset = forms.ChoiceField(required=False, choices=[("", "any")], label="Dataset")
    category = forms.RegexField(required=False, regex=queries.CATEGORY_RE, max_length=60, label="Category",
                                help_text="An equipment category, e.g. drone",
                                error_messages={"invalid": "Enter a category in lower case, e.g. drone."})
    sort = forms.ChoiceField(required=False, choices=list(queries.TIE_SORT_LABELS.items()))

    def __init__(self, *args: Any, drafts: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        programs = queries.entities(drafts).filter(kind="program").order_by("name").values_list("id", "name")
        self.fields["program"].choices = [("", "any"), *programs[:1000]]  # type: ignore[attr-defined]
        datasets = [("", "any"), (CURATED, "entered by hand"), *dataset_choices()]
        asked = self.data.get("dataset") if self.is_bound else ""
        if asked and queries.DATASET_RE.match(asked) and asked not in dict(datasets):
            datasets.append((asked, asked.replace("_", " ")))  # a dataset in the data that no app describes
        self.fields["dataset"].choices = datasets  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("program", "subject", "counterpart", "entity"):
            value = data.get(name)
            if value and not queries.valid_id(value):
                self.add_error(name, "Not a valid entity id.")
        if data.get("year_from") and data.get("year_to") and data["year_from"] > data["year_to"]:
            self.add_error("year_from", "Must not be after the end year.")
        return data


class EntityFilterForm(ListForm):
    q = forms.CharField(required=False, max_length=200, label="Name contains")
    kind = forms.ChoiceField(required=False, choices=_choices(ENTITY_KINDS))
    country = forms.RegexField(required=False, regex=queries.COUNTRY_RE, max_length=2,
                               error_messages={"invalid": "Enter a two-letter country code, e.g. US."})
    jurisdiction = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)
    sort = forms.ChoiceField(required=False, choices=[(k, k.replace("-", "") + (" (Z–A)" if k.startswith("-") else ""))
                                                      for k in queries.ENTITY_SORTS])


class SearchForm(ListForm):
    q = forms.CharField(required=False, max_length=200, label="Search")
