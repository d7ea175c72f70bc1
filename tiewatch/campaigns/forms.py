"""Forms of the campaigns pages: signing (rules from schemas.SignatureIn), moderation, offline batches."""

from __future__ import annotations

from django import forms
from django.forms.utils import ErrorDict

from tiewatch.core.errors import Problem


class SignatureForm(forms.Form):
    """Renders the signing form and holds its errors. The rules and messages are those of the one
    signature schema (schemas.SignatureIn, applied by validation.py for the form and the API alike):
    the fields here only render, and `add_problems` shows the schema's errors under their fields."""

    name = forms.CharField(required=False, label="Full name")
    email = forms.CharField(required=False, label="Email", widget=forms.EmailInput)
    address = forms.CharField(required=False, label="Street address")
    postal_code = forms.CharField(required=False, label="Postal code")
    city = forms.CharField(required=False, label="City")
    resident = forms.BooleanField(required=False, label="I live in this jurisdiction")
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}),
                              label="Comment (optional, seen only by the organisers)")
    show_publicly = forms.BooleanField(required=False, label="Show my first name and city on the petition page")
    consent = forms.BooleanField(required=False, label="I have read the privacy notice and agree to it")
    # Honeypot: hidden from people by CSS; bots fill it in.
    website = forms.CharField(required=False, label="Leave this field empty")

    def add_problems(self, problems: list[Problem]) -> None:
        self.full_clean()
        # Only the schema's verdict is shown: the form fields' own validators (e.g. Django's
        # null-character check) would repeat its messages.
        self._errors = ErrorDict()
        for problem in problems:
            self.add_error(problem.field if problem.field in self.fields else None, problem.message)


class OfflineBatchForm(forms.Form):
    count = forms.IntegerField(min_value=1, max_value=10_000_000)
    source = forms.CharField(max_length=500, help_text="Where these signatures come from")
    collected_on = forms.DateField(required=False, help_text="YYYY-MM-DD")
    verified_residents = forms.IntegerField(min_value=0, required=False)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self) -> dict:
        data = super().clean() or {}
        if (data.get("verified_residents") or 0) > (data.get("count") or 0):
            self.add_error("verified_residents", "Cannot exceed the count.")
        return data


class InvalidateForm(forms.Form):
    reason = forms.CharField(max_length=300)
