"""Admin for campaign records. Signatures, the outbox and rate counters are deliberately absent:
signers' personal data is reached only through the moderation and export pages, which check the
`campaigns.moderate_signatures` / `campaigns.export_signatures` permissions and log exports."""

from __future__ import annotations

from django.contrib import admin

from tiewatch.campaigns import models


class MembershipInline(admin.TabularInline):
    model = models.CampaignMembership
    extra = 1


class EventInline(admin.TabularInline):
    model = models.CampaignEvent
    extra = 1
    fields = ("date", "precision", "kind", "text", "link", "uncertain", "sources")


@admin.register(models.Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ("name", "target_body", "jurisdiction", "policy_id", "published")
    search_fields = ("name", "slug", "coalition")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [MembershipInline, EventInline]
    filter_horizontal = ("evidence",)


@admin.register(models.Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "entity_id", "url")
    search_fields = ("name", "slug", "entity_id")


class OfflineBatchInline(admin.TabularInline):
    model = models.OfflineSignatureBatch
    extra = 0
    exclude = ("entered_by",)


@admin.register(models.Petition)
class PetitionAdmin(admin.ModelAdmin):
    list_display = ("title", "slug", "campaign", "status", "opens_at", "closes_at", "verification")
    list_filter = ("status", "verification")
    search_fields = ("title", "slug")
    inlines = [OfflineBatchInline]


class TestimonyInline(admin.TabularInline):
    model = models.Testimony
    extra = 1


@admin.register(models.Hearing)
class HearingAdmin(admin.ModelAdmin):
    list_display = ("body", "date", "agenda_item", "campaign")
    inlines = [TestimonyInline]


class RollCallInline(admin.TabularInline):
    model = models.RollCallEntry
    extra = 1


@admin.register(models.Vote)
class VoteAdmin(admin.ModelAdmin):
    list_display = ("body", "date", "outcome", "effect", "policy_id")
    inlines = [RollCallInline]


class SignatoryInline(admin.TabularInline):
    model = models.LetterSignatory
    extra = 1


class EndorsementInline(admin.TabularInline):
    model = models.Endorsement
    extra = 1


@admin.register(models.Letter)
class LetterAdmin(admin.ModelAdmin):
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
