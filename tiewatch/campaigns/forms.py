"""Forms: one `SignatureForm` validates both the web page and the JSON API."""

from __future__ import annotations

from django import forms

from tiewatch.campaigns import conf


class SignatureForm(forms.Form):
    name = forms.CharField(max_length=200, label="Full name")
    email = forms.EmailField(max_length=254, label="Email")
    address = forms.CharField(max_length=300, required=False, label="Street address")
    postal_code = forms.CharField(max_length=20, required=False, label="Postal code")
    city = forms.CharField(max_length=100, required=False, label="City")
    resident = forms.BooleanField(required=False, label="I live in this jurisdiction")
    comment = forms.CharField(max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}),
                              label="Comment (optional, seen only by the organisers)")
    show_publicly = forms.BooleanField(required=False, label="Show my first name and city on the petition page")
    consent = forms.BooleanField(required=True, label="I have read the privacy notice and agree to it")
    # Honeypot: hidden from people by CSS; bots fill it in.
    website = forms.CharField(required=False, label="Leave this field empty")

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if len(name) < 2:
            raise forms.ValidationError("Please give your name.")
        return name

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        domain = email.rpartition("@")[2].lower()
        blocked = {d.strip().lower() for d in conf.get("TIEWATCH_CAMPAIGNS_BLOCKED_EMAIL_DOMAINS") or []}
        if domain in blocked:
            raise forms.ValidationError("Signatures from this email domain are not accepted.")
        return email

    def clean_postal_code(self) -> str:
        return self.cleaned_data["postal_code"].strip()

    def clean(self) -> dict:
        data = super().clean() or {}
        if not data.get("address") and not data.get("postal_code") and "address" not in self.errors:
            self.add_error("postal_code", "Give your street address or your postal code.")
        return data


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
