"""Admin for the research desk's registry records: claims (edited by editors, every change audited
as model "claim"), and the read-only archive records (captures, link checks)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tiewatch.registry.audit import record_change
from tiewatch.registry.models import Claim, SourceCapture, SourceLink


def claim_snapshot(claim: Claim) -> dict[str, Any]:
    return {"entity": claim.entity_id, "tie": claim.tie_id, "fact": claim.fact, "value": claim.value,
            "confidence": claim.confidence, "claimant": claim.claimant_id, "claimant_name": claim.claimant_name,
            "sources": sorted(s.pk for s in claim.sources.all()) if claim.pk else [],
            "retrieved_on": claim.retrieved_on.isoformat() if claim.retrieved_on else None, "quote": claim.quote}


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    list_display = ("fact", "value", "confidence", "claimant", "claimant_name", "tie", "entity")
    list_filter = ("confidence", "fact")
    search_fields = ("fact", "claimant_name", "quote", "tie__id", "entity__id")
    raw_id_fields = ("entity", "tie", "claimant")
    filter_horizontal = ("sources",)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        old = Claim.objects.filter(pk=obj.pk).first() if change else None
        request._tiewatch_before = claim_snapshot(old) if old is not None else None  # type: ignore[attr-defined]
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        claim = Claim.objects.get(pk=form.instance.pk)
        before = getattr(request, "_tiewatch_before", None)
        record_change("claim", str(claim.pk), "update" if before is not None else "create", before,
                      claim_snapshot(claim), user=request.user)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        before, pk = claim_snapshot(obj), str(obj.pk)
        super().delete_model(request, obj)
        record_change("claim", pk, "delete", before, None, user=request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Bulk deletes would bypass the audit trail; one at a time, from the claim's page.
        return super().has_delete_permission(request, obj) and obj is not None


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SourceCapture)
class SourceCaptureAdmin(ReadOnlyAdmin):
    list_display = ("source", "captured_at", "status", "content_type", "size", "sha256")
    search_fields = ("source__id", "sha256", "final_url")
    exclude = ("text",)


@admin.register(SourceLink)
class SourceLinkAdmin(ReadOnlyAdmin):
    list_display = ("source", "last_checked", "status", "dead_since", "error")
    list_filter = (("dead_since", admin.EmptyFieldListFilter),)
    search_fields = ("source__id", "final_url")
