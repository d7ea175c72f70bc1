"""The registry: entities, the dated ties between them, the sources every fact cites, and the
audit trail of every change.

Ids are readable, stable slugs (`us-nc-durham-police-department`): users and other apps refer to
them, so an import never renames one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models

from tiewatch.core.partial_dates import PartialDate
from tiewatch.core.records import CONFIDENCE_GRADES, DATE_PRECISIONS, ENTITY_KINDS, TIE_KINDS, TIE_STATUSES
from tiewatch.core.url_labels import url_label


def _choices(values: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(v, v.replace("_", " ")) for v in values]


class Jurisdiction(models.Model):
    """An Open Civic Data division (`ocd-division/country:us/state:nc/place:durham`)."""

    id = models.CharField(primary_key=True, max_length=200)
    name = models.CharField(max_length=200)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    @property
    def slug(self) -> str:
        return self.id.removeprefix("ocd-division/")


class Source(models.Model):
    """A document that supports facts: a news article, a sponsor's page, a council record."""

    id = models.CharField(primary_key=True, max_length=64)
    url = models.URLField(max_length=1000, unique=True)
    title = models.CharField(max_length=500, blank=True)
    publisher = models.CharField(max_length=200, blank=True)
    published_on = models.DateField(null=True, blank=True)
    accessed_on = models.DateField(null=True, blank=True)
    excerpt = models.TextField(blank=True, help_text="A short quotation supporting the facts that cite it.")
    published = models.BooleanField(default=True, help_text="Visible to the public.")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title or self.url

    @property
    def label(self) -> str:
        return self.title or self.publisher or url_label(self.url)


class Entity(models.Model):
    id = models.SlugField(primary_key=True, max_length=150)
    name = models.CharField(max_length=300, db_index=True)
    kind = models.CharField(max_length=32, choices=_choices(ENTITY_KINDS), db_index=True)
    country = models.CharField(max_length=2, blank=True, db_index=True, help_text="ISO 3166-1 alpha-2")
    jurisdiction = models.ForeignKey(
        Jurisdiction, null=True, blank=True, on_delete=models.PROTECT, related_name="entities"
    )
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children")
    aliases = models.JSONField(default=list, blank=True)
    # Lower-cased name and aliases, for a portable search (PostgreSQL uses full-text search on it).
    search_text = models.TextField(blank=True, editable=False)
    note = models.TextField(blank=True)
    uncertain = models.BooleanField(default=False)
    extra = models.JSONField(default=dict, blank=True, help_text="Other sourced facts (sponsor, years active, ...)")
    sources = models.ManyToManyField(Source, blank=True, related_name="entities")
    published = models.BooleanField(default=True, db_index=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "entities"

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_text = build_search_text(self.name, self.aliases)
        super().save(*args, **kwargs)


def build_search_text(name: str, aliases: list[str] | None) -> str:
    return " | ".join([name, *(aliases or [])]).lower()


class Tie(models.Model):
    """A dated relation: `subject` (usually a local agency) met, trained with, received from ... each
    of `counterparts`, possibly through a `program` or intermediary."""

    id = models.SlugField(primary_key=True, max_length=250)
    # No single-column indexes on subject/program: (subject, year_from) and (program, year_from) lead with them.
    subject = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="ties_as_subject", db_index=False)
    counterparts = models.ManyToManyField(Entity, through="TieCounterpart", related_name="ties_as_counterpart")
    program = models.ForeignKey(
        Entity, null=True, blank=True, on_delete=models.PROTECT, related_name="ties_as_program", db_index=False
    )
    kind = models.CharField(max_length=32, choices=_choices(TIE_KINDS))
    start_date = models.DateField(null=True, blank=True, db_index=True)
    start_precision = models.CharField(max_length=5, choices=_choices(DATE_PRECISIONS), default="day")
    end_date = models.DateField(null=True, blank=True, db_index=True)
    end_precision = models.CharField(max_length=5, choices=_choices(DATE_PRECISIONS), default="day")
    years = models.JSONField(default=list, blank=True, help_text="Years reported, when not a continuous range")
    # First and last year covered, denormalised so year-range filters use an index.
    year_from = models.IntegerField(null=True, blank=True, db_index=True)
    year_to = models.IntegerField(null=True, blank=True, db_index=True)
    status = models.CharField(max_length=16, choices=_choices(TIE_STATUSES), default="reported")
    attributes = models.JSONField(default=dict, blank=True)
    note = models.TextField(blank=True)
    uncertain = models.BooleanField(default=False)
    sources = models.ManyToManyField(Source, related_name="ties")
    published = models.BooleanField(default=True)
    # The external dataset a tie was imported from ("leso", "sipri_register"); "" for curated ties.
    # A column, not an attribute, because lists filter and count by it at a million rows.
    dataset = models.CharField(max_length=40, blank=True, default="", db_default="")
    # Countries of the published counterparts and counterpart_country ("IL,PS"), denormalised for the
    # country filter at scale (a draft counterpart's country is left out: the filter must not reveal it).
    counterpart_countries = models.CharField(max_length=100, blank=True, editable=False)

    class Meta:
        ordering = ["-year_from", "id"]
        # Plain b-tree indexes declared here rather than with db_index=True, which on PostgreSQL also
        # builds a `varchar_pattern_ops` twin for LIKE 'x%' that no query uses (migration 0005).
        indexes = [
            models.Index(fields=["kind"], name="registry_tie_kind_idx"),
            models.Index(fields=["status"], name="registry_tie_status_idx"),
            models.Index(fields=["counterpart_countries"], name="registry_tie_countries_idx"),
            models.Index(fields=["published", "kind", "year_from"]),
            models.Index(fields=["subject", "year_from"]),
            models.Index(fields=["program", "year_from"]),
            models.Index(fields=["dataset", "year_from"], name="registry_tie_dataset_idx"),
        ]

    def __str__(self) -> str:
        return self.id

    @property
    def start(self) -> PartialDate | None:
        return _partial(self.start_date, self.start_precision)

    @property
    def end(self) -> PartialDate | None:
        return _partial(self.end_date, self.end_precision)

    @property
    def when(self) -> str:
        """Human date: '2009, 2010, 2014', '2018-12-02 – 2018-12-11', '2018'."""
        if self.years and len(self.years) > 1:
            return ", ".join(str(y) for y in self.years)
        start, end = self.start, self.end
        if start is None:
            return "undated"
        if end is None or str(end) == str(start):
            return str(start)
        return f"{start} – {end}"

    def refresh_denormalised(self) -> None:
        self.year_from = self.start_date.year if self.start_date else (min(self.years) if self.years else None)
        self.year_to = self.end_date.year if self.end_date else (max(self.years) if self.years else self.year_from)


def _partial(value: dt.date | None, precision: str) -> PartialDate | None:
    if value is None:
        return None
    if precision == "year":
        return PartialDate(value.year)
    if precision == "month":
        return PartialDate(value.year, value.month)
    return PartialDate(value.year, value.month, value.day)


class TieCounterpart(models.Model):
    # Indexed through the unique (tie, entity) and the (entity, tie) index, not one column each.
    tie = models.ForeignKey(Tie, on_delete=models.CASCADE, related_name="counterpart_links", db_index=False)
    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="counterpart_links", db_index=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["tie", "entity"], name="unique_tie_counterpart")]
        indexes = [models.Index(fields=["entity", "tie"])]

    def __str__(self) -> str:
        # The admin's inline label: the counterpart by name, not "TieCounterpart object (50)".
        return f"{self.entity.name if self.entity_id else 'counterpart'} (counterpart {self.position + 1})"


class ChangeRecord(models.Model):
    """One change to one record: who, when, what it was before and after. Never edited."""

    ACTIONS = [("create", "create"), ("update", "update"), ("delete", "delete"), ("import", "import"),
               ("merge", "merge"), ("unmerge", "unmerge"), ("decide", "decide"), ("undo", "undo")]
    model = models.CharField(max_length=50)
    object_id = models.CharField(max_length=250)
    action = models.CharField(max_length=10, choices=ACTIONS)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    actor = models.CharField(max_length=150, blank=True, help_text="User name, or the command that made it")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["model"], name="registry_change_model_idx"),
                   models.Index(fields=["object_id"], name="registry_change_object_idx")]

    def __str__(self) -> str:
        return f"{self.action} {self.model} {self.object_id} by {self.actor or 'unknown'}"

    def changed_fields(self) -> list[tuple[str, Any, Any]]:
        before, after = self.before or {}, self.after or {}
        keys = sorted(set(before) | set(after))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


class EntityRedirect(models.Model):
    """An entity id merged into another (entity resolution): pages, the API and imports that name
    the old id reach the canonical entity. Written and removed only by merges and unmerges
    (tiewatch/resolution/merges.py); the registry reads it."""

    old_id = models.SlugField(primary_key=True, max_length=150)
    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="redirects")
    # Whether the merged-away record was public: a draft's id must not lead the public anywhere.
    published = models.BooleanField(default=True)
    # Its name and aliases, shown on the canonical page to those who may see the merged record.
    names = models.JSONField(default=list, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["old_id"]

    def __str__(self) -> str:
        return f"{self.old_id} -> {self.entity_id}"
class Claim(models.Model):
    """One party's statement of one fact of an entity or a tie (its date, its kind, an attribute such
    as `military_style_training`), with who claims it, the sources it cites, when it was retrieved and
    a confidence grade. Several claims of one fact stand side by side; none silently wins."""

    entity = models.ForeignKey(Entity, null=True, blank=True, on_delete=models.CASCADE, related_name="claims")
    tie = models.ForeignKey(Tie, null=True, blank=True, on_delete=models.CASCADE, related_name="claims")
    fact = models.CharField(max_length=100, help_text="A field (kind, date, status) or an attribute name")
    value = models.JSONField(null=True, blank=True)
    confidence = models.CharField(max_length=32, choices=_choices(CONFIDENCE_GRADES))
    claimant = models.ForeignKey(Entity, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="claims_made")
    claimant_name = models.CharField(max_length=200, blank=True, help_text="Who claims it, when not an entity")
    sources = models.ManyToManyField(Source, blank=True, related_name="claims")
    retrieved_on = models.DateField(null=True, blank=True)
    quote = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["fact", "position", "id"]
        constraints = [models.CheckConstraint(
            condition=models.Q(entity__isnull=True, tie__isnull=False) | models.Q(entity__isnull=False, tie__isnull=True),
            name="claim_of_one_record")]

    def __str__(self) -> str:
        return f"{self.fact} = {self.value!r} ({self.confidence})"

    @property
    def claimant_label(self) -> str:
        return self.claimant.name if self.claimant is not None else self.claimant_name


class SourceCapture(models.Model):
    """One archived copy of a source: the bytes are stored content-addressed (their sha256) with a
    WARC record beside them (tiewatch/registry/archive/store.py); the extracted text is kept here."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="captures")
    captured_at = models.DateTimeField(db_index=True)
    sha256 = models.CharField(max_length=64, db_index=True)
    status = models.PositiveSmallIntegerField()
    content_type = models.CharField(max_length=200)
    final_url = models.URLField(max_length=1000)
    redirects = models.JSONField(default=list, blank=True)
    size = models.PositiveIntegerField()
    text = models.TextField(blank=True)

    class Meta:
        ordering = ["-captured_at", "-id"]


class SourceLink(models.Model):
    """The live link's health, from `tiewatch sources check`: dead since the first failed check of a
    run of failures, cleared when it answers again."""

    source = models.OneToOneField(Source, primary_key=True, on_delete=models.CASCADE, related_name="link")
    last_checked = models.DateTimeField()
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    final_url = models.URLField(max_length=1000, blank=True)
    redirects = models.JSONField(default=list, blank=True)
    error = models.CharField(max_length=300, blank=True)
    dead_since = models.DateTimeField(null=True, blank=True, db_index=True)

    @property
    def dead(self) -> bool:
        return self.dead_since is not None


class TieTally(models.Model):
    """Tie counts by one dimension (kind, status, dataset, country, year, program, kind and first
    year, dataset and subject's place, and the total), for the public (`public`) and the drafts:
    what the unfiltered lists' facets, the chart and the maps show. A delta log: on PostgreSQL,
    triggers on ties and entities (migration 0011) append each statement's changes and fold the log
    every so often, so a count is `SUM(n)` over its rows (tiewatch/registry/tallies.py)."""

    public = models.BooleanField()
    dimension = models.CharField(max_length=16)
    key = models.CharField(max_length=260)
    n = models.BigIntegerField()


class TieStamp(models.Model):
    """A change to the ties of an entity (any role), appended by the same triggers: the newest id is
    the version of that entity's tie counts, so its page recounts only when its own ties changed.
    `entity` "*" stamps every entity (an entity's publication changes what others' pages list)."""

    entity = models.CharField(max_length=150)

    class Meta:
        indexes = [models.Index(fields=["entity", "id"], name="registry_tiestamp_entity_idx")]
