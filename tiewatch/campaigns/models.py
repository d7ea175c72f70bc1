"""Models of the campaigns app: campaigns, petitions and signatures, hearings, votes, letters.

Privacy: `Signature` holds personal data (name, email, address, IP). Nothing outside staff views
with the `export_signatures` / `moderate_signatures` permissions reads those fields; public pages
and the API only see counts and, if the signer opted in, a first name and a city.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from tiewatch.campaigns.stamp_models import LoadStamp  # noqa: F401  (registers this app's model)
from tiewatch.campaigns.visibility import (
    PETITION_DRAFT,
    CampaignQuerySet,
    HearingQuerySet,
    LetterQuerySet,
    PetitionQuerySet,
    VoteQuerySet,
)
from tiewatch.core.partial_dates import PartialDate, parse_partial_date

DATE_PRECISIONS = [("year", "year"), ("month", "month"), ("day", "day")]


class Organisation(models.Model):
    slug = models.SlugField(unique=True, max_length=150)
    name = models.CharField(max_length=300)
    url = models.URLField(blank=True, max_length=500)
    # The registry entity id (tiewatch.registry Entity) when the organisation is recorded there.
    entity_id = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Campaign(models.Model):
    slug = models.SlugField(unique=True, max_length=150)
    name = models.CharField(max_length=300)
    coalition = models.CharField(max_length=300, blank=True, help_text="Name of the coalition running it")
    coalition_entity_id = models.CharField(max_length=150, blank=True)
    target_body = models.CharField(max_length=300)
    jurisdiction = models.CharField(max_length=200, help_text="OCD division id")
    summary = models.TextField(blank=True)
    policy_id = models.CharField(max_length=200, blank=True, help_text="Policy instrument it produced")
    members = models.ManyToManyField(Organisation, through="CampaignMembership", related_name="campaigns")
    evidence = models.ManyToManyField("registry.Tie", blank=True, related_name="campaigns")
    sources = models.JSONField(default=list, blank=True)
    published = models.BooleanField(default=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CampaignMembership(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE)
    role = models.CharField(max_length=100, blank=True, default="member")
    uncertain = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "organisation"], name="campaign_member_once")]


class Petition(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft"
        OPEN = "open"
        CLOSED = "closed"
        DELIVERED = "delivered"

    class Verification(models.TextChoices):
        NONE = "none"
        POSTAL_CODES = "postal_codes"
        CENSUS = "census"
        BOUNDARY = "boundary"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="petitions")
    slug = models.SlugField(unique=True, max_length=150)
    title = models.CharField(max_length=300)
    text = models.TextField()
    target = models.CharField(max_length=300)
    jurisdiction = models.CharField(max_length=200)
    thresholds = models.JSONField(default=list, blank=True, help_text="Milestones, e.g. [100, 500, 1000]")
    opens_at = models.DateTimeField(null=True, blank=True)
    closes_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    delivered_on = models.DateField(null=True, blank=True)
    verification = models.CharField(max_length=20, choices=Verification.choices, default=Verification.NONE)
    # e.g. {"postal_codes_file": "us-nc-durham-zip.txt"} or {"census_file": "...csv"} or {"boundary_file": ...}
    verification_config = models.JSONField(default=dict, blank=True)
    privacy_notice = models.TextField(blank=True)
    sources = models.JSONField(default=list, blank=True)
    note = models.TextField(blank=True)

    objects = PetitionQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_at", "slug"]
        permissions = [
            ("export_signatures", "Can export a petition's signatures (CSV/PDF)"),
            ("moderate_signatures", "Can invalidate signatures and enter offline batches"),
        ]

    def __str__(self) -> str:
        return self.title

    def accepting(self, now: dt.datetime | None = None) -> bool:
        now = now or timezone.now()
        if self.status != self.Status.OPEN:
            return False
        if self.opens_at and now < self.opens_at:
            return False
        return not (self.closes_at and now >= self.closes_at)

    @property
    def is_public(self) -> bool:
        return self.status != PETITION_DRAFT and self.campaign.published  # as visibility.PetitionQuerySet


class Signature(models.Model):
    # No index of its own: the unique (petition, email) constraint leads with it (migration 0005).
    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="signatures", db_index=False)
    name = models.CharField(max_length=200)
    email = models.CharField(max_length=254, help_text="Normalised (see tiewatch/campaigns/normalise.py)")
    address = models.CharField(max_length=300, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    city = models.CharField(max_length=100, blank=True)
    resident = models.BooleanField(default=False, help_text="Signer attested residence")
    verified_resident = models.BooleanField(default=False)
    verification_detail = models.CharField(max_length=200, blank=True)
    comment = models.TextField(blank=True)
    consent = models.BooleanField(default=False)
    show_publicly = models.BooleanField(default=False, help_text="Opted in to show first name and city")
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    token_hash = models.CharField(max_length=64)  # unique: see Meta.constraints
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # Near-duplicate detection: same normalised name and address with a different email.
    name_key = models.CharField(max_length=200, blank=True)
    address_key = models.CharField(max_length=300, blank=True)
    needs_review = models.BooleanField(default=False)
    review_reason = models.CharField(max_length=300, blank=True)
    invalidated_at = models.DateTimeField(null=True, blank=True)
    invalidation_reason = models.CharField(max_length=300, blank=True)
    invalidated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["petition", "email"], name="one_signature_per_email"),
            # A constraint rather than unique=True, which on PostgreSQL also built a varchar_pattern_ops
            # index that only serves LIKE (tokens are looked up by equality) and cost every insert.
            models.UniqueConstraint(fields=["token_hash"], name="signature_token_hash_unique"),
        ]
        indexes = [
            # Only counted signatures (so pending inserts skip it); covers the public counts.
            models.Index(fields=["petition", "verified_resident"], name="counted_signatures",
                         condition=models.Q(confirmed_at__isnull=False, invalidated_at__isnull=True)),
            models.Index(fields=["petition", "name_key", "address_key"]),
            models.Index(fields=["created_at"]),
        ]

    def __str__(self) -> str:
        return f"signature {self.pk} on {self.petition_id}"

    @property
    def counts(self) -> bool:
        return self.confirmed_at is not None and self.invalidated_at is None

    @property
    def first_name(self) -> str:
        return (self.name.split() or [""])[0]


class OfflineSignatureBatch(models.Model):
    """Paper petitions (or historical totals) entered as a count with their source."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="offline_batches")
    count = models.PositiveIntegerField()
    source = models.CharField(max_length=500, help_text="Where the count comes from (URL or description)")
    collected_on = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True)
    verified_residents = models.PositiveIntegerField(default=0)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["collected_on", "id"]


class OutboxMessage(models.Model):
    to = models.CharField(max_length=254)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    kind = models.CharField(max_length=40, default="confirmation")
    signature = models.ForeignKey(Signature, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    failed = models.BooleanField(default=False)
    # Extra mail headers (a digest's List-Unsubscribe); erased once sent, like the body's links.
    # Nullable: signing inserts its confirmation emails in raw SQL that names no such column.
    headers = models.JSONField(null=True, blank=True, default=dict)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["sent_at", "failed", "id"])]


class ExportLog(models.Model):
    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="exports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    username = models.CharField(max_length=150)
    format = models.CharField(max_length=10)
    rows = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]


class ModerationLog(models.Model):
    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="moderation_log")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    username = models.CharField(max_length=150)
    action = models.CharField(max_length=40)
    count = models.PositiveIntegerField()
    reason = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]


class RateCounter(models.Model):
    """Fixed-window counters shared by all app servers (key is a hash; no raw IP or email)."""

    key = models.CharField(max_length=80)
    window_start = models.BigIntegerField()
    count = models.IntegerField(default=0)
    expires = models.BigIntegerField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "window_start"], name="rate_counter_key_window")]


class Hearing(models.Model):
    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="hearings")
    slug = models.SlugField(unique=True, max_length=150)
    body = models.CharField(max_length=300)
    date = models.DateField()
    start_time = models.TimeField(null=True, blank=True)
    end_time = models.TimeField(null=True, blank=True)
    agenda_item = models.CharField(max_length=300, blank=True)
    video_url = models.URLField(blank=True, max_length=500)
    # Aggregates as reported when individual testimonies are not recorded.
    reported_testimonies = models.PositiveIntegerField(null=True, blank=True)
    reported_duration_minutes = models.PositiveIntegerField(null=True, blank=True)
    note = models.TextField(blank=True)
    sources = models.JSONField(default=list, blank=True)

    objects = HearingQuerySet.as_manager()

    class Meta:
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.body}, {self.date}"

    def summary(self) -> dict:
        testimonies = list(self.testimonies.all())
        by_stance = {stance: 0 for stance, _ in Testimony.Stance.choices}
        total = 0
        residents = 0
        for t in testimonies:
            by_stance[t.stance] += 1
            total += t.duration_seconds or 0
            residents += 1 if t.resident else 0
        return {
            "testimonies": len(testimonies),
            "by_stance": by_stance,
            "residents": residents,
            "total_duration_seconds": total,
            "reported_testimonies": self.reported_testimonies,
            "reported_duration_minutes": self.reported_duration_minutes,
        }


class Testimony(models.Model):
    class Stance(models.TextChoices):
        FOR = "for"
        AGAINST = "against"
        NEUTRAL = "neutral"

    hearing = models.ForeignKey(Hearing, on_delete=models.CASCADE, related_name="testimonies")
    speaker = models.CharField(max_length=200)
    affiliation = models.CharField(max_length=300, blank=True)
    stance = models.CharField(max_length=10, choices=Stance.choices)
    resident = models.BooleanField(null=True)
    start_time = models.TimeField(null=True, blank=True)
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    sources = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["start_time", "id"]


class Vote(models.Model):
    class Outcome(models.TextChoices):
        PASSED = "passed"
        FAILED = "failed"

    class Effect(models.TextChoices):
        ADOPTED = "adopted"
        RESCINDED = "rescinded"
        NONE = "none"

    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="votes")
    hearing = models.ForeignKey(Hearing, null=True, blank=True, on_delete=models.SET_NULL, related_name="votes")
    slug = models.SlugField(unique=True, max_length=150)
    body = models.CharField(max_length=300)
    motion = models.TextField()
    date = models.DateField()
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    policy_id = models.CharField(max_length=200, blank=True)
    effect = models.CharField(max_length=10, choices=Effect.choices, default=Effect.ADOPTED)
    # Counts as reported; when a roll call is recorded the counts come from it.
    reported_yes = models.PositiveIntegerField(null=True, blank=True)
    reported_no = models.PositiveIntegerField(null=True, blank=True)
    reported_abstain = models.PositiveIntegerField(null=True, blank=True)
    reported_absent = models.PositiveIntegerField(null=True, blank=True)
    seats = models.PositiveIntegerField(null=True, blank=True)
    note = models.TextField(blank=True)
    sources = models.JSONField(default=list, blank=True)

    objects = VoteQuerySet.as_manager()

    class Meta:
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.body} vote, {self.date}"

    def tally(self) -> dict[str, Any]:
        entries = list(self.roll_call.all())
        out: dict[str, Any]
        if entries:
            out = {p: 0 for p, _ in RollCallEntry.Position.choices}
            for e in entries:
                out[e.position] += 1
            out["source"] = "roll call"
        else:
            out = {
                "yes": self.reported_yes, "no": self.reported_no, "abstain": self.reported_abstain,
                "absent": self.reported_absent, "recused": None, "source": "reported counts",
            }
        known = sum(v for k, v in out.items() if k != "source" and isinstance(v, int))
        out["unaccounted"] = (self.seats - known) if self.seats is not None and self.seats >= known else None
        return out


class RollCallEntry(models.Model):
    class Position(models.TextChoices):
        YES = "yes"
        NO = "no"
        ABSTAIN = "abstain"
        ABSENT = "absent"
        RECUSED = "recused"

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="roll_call")
    member = models.CharField(max_length=200)
    position = models.CharField(max_length=10, choices=Position.choices)

    class Meta:
        ordering = ["member"]
        constraints = [models.UniqueConstraint(fields=["vote", "member"], name="roll_call_member_once")]


class Letter(models.Model):
    class Stance(models.TextChoices):
        FOR = "for"
        AGAINST = "against"
        NEUTRAL = "neutral"

    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="letters")
    slug = models.SlugField(unique=True, max_length=150)
    title = models.CharField(max_length=300)
    text = models.TextField(blank=True)
    summary = models.TextField(blank=True)
    date = models.DateField(null=True, blank=True)
    date_precision = models.CharField(max_length=5, choices=DATE_PRECISIONS, default="day")
    addressed_to = models.CharField(max_length=300, blank=True)
    stance = models.CharField(max_length=10, choices=Stance.choices, default=Stance.FOR)
    reported_signatories = models.CharField(max_length=200, blank=True, help_text="e.g. 'seven rabbis'")
    uncertain = models.BooleanField(default=False)
    sources = models.JSONField(default=list, blank=True)

    objects = LetterQuerySet.as_manager()

    class Meta:
        ordering = ["date", "slug"]

    def __str__(self) -> str:
        return self.title

    @property
    def when(self) -> str:
        return _partial_str(self.date, self.date_precision)


class LetterSignatory(models.Model):
    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="signatories")
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=100, blank=True, help_text="e.g. rabbi, pastor, imam")
    organisation = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["id"]


class Endorsement(models.Model):
    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="endorsements")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="endorsements")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["letter", "organisation"], name="endorse_once")]


class CampaignEvent(models.Model):
    class Kind(models.TextChoices):
        CAMPAIGN = "campaign"
        PETITION = "petition"
        LETTER = "letter"
        HEARING = "hearing"
        VOTE = "vote"
        POLICY = "policy"
        OPPOSITION = "opposition"
        LEGAL = "legal"
        RESCISSION = "rescission"
        OTHER = "other"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="events")
    date = models.DateField()
    precision = models.CharField(max_length=5, choices=DATE_PRECISIONS, default="day")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.OTHER)
    text = models.TextField()
    # Page of the structured record this event describes (hearing, vote, letter, petition), if any.
    link = models.CharField(max_length=300, blank=True)
    uncertain = models.BooleanField(default=False)
    sources = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["date", "id"]
        constraints = [models.UniqueConstraint(fields=["campaign", "date", "text"], name="event_once")]

    @property
    def when(self) -> str:
        return _partial_str(self.date, self.precision)

    @staticmethod
    def parse_date(value: object) -> tuple[dt.date, str]:
        partial = parse_partial_date(value)
        return partial.first_day, partial.precision


def _partial_str(value: dt.date | None, precision: str) -> str:
    if value is None:
        return "undated"
    if precision == "year":
        return str(PartialDate(value.year))
    if precision == "month":
        return str(PartialDate(value.year, value.month))
    return str(PartialDate(value.year, value.month, value.day))

