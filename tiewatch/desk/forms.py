"""The desk's forms. Each names the field at fault; URLs follow tiewatch.core.urls."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from tiewatch.core.records import TIE_KINDS
from tiewatch.core.urls import HTTP_URL_MESSAGE, is_http_url
from tiewatch.desk import accounts, questions
from tiewatch.desk.coverage import AGENCY_KINDS
from tiewatch.desk.models.coverage import STATE_LABELS, STATES
from tiewatch.registry.models import Entity, Tie

MAX_LINES = 50
MAX_URL = 1000  # the registry's Source.url column


def link_lines(text: str, field: str = "links") -> list[dict[str, str]]:
    """`URL` or `URL title` per line: [{url, title}]; a bad line is named by its number."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) > MAX_LINES:
        raise ValidationError(f"At most {MAX_LINES} lines.")
    out = []
    for number, line in enumerate(lines, 1):
        url, _, title = line.partition(" ")
        if not is_http_url(url):
            raise ValidationError(f"Line {number}: {HTTP_URL_MESSAGE}")
        if len(url) > MAX_URL:
            raise ValidationError(f"Line {number}: a URL of at most {MAX_URL} characters.")
        out.append({"url": url, "title": title.strip()})
    return out


class RegisterForm(forms.Form):
    email = forms.EmailField(max_length=254)
    display_name = forms.CharField(max_length=120, help_text="How you are credited when a finding is published")
    password = forms.CharField(widget=forms.PasswordInput, max_length=200)
    password_again = forms.CharField(widget=forms.PasswordInput, max_length=200)

    def clean_email(self) -> str:
        email = str(self.cleaned_data["email"]).strip()
        if accounts.email_taken(email):
            raise ValidationError("An account with this email exists already.")
        return email

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        password, again = data.get("password"), data.get("password_again")
        if password and again and password != again:
            self.add_error("password_again", "The two passwords differ.")
        elif password:
            try:
                validate_password(password)
            except ValidationError as error:
                self.add_error("password", error)
        return data


class AgencyField(forms.CharField):
    """An agency (police, sheriff, state police) by its registry id."""

    def clean(self, value: Any) -> Entity | None:
        entity_id = super().clean(value)
        if not entity_id:
            return None
        entity = Entity.objects.filter(pk=entity_id, kind__in=AGENCY_KINDS).first()
        if entity is None:
            raise ValidationError("No agency with this id (police agency, sheriff or state police).")
        return entity


class TaskListForm(forms.Form):
    slug = forms.SlugField(max_length=80)
    title = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea, required=False, max_length=5000)


class TaskForm(forms.Form):
    agency = AgencyField(max_length=150, help_text="Registry id of the agency")
    question = forms.ChoiceField(choices=questions.choices)
    leads = forms.CharField(widget=forms.Textarea, required=False, max_length=5000)
    lead_links = forms.CharField(widget=forms.Textarea, required=False, max_length=20000,
                                 help_text="One per line: URL, then an optional label")

    def clean_lead_links(self) -> list[dict[str, str]]:
        return link_lines(self.cleaned_data.get("lead_links") or "")


class FindingForm(forms.Form):
    found = forms.TypedChoiceField(choices=[("yes", "Found something"), ("no", "Researched, nothing found")],
                                   coerce=lambda v: v == "yes", widget=forms.RadioSelect)
    summary = forms.CharField(widget=forms.Textarea, max_length=5000)
    method = forms.CharField(widget=forms.Textarea, max_length=5000,
                             help_text="What you searched and how (records, databases, requests)")
    sources = forms.CharField(widget=forms.Textarea, required=False, max_length=20000,
                              help_text="One per line: URL, then an optional title; cited or consulted")
    tie_kind = forms.ChoiceField(required=False, choices=[("", "—")] + [(k, k.replace("_", " ")) for k in TIE_KINDS])
    counterpart = forms.CharField(required=False, max_length=150, help_text="Registry id of the foreign force")
    year = forms.IntegerField(required=False, min_value=1900, max_value=2100)
    anonymous = forms.BooleanField(required=False, help_text="Publish without crediting me")

    def clean_sources(self) -> list[dict[str, str]]:
        return link_lines(self.cleaned_data.get("sources") or "")

    def clean_counterpart(self) -> Entity | None:
        entity_id = self.cleaned_data.get("counterpart") or ""
        if not entity_id:
            return None
        entity = Entity.objects.filter(pk=entity_id, published=True).first()
        if entity is None:
            raise ValidationError("No published entity with this id.")
        return entity

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("found"):
            for name in ("tie_kind", "counterpart"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, "Required when something was found.")
            if not data.get("sources") and "sources" not in self.errors:
                self.add_error("sources", "Cite at least one source for what you found.")
        return data


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", "Accept and publish"), ("reject", "Send back")])
    note = forms.CharField(widget=forms.Textarea, required=False, max_length=5000)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "reject" and not (data.get("note") or "").strip():
            self.add_error("note", "Say what is missing when sending a finding back.")
        return data


class CoverageForm(forms.Form):
    agency = AgencyField(max_length=150)
    question = forms.ChoiceField(choices=questions.choices)
    state = forms.ChoiceField(choices=[(s, STATE_LABELS[s]) for s in STATES])
    researched_on = forms.DateField(initial=dt.date.today)
    method = forms.CharField(widget=forms.Textarea, max_length=5000)
    consulted = forms.CharField(widget=forms.Textarea, required=False, max_length=20000,
                                help_text="Sources consulted, one per line (a URL becomes a link)")
    ties = forms.CharField(required=False, max_length=5000, help_text="Ids of the ties found, space-separated")
    credit = forms.CharField(required=False, max_length=120, help_text="Public credit; empty for anonymous")

    def clean_consulted(self) -> list[str]:
        lines = [line.strip() for line in (self.cleaned_data.get("consulted") or "").splitlines() if line.strip()]
        if len(lines) > MAX_LINES:
            raise ValidationError(f"At most {MAX_LINES} lines.")
        return lines

    def clean_ties(self) -> list[Tie]:
        ids = (self.cleaned_data.get("ties") or "").split()
        found = {t.pk: t for t in Tie.objects.filter(pk__in=ids)}
        missing = [i for i in ids if i not in found]
        if missing:
            raise ValidationError(f"No tie with id {missing[0]!r}.")
        return list(found.values())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("state") == "found" and not data.get("ties") and "ties" not in self.errors:
            self.add_error("ties", "Name the ties found (or record 'nothing found').")
        return data


class EmailLoginForm(forms.Form):
    """Sign-in by email (a contributor's user name is random and never shown)."""

    email = forms.EmailField(max_length=254)
    password = forms.CharField(widget=forms.PasswordInput, max_length=200)

    def __init__(self, request: Any = None, *args: Any, **kwargs: Any) -> None:
        self.request = request
        self.user_cache: Any = None
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        email, password = data.get("email"), data.get("password")
        if email and password:
            users = get_user_model().objects.filter(email__iexact=email)
            self.user_cache = next((u for u in (authenticate(self.request, username=user.get_username(),
                                                             password=password) for user in users[:5]) if u), None)
            if self.user_cache is None:
                raise ValidationError("Wrong email or password, or the email is not confirmed yet.")
        return data

    def get_user(self) -> Any:
        return self.user_cache
