"""Public-records requests: what was asked of which agency, when, the legal deadline, every status
change (dated and audited) and the documents the agency sent back (docs/desk.md#public-records-requests)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone

from tiewatch.registry.models import Entity, Source

REQUEST_STATUSES = ("sent", "acknowledged", "extended", "partially_fulfilled", "fulfilled", "denied",
                    "appealed", "withdrawn")
# A request in one of these is finished: it can no longer be overdue.
CLOSED_STATUSES = ("fulfilled", "denied", "withdrawn")


class RecordsRequest(models.Model):
    agency = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="records_requests")
    title = models.CharField(max_length=300)
    text = models.TextField()
    law = models.CharField(max_length=20, help_text="The deadline table's row: a state code or 'federal'")
    sent_on = models.DateField()
    deadline = models.DateField(null=True, blank=True, help_text="None when the law sets no fixed deadline")
    status = models.CharField(max_length=24, choices=[(s, s.replace("_", " ")) for s in REQUEST_STATUSES],
                              default="sent", db_index=True)
    requester = models.CharField(max_length=200, blank=True)
    show_requester = models.BooleanField(default=False, help_text="The requester chose to be named publicly")
    published = models.BooleanField(default=False, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["-sent_on", "-id"]

    def __str__(self) -> str:
        return f"records request {self.pk}: {self.title}"

    def is_overdue(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.deadline is not None and self.status not in CLOSED_STATUSES and today > self.deadline


class RequestStatusChange(models.Model):
    request = models.ForeignKey(RecordsRequest, on_delete=models.CASCADE, related_name="history")
    status = models.CharField(max_length=24)
    on = models.DateField(help_text="When the change happened (the agency's letter, say)")
    note = models.TextField(blank=True)
    new_deadline = models.DateField(null=True, blank=True, help_text="An extension's new deadline")
    recorded_at = models.DateTimeField(default=timezone.now)
    actor = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["on", "id"]


class RequestDocument(models.Model):
    """One document of an agency's response, stored in the database (bounded by
    TIEWATCH_DESK_UPLOAD_MAX_BYTES) with its extracted text."""

    request = models.ForeignKey(RecordsRequest, on_delete=models.CASCADE, related_name="documents")
    received_on = models.DateField()
    note = models.TextField(blank=True)
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    content = models.BinaryField()
    text = models.TextField(blank=True)
    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["received_on", "id"]
