"""What people (and the automatic run) decided about pairs of registry records.

Entity ids are kept as text, not foreign keys: a merge deletes the merged-away entity, and the
decisions and the review queue must still name it (its id keeps working through
registry.EntityRedirect).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

JUDGEMENTS = ("match", "no_match", "unsure")


class CandidatePair(models.Model):
    """Two records the engine found alike enough for a person to look at: the review queue."""

    class Status(models.TextChoices):
        PENDING = "pending", "pending"
        DECIDED = "decided", "decided"

    left_id = models.CharField(max_length=150)
    right_id = models.CharField(max_length=150)
    score = models.FloatField()
    band = models.CharField(max_length=10, blank=True)
    # The engine's explanation: [{"name", "weight", "detail"}, ...], one entry per feature that counted.
    features = models.JSONField(default=list, blank=True)
    # The record on the right before it existed in the registry (an import's incoming name), if any.
    query = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    actor = models.CharField(max_length=150, blank=True, help_text="The command or import that queued it")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-score", "id"]
        constraints = [models.UniqueConstraint(fields=["left_id", "right_id"], name="unique_candidate_pair")]

    def __str__(self) -> str:
        return f"{self.left_id} ~ {self.right_id} ({self.score:.2f})"


class Merge(models.Model):
    """One entity folded into another, with everything needed to take it apart again exactly."""

    canonical_id = models.CharField(max_length=150, db_index=True)
    merged_id = models.CharField(max_length=150, db_index=True)
    # What the merge moved and changed (see merges.py): the merged record's full snapshot, the ties,
    # links, children and facts re-pointed, the aliases and sources added to the canonical record.
    snapshot = models.JSONField(default=dict)
    at = models.DateTimeField(auto_now_add=True)
    actor = models.CharField(max_length=150, blank=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.merged_id} -> {self.canonical_id}"


class Decision(models.Model):
    """A judgement on a pair: who, when, why. Never edited or deleted; an undo records its reversal."""

    left_id = models.CharField(max_length=150, db_index=True)
    right_id = models.CharField(max_length=150, db_index=True)
    judgement = models.CharField(max_length=10, choices=[(j, j.replace("_", " ")) for j in JUDGEMENTS])
    note = models.TextField(blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="resolution_decisions")
    actor = models.CharField(max_length=150, blank=True, help_text="User name, or the command that decided")
    # True for `resolve run`'s merges above the automatic threshold; a person's decision is False.
    automatic = models.BooleanField(default=False)
    score = models.FloatField(null=True, blank=True)
    features = models.JSONField(default=list, blank=True)
    merge = models.OneToOneField(Merge, null=True, blank=True, on_delete=models.PROTECT, related_name="decision")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    reversed_at = models.DateTimeField(null=True, blank=True)
    reversed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    reversed_actor = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        permissions = [("decide_pairs", "Can decide candidate pairs (match, no match, unsure) and undo decisions")]

    def __str__(self) -> str:
        return f"{self.judgement} {self.left_id} ~ {self.right_id}"

    @property
    def active(self) -> bool:
        return self.reversed_at is None
