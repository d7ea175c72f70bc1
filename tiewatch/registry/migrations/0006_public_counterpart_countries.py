"""Tie.counterpart_countries counts only published counterparts (visibility.py): recompute it for
the ties that name a draft counterpart."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def recompute(apps: Any, schema_editor: Any) -> None:
    tie_model = apps.get_model("registry", "Tie")
    link_model = apps.get_model("registry", "TieCounterpart")
    tie_ids = sorted(set(link_model.objects.filter(entity__published=False).values_list("tie_id", flat=True)))
    for start in range(0, len(tie_ids), 2000):
        part = tie_ids[start:start + 2000]
        countries: dict[str, set[str]] = {tid: set() for tid in part}
        for tid, country in link_model.objects.filter(tie_id__in=part, entity__published=True) \
                .exclude(entity__country="").values_list("tie_id", "entity__country"):
            countries[tid].add(country)
        for tie in tie_model.objects.filter(pk__in=part).only("id", "attributes", "counterpart_countries"):
            found = countries[tie.id]
            if (tie.attributes or {}).get("counterpart_country"):
                found.add(str(tie.attributes["counterpart_country"]))
            value = ",".join(sorted(found))
            if value != tie.counterpart_countries:
                tie_model.objects.filter(pk=tie.pk).update(counterpart_countries=value)


class Migration(migrations.Migration):
    dependencies = [("registry", "0005_lean_indexes")]
    operations = [migrations.RunPython(recompute, migrations.RunPython.noop)]
