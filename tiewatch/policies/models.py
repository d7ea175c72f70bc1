"""Models of the policies app: screening runs and the findings they produced.

Law packs stay YAML files (the source of truth, reviewed like code); the database keeps what each
screening found, when it first appeared and when it disappeared, so re-screening after a policy or
a tie changes records exactly what changed.
"""

from __future__ import annotations

from typing import Any

from django.db import models


class ScreeningRun(models.Model):
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    policy_set_hash = models.CharField(max_length=64, help_text="sha256 over the law packs' digests")
    policies = models.JSONField(default=list, help_text="[{id, digest}] of the instruments screened against")
    ties_screened = models.IntegerField(default=0)
    findings_count = models.IntegerField(default=0)
    appeared = models.IntegerField(default=0)
    disappeared = models.IntegerField(default=0)
    duration_ms = models.FloatField(default=0)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"screening run {self.pk} at {self.started_at:%Y-%m-%d %H:%M:%S}"


class Finding(models.Model):
    """One rule applying to one tie (and one of its counterparts). `disappeared_run` is null while
    the finding is current; a finding that comes back later is a new row."""

    tie_id = models.CharField(max_length=250, db_index=True)
    subject_id = models.CharField(max_length=150, db_index=True)
    counterpart_id = models.CharField(max_length=150, blank=True)
    policy_id = models.CharField(max_length=200, db_index=True)
    rule_id = models.CharField(max_length=100)
    effect = models.CharField(max_length=20, db_index=True)
    clause = models.TextField(blank=True)
    reasons = models.JSONField(default=list)
    evidence = models.JSONField(default=list)
    sources = models.JSONField(default=list)
    binding = models.BooleanField(default=False)
    first_run = models.ForeignKey(ScreeningRun, on_delete=models.CASCADE, related_name="findings_appeared")
    last_run = models.ForeignKey(ScreeningRun, on_delete=models.CASCADE, related_name="findings_seen")
    disappeared_run = models.ForeignKey(ScreeningRun, null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="findings_disappeared")
    appeared_at = models.DateTimeField()
    disappeared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["policy_id", "rule_id", "tie_id", "counterpart_id"]
        indexes = [models.Index(fields=["disappeared_run", "policy_id"])]

    def __str__(self) -> str:
        return f"{self.policy_id}/{self.rule_id} on {self.tie_id}"

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.tie_id, self.policy_id, self.rule_id, self.counterpart_id)

    @property
    def current(self) -> bool:
        return self.disappeared_run_id is None

    def as_dict(self) -> dict[str, Any]:
        return {
            "tie": self.tie_id, "subject": self.subject_id, "counterpart": self.counterpart_id,
            "policy": self.policy_id, "rule": self.rule_id, "effect": self.effect, "clause": self.clause,
            "reasons": self.reasons, "evidence": self.evidence, "sources": self.sources, "binding": self.binding,
            "appeared_at": self.appeared_at.isoformat(), "first_run": self.first_run_id,
            "last_run": self.last_run_id,
            "disappeared_at": self.disappeared_at.isoformat() if self.disappeared_at else None,
            "disappeared_run": self.disappeared_run_id,
        }


class ScreenedList(models.Model):
    """An uploaded list and its screening report, kept for its owner (and staff) only until
    `expires_at` (setting TIEWATCH_SCREEN_LIST_RETENTION_DAYS): a vendor list can be confidential."""

    owner = models.ForeignKey("auth.User", on_delete=models.CASCADE, related_name="screened_lists")
    filename = models.CharField(max_length=200)
    uploaded_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)
    rows = models.IntegerField()
    content = models.BinaryField(help_text="the list as uploaded")
    report = models.JSONField(help_text="the screening report (JSON form)")

    class Meta:
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return f"list {self.pk} ({self.filename}) of {self.owner_id}"
