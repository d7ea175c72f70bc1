"""Coverage: which agency has been researched for which question, including "nothing found".

Not yet researched is the absence of a record. A record says who researched (the user, private)
and how they are credited publicly (`credit`; empty means anonymous), never their email.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from tiewatch.registry.models import Entity, Source, Tie

FOUND = "found"
NOTHING_FOUND = "nothing_found"
NOT_RESEARCHED = "not_researched"
STATES = (FOUND, NOTHING_FOUND)
STATE_LABELS = {FOUND: "researched, found", NOTHING_FOUND: "researched, nothing found",
                NOT_RESEARCHED: "not yet researched"}


class Coverage(models.Model):
    agency = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="coverage")
    question = models.SlugField(max_length=60, help_text="A slug of tiewatch/desk/questions.yaml")
    state = models.CharField(max_length=16, choices=[(s, STATE_LABELS[s]) for s in STATES])
    researched_on = models.DateField()
    method = models.TextField(help_text="How the research was done (records searched, requests sent ...)")
    consulted = models.JSONField(default=list, blank=True,
                                 help_text="Sources consulted: text lines, http(s) URLs rendered as links")
    ties = models.ManyToManyField(Tie, blank=True, related_name="coverage")
    sources = models.ManyToManyField(Source, blank=True, related_name="coverage")
    researcher = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    credit = models.CharField(max_length=120, blank=True, help_text="Public credit; empty for anonymous")
    note = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["question", "agency_id"]
        constraints = [models.UniqueConstraint(fields=["agency", "question"], name="desk_unique_coverage")]
        indexes = [models.Index(fields=["question", "state"], name="desk_coverage_q_state_idx")]

    def __str__(self) -> str:
        return f"{self.agency_id} / {self.question}: {self.state}"

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]
