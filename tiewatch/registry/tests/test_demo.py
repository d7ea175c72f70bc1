"""`tiewatch demo load` (what `make demo` runs) loads every app's demo data and is idempotent."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps

from tiewatch.cli import main


def _row_counts() -> dict[str, int]:
    return {m._meta.label: m.objects.count() for m in apps.get_models()
            if m._meta.app_label in ("registry", "policies", "campaigns", "auth")}


@pytest.mark.django_db
def test_demo_load_twice_changes_nothing(capsys: Any) -> None:
    assert main(["demo", "load"]) == 0
    first = _row_counts()
    assert first["registry.Tie"] == 61 and first["registry.Entity"] == 94
    assert first["campaigns.Petition"] >= 1 and first["policies.ScreeningRun"] == 1
    assert main(["demo", "load"]) == 0
    assert _row_counts() == first
    out = capsys.readouterr().out
    assert "registry: demo data already loaded" in out


@pytest.mark.django_db
def test_demo_users_have_their_roles() -> None:
    from django.contrib.auth.models import User

    main(["demo", "load"])
    assert User.objects.get(username="demo-admin").is_superuser
    assert list(User.objects.get(username="demo-editor").groups.values_list("name", flat=True)) == ["editor"]
    assert list(User.objects.get(username="demo-viewer").groups.values_list("name", flat=True)) == ["viewer"]
