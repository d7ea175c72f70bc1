"""A demo load never overwrites a record changed since it loaded it (issue: re-running `make demo`
reverted a tie's note edited in the admin), and still updates what only it has written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tiewatch.cli import main
from tiewatch.registry.importers import import_bundle
from tiewatch.registry.models import ChangeRecord, Entity, Tie

pytestmark = pytest.mark.django_db

BUNDLE = Path(__file__).parent / "fixtures" / "bundle.yaml"
EXCHANGE = "us-nc-durham-police-department--il-israel-police--2018"


def admin_form(client: Client, url: str) -> dict[str, Any]:
    """The POST a browser sends when saving the admin change page at `url` as it stands."""
    page = client.get(url)
    assert page.status_code == 200
    data: dict[str, Any] = {"_save": "Save"}
    forms = [page.context["adminform"].form]
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        data.update({management.add_prefix(name): field.value() for name, field in
                     ((n, management[n]) for n in management.fields)})
        forms.extend(formset.formset.forms)
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is True:
                data[form.add_prefix(name)] = "on"
            elif value is not None and value is not False:
                data[form.add_prefix(name)] = value if isinstance(value, list) else str(value)
    return data


def test_demo_load_keeps_a_tie_note_edited_in_the_admin(users: Any, capsys: Any) -> None:
    assert main(["demo", "load"]) == 0
    tie = Tie.objects.exclude(note="").filter(counterpart_links__isnull=False).order_by("id").first()
    assert tie is not None
    client = Client()
    assert client.login(username="alice", password="password")
    url = f"/admin/registry/tie/{tie.pk}/change/"
    form = admin_form(client, url)
    form["note"] = "Checked against the council minutes (staff note)."
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Tie.objects.get(pk=tie.pk).note == form["note"]
    capsys.readouterr()

    assert main(["demo", "load"]) == 0
    out = capsys.readouterr().out
    assert Tie.objects.get(pk=tie.pk).note == "Checked against the council minutes (staff note)."
    assert f"registry: ties kept (edited since the demo loaded them): {tie.pk}" in out
    latest = ChangeRecord.objects.filter(model="tie", object_id=tie.pk).first()
    assert latest is not None and (latest.action, latest.actor) == ("update", "alice")


def test_protected_import_updates_its_own_records_and_keeps_others(tmp_path: Path) -> None:
    import_bundle([BUNDLE], actor="demo", protect_edited=True)
    Entity.objects.filter(pk="il-israel-police").update(note="edited outside the audit trail")
    ChangeRecord.objects.create(model="entity", object_id="il-israel-police", action="update", actor="bob")
    changed = tmp_path / "bundle.yaml"
    text = BUNDLE.read_text(encoding="utf-8")
    changed.write_text(text.replace("  dates: 2018-12-02/2018-12-11\n",
                                    "  dates: 2018-12-02/2018-12-11\n  note: Corrected in the seed.\n")
                       .replace("  name: Israel Police\n", "  name: Israel National Police\n"), encoding="utf-8")
    result = import_bundle([changed], actor="demo", protect_edited=True)
    # The tie only the demo wrote follows the seed; the entity bob changed keeps bob's change.
    assert Tie.objects.get(pk=EXCHANGE).note == "Corrected in the seed."
    assert result.counts["ties"].updated == 1 and result.counts["ties"].kept == []
    police = Entity.objects.get(pk="il-israel-police")
    assert (police.name, police.note) == ("Israel Police", "edited outside the audit trail")
    assert result.counts["entities"].kept == ["il-israel-police"] and result.counts["entities"].updated == 0
    # An ordinary import (not protected) still writes what its bundle says.
    import_bundle([changed], actor="demo")
    assert Entity.objects.get(pk="il-israel-police").name == "Israel National Police"
