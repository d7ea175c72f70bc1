"""Follows: a reader's email subscribed to one record's changes, confirmed by a link (double opt-in),
ended by a one-click link; and the digests already sent, one per follow and period
(docs/desk.md#following-and-alerts)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

FOLLOW_KINDS = ("entity", "place", "policy", "program", "dataset")
FREQUENCIES = ("daily", "weekly")


class Follow(models.Model):
    kind = models.CharField(max_length=10, choices=[(k, k) for k in FOLLOW_KINDS])
    target = models.CharField(max_length=250)
    email = models.EmailField(max_length=254)
    frequency = models.CharField(max_length=6, choices=[(f, f) for f in FREQUENCIES], default="weekly")
    # sha256 of the confirmation token mailed: the database alone cannot confirm a follow. (The
    # unsubscribe link is signed with SECRET_KEY instead, so that every email's link keeps working.)
    confirm_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    # Changes after this moment go into the next digest.
    covered_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["frequency", "confirmed_at", "unsubscribed_at"])]

    def __str__(self) -> str:
        return f"follow of {self.kind} {self.target}"

    @property
    def active(self) -> bool:
        return self.confirmed_at is not None and self.unsubscribed_at is None


class DigestSent(models.Model):
    follow = models.ForeignKey(Follow, on_delete=models.CASCADE, related_name="digests")
    period = models.CharField(max_length=12, help_text="2026-11-30 (daily) or 2026-W48 (weekly)")
    items = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["follow", "period"], name="desk_one_digest_per_period")]
