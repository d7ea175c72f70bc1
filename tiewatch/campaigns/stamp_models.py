"""`LoadStamp`: what a data load last wrote to one record (see `load_stamps`)."""

from __future__ import annotations

from django.db import models


class LoadStamp(models.Model):
    """The digest of the values a load wrote to one record, to tell later edits from the loader's own."""

    model = models.CharField(max_length=100)  # app label and model name, e.g. campaigns.Petition
    key = models.TextField()  # the record's natural key in the file, as canonical JSON
    object_pk = models.CharField(max_length=64)
    fields = models.TextField()  # the digested field names, comma-separated
    digest = models.CharField(max_length=64)  # sha256 of those fields' values
    loaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "campaigns"
        constraints = [models.UniqueConstraint(fields=["model", "key"], name="load_stamp_unique_key")]
        indexes = [models.Index(fields=["model", "object_pk"], name="load_stamp_object")]

    def __str__(self) -> str:
        return f"{self.model} {self.object_pk}"
