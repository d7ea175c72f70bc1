"""Recompute every signature's email key with today's `normalise_email` (issue 9 item 12).

Keys stored before it kept an internationalised domain as typed (`x@bücher.example`), a needless
quoted local part (`"x"@example.org`) and a trailing root dot, so the same mailbox spelt the other
way could sign again. The unique (petition, email) constraint only works if stored keys are
computed the way new ones are.

Where two stored signatures of one petition turn out to be one mailbox, the one already holding the
key (else the earliest) gets it; the other keeps its old key, so no row is lost or merged silently,
and is flagged for review on the moderation page, where staff can invalidate it. Rate-limit
counters are keyed by the email too but expire within a day, so they are left alone.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations, models

from tiewatch.campaigns.normalise import normalise_email


def renormalise(apps: Any, schema_editor: Any) -> None:
    Signature = apps.get_model("campaigns", "Signature")
    # Only rows whose key changes are kept in memory (few: most stored keys are already right).
    changed: dict[tuple[int, str], list[int]] = {}
    rows = Signature.objects.order_by("id").values_list("id", "petition_id", "email")
    for pk, petition_id, email in rows.iterator(chunk_size=2000):
        key = normalise_email(email)
        if key != email:
            changed.setdefault((petition_id, key), []).append(pk)
    rekeyed: list[Any] = []
    flagged: list[Any] = []
    for (petition_id, key), pks in changed.items():
        holder = Signature.objects.filter(petition_id=petition_id, email=key).values_list("id", flat=True).first()
        keeper = holder if holder is not None else pks[0]
        if holder is None:
            rekeyed.append(Signature(pk=keeper, email=key))
        flagged += [Signature(pk=pk, needs_review=True,
                              review_reason=f"same mailbox as signature {keeper} (email normalised)")
                    for pk in pks if pk != keeper]
    Signature.objects.bulk_update(rekeyed, ["email"], batch_size=500)
    Signature.objects.bulk_update(flagged, ["needs_review", "review_reason"], batch_size=500)


class Migration(migrations.Migration):

    dependencies = [
        ("campaigns", "0005_lean_signature_indexes"),
    ]

    operations = [
        migrations.AlterField(
            model_name="signature",
            name="email",
            field=models.CharField(help_text="Normalised (see tiewatch/campaigns/normalise.py)", max_length=254),
        ),
        migrations.RunPython(renormalise, migrations.RunPython.noop, elidable=True),
    ]
