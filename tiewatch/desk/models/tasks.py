"""Research tasks: editors list them, contributors claim one, submit a finding, editors review it.

A finding is a draft until an editor accepts it; acceptance turns it into published registry records
(sources, a tie when something was found) and a coverage record, crediting the contributor unless
they chose to stay anonymous.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from tiewatch.core.records import TIE_KINDS
from tiewatch.registry.models import Entity, Tie

OPEN, CLAIMED, SUBMITTED, ACCEPTED = "open", "claimed", "submitted", "accepted"
TASK_STATES = (OPEN, CLAIMED, SUBMITTED, ACCEPTED)
DRAFT, FINDING_SUBMITTED, FINDING_ACCEPTED, REJECTED = "draft", "submitted", "accepted", "rejected"
FINDING_STATES = (DRAFT, FINDING_SUBMITTED, FINDING_ACCEPTED, REJECTED)


class Contributor(models.Model):
    """A self-registered researcher. Active (and in the `contributor` group) once the email is confirmed."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contributor")
    display_name = models.CharField(max_length=120, help_text="Shown when a finding is credited")
    token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.display_name


class TaskList(models.Model):
    slug = models.SlugField(unique=True, max_length=80)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "slug"]

    def __str__(self) -> str:
        return self.title


class Task(models.Model):
    task_list = models.ForeignKey(TaskList, on_delete=models.CASCADE, related_name="tasks")
    agency = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="research_tasks")
    question = models.SlugField(max_length=60)
    leads = models.TextField(blank=True, help_text="Free-text leads")
    lead_links = models.JSONField(default=list, blank=True,
                                  help_text="Links: procurement rows, travel records, news (http(s) only)")
    state = models.CharField(max_length=10, choices=[(s, s) for s in TASK_STATES], default=OPEN)
    claimed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["agency__name", "question", "id"]
        constraints = [models.UniqueConstraint(fields=["task_list", "agency", "question"],
                                               name="desk_unique_task")]
        indexes = [models.Index(fields=["task_list", "state"], name="desk_task_list_state_idx")]

    def __str__(self) -> str:
        return f"{self.agency_id} / {self.question}"


class Finding(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="findings")
    contributor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    found = models.BooleanField(help_text="False: researched and nothing found")
    summary = models.TextField()
    method = models.TextField()
    sources = models.JSONField(default=list, help_text="[{url, title}] cited (found) or consulted")
    tie_kind = models.CharField(max_length=32, blank=True, choices=[(k, k.replace("_", " ")) for k in TIE_KINDS])
    counterpart = models.ForeignKey(Entity, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    anonymous = models.BooleanField(default=False, help_text="Credit nobody when published")
    state = models.CharField(max_length=10, choices=[(s, s) for s in FINDING_STATES], default=FINDING_SUBMITTED)
    review_note = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    tie = models.ForeignKey(Tie, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"finding {self.pk} on {self.task}"
