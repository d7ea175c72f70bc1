"""Fixtures of the resolution tests: the demo registry plus invented duplicates of its entities."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

DUPLICATES = Path(__file__).with_name("fixtures_duplicates.yaml")


@pytest.fixture
def duplicated(seeded: Any) -> Any:
    """The demo registry with `us-nc-durham-pd`, a duplicate of `us-nc-durham-police-department` named
    by ties (subject, counterpart, funder), a child, another entity's facts, and a source."""
    from tiewatch.registry.importers import import_bundle

    return import_bundle([DUPLICATES], actor="tests")


def registry_state() -> dict[str, Any]:
    """Everything the registry holds, in comparable form: every entity and tie snapshot, counterpart
    order, denormalised columns and redirects."""
    from tiewatch.registry.audit import entity_snapshot, tie_snapshot
    from tiewatch.registry.models import Entity, EntityRedirect, Tie, TieCounterpart

    return {
        "entities": {e.pk: {**entity_snapshot(e), "search_text": e.search_text}
                     for e in Entity.objects.prefetch_related("sources")},
        "ties": {t.pk: {**tie_snapshot(t), "countries": t.counterpart_countries, "dataset": t.dataset}
                 for t in Tie.objects.all()},
        "positions": sorted(TieCounterpart.objects.values_list("tie_id", "entity_id", "position")),
        "redirects": sorted(EntityRedirect.objects.values_list("old_id", "entity_id", "published")),
    }
