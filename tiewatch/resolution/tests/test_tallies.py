"""Merges and unmerges keep the registry's tie tallies exact (tiewatch/registry/tallies.py): ties move
between subjects (and places), counterparts and programs, and back."""

from __future__ import annotations

from typing import Any

from tiewatch.registry.importers.writer import refresh_counterpart_countries
from tiewatch.registry.models import Entity, Jurisdiction
from tiewatch.registry.tests.tally_checks import agree, current
from tiewatch.resolution.merges import merge_entities, unmerge

DURHAM, DUP = "us-nc-durham-police-department", "us-nc-durham-pd"




def test_merge_and_unmerge_keep_the_tallies(duplicated: Any) -> None:
    # The duplicate elsewhere and a draft: its ties move between places and between the public's counts.
    wake = Jurisdiction.objects.create(id="ocd-division/country:us/state:nc/county:wake", name="Wake County",
                                       parent_id="ocd-division/country:us/state:nc")
    Entity.objects.filter(pk=DUP).update(jurisdiction=wake, published=False)
    refresh_counterpart_countries([DUP])  # what an edit through the admin does
    agree()
    before = {drafts: current(drafts) for drafts in (False, True)}
    merge = merge_entities(DURHAM, DUP, actor="tests")
    agree()
    unmerge(merge, actor="tests")
    agree()
    assert {drafts: current(drafts) for drafts in (False, True)} == before
