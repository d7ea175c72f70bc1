"""Admin for campaign records. Signatures, the outbox and rate counters are deliberately absent:
signers' personal data is reached only through the moderation and export pages, which check the
`campaigns.moderate_signatures` / `campaigns.export_signatures` permissions and log exports."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin

from tiewatch.campaigns import models
from tiewatch.campaigns.schemas import source_problems
from tiewatch.core.urls import HTTP_URL_MESSAGE, SITE_HREF_MESSAGE, is_http_url, site_href


class LinkRulesForm(forms.ModelForm):
    """Every admin form of campaign records: links from data follow tiewatch.core.urls (http(s) only;
    a campaign event's `link` may also be a page of this site), and `sources` is a list of
    {url, title} whose urls are http(s). Refused with an error under the field."""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("url", "video_url"):
            if name in self.fields and data.get(name) and not is_http_url(data[name]):
                self.add_error(name, HTTP_URL_MESSAGE)
        if "link" in self.fields and data.get("link") and site_href(data["link"]) is None:
            self.add_error("link", SITE_HREF_MESSAGE)
        if "sources" in self.fields and "sources" in data:
            for message in source_problems(data["sources"]):
                self.add_error("sources", message)
        return data


class MembershipInline(admin.TabularInline):
    form = LinkRulesForm
    model = models.CampaignMembership
    extra = 1


class EventInline(admin.TabularInline):
    form = LinkRulesForm
    model = models.CampaignEvent
    extra = 1
    fields = ("date", "precision", "kind", "text", "link", "uncertain", "sources")


@admin.register(models.Campaign)
class CampaignAdmin(admin.ModelAdmin):
    form = LinkRulesForm
    list_display = ("name", "target_body", "jurisdiction", "policy_id", "published")
    search_fields = ("name", "slug", "coalition")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [MembershipInline, EventInline]
    filter_horizontal = ("evidence",)


@admin.register(models.Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    form = LinkRulesForm
    list_display = ("name", "entity_id", "url")
    search_fields = ("name", "slug", "entity_id")


class OfflineBatchInline(admin.TabularInline):
    form = LinkRulesForm
    model = models.OfflineSignatureBatch
    extra = 0
    exclude = ("entered_by",)


@admin.register(models.Petition)
class PetitionAdmin(admin.ModelAdmin):
    form = LinkRulesForm
    list_display = ("title", "slug", "campaign", "status", "opens_at", "closes_at", "verification")
    list_filter = ("status", "verification")
    search_fields = ("title", "slug")
    inlines = [OfflineBatchInline]


class TestimonyInline(admin.TabularInline):
    form = LinkRulesForm
    model = models.Testimony
    extra = 1


@admin.register(models.Hearing)
class HearingAdmin(admin.ModelAdmin):
    form = LinkRulesForm
    list_display = ("body", "date", "agenda_item", "campaign")
    inlines = [TestimonyInline]


class RollCallInline(admin.TabularInline):
    form = LinkRulesForm
    model = models.RollCallEntry
    extra = 1


@admin.register(models.Vote)
class VoteAdmin(admin.ModelAdmin):
    form = LinkRulesForm
    list_display = ("body", "date", "outcome", "effect", "policy_id")
    inlines = [RollCallInline]


class SignatoryInline(admin.TabularInline):
    form = LinkRulesForm
    model = models.LetterSignatory
    extra = 1


class EndorsementInline(admin.TabularInline):
    form = LinkRulesForm
    model = models.Endorsement
    extra = 1


@admin.register(models.Letter)
class LetterAdmin(admin.ModelAdmin):
    form = LinkRulesForm
    list_display = ("title", "date", "stance", "campaign")
    inlines = [SignatoryInline, EndorsementInline]


@admin.register(models.ExportLog)
class ExportLogAdmin(admin.ModelAdmin):
    list_display = ("created_at", "username", "petition", "format", "rows")
    readonly_fields = ("petition", "user", "username", "format", "rows", "created_at", "ip")

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
