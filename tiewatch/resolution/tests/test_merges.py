"""Merges fold one entity into another and unmerge restores both exactly."""

from __future__ import annotations

from typing import Any

import pytest

from tiewatch.registry.importers.writer import refresh_counterpart_countries
from tiewatch.registry.models import ChangeRecord, Entity, EntityRedirect, Tie, TieCounterpart
from tiewatch.resolution.decisions import decide, undo
from tiewatch.resolution.merges import MergeRefused, current_id, merge_entities, unmerge
from tiewatch.resolution.tests.conftest import registry_state

DURHAM, DUP = "us-nc-durham-police-department", "us-nc-durham-pd"


def test_merge_moves_every_reference_and_keeps_names_and_sources(duplicated: Any) -> None:
    merge = merge_entities(DURHAM, DUP, actor="tests")
    assert (merge.canonical_id, merge.merged_id) == (DURHAM, DUP)
    assert not Entity.objects.filter(pk=DUP).exists()
    durham = Entity.objects.get(pk=DURHAM)
    assert {"DURHAM POLICE DEPT", "Durham PD"} <= set(durham.aliases)
    assert "src-dup-durham" in set(durham.sources.values_list("id", flat=True))
    assert Tie.objects.get(pk="dup-durham-pd-subject").subject_id == DURHAM
    assert Tie.objects.get(pk="dup-durham-pd-subject").attributes["funder"] == DURHAM
    assert list(TieCounterpart.objects.filter(tie_id="dup-durham-both-counterparts")
                .values_list("entity_id", flat=True)) == ["il-israel-police", DURHAM]
    assert Tie.objects.get(pk="dup-durham-pd-counterpart").counterparts.get().pk == DURHAM
    assert Entity.objects.get(pk="us-nc-durham-pd-district-2").parent_id == DURHAM
    assert Entity.objects.get(pk="us-nc-durham-coalition").extra["member_of"] == [DURHAM]
    assert current_id(DUP) == DURHAM
    assert ChangeRecord.objects.filter(model="entity", object_id=DUP, action="merge").exists()


def test_unmerge_restores_both_records_exactly(duplicated: Any) -> None:
    before = registry_state()
    merge = merge_entities(DURHAM, DUP, actor="tests")
    assert registry_state() != before
    unmerge(merge, actor="tests")
    assert registry_state() == before
    assert ChangeRecord.objects.filter(model="entity", object_id=DUP, action="unmerge").exists()


def test_chained_merges_undo_in_reverse_order_only(duplicated: Any) -> None:
    Entity.objects.filter(pk__in=[DURHAM, DUP]).update(published=False)  # so Raleigh (published) stays
    refresh_counterpart_countries([DURHAM, DUP])
    before = registry_state()
    first = merge_entities(DURHAM, DUP, actor="tests")
    second = merge_entities(DURHAM, "us-nc-raleigh-police-department", actor="tests")
    assert second.merged_id == DURHAM
    assert current_id(DUP) == "us-nc-raleigh-police-department"
    with pytest.raises(MergeRefused, match="undo that merge first"):
        unmerge(first, actor="tests")
    unmerge(second, actor="tests")
    assert current_id(DUP) == DURHAM
    unmerge(first, actor="tests")
    assert registry_state() == before


def test_a_draft_folded_into_a_published_entity_stays_out_of_public_view(duplicated: Any) -> None:
    Entity.objects.filter(pk=DUP).update(published=False)
    refresh_counterpart_countries([DUP])  # as an edit in the admin does
    before = registry_state()
    merge = merge_entities(DURHAM, DUP, actor="tests")
    assert merge.canonical_id == DURHAM  # the published one stays, whichever side it was on
    durham = Entity.objects.get(pk=DURHAM)
    assert "DURHAM POLICE DEPT" not in durham.aliases
    assert merge.snapshot["hidden_names"] == ["DURHAM POLICE DEPT", "Durham PD"]
    assert Tie.objects.get(pk="dup-durham-pd-subject").published is False
    assert EntityRedirect.objects.get(old_id=DUP).published is False
    unmerge(merge, actor="tests")
    assert registry_state() == before


def test_decisions_are_audited_and_undo_takes_the_merge_apart(duplicated: Any, users: Any) -> None:
    before = registry_state()
    decision = decide(DURHAM, DUP, "match", "same department", user=users["bob"])
    assert decision.merge is not None and decision.actor == "bob"
    assert ChangeRecord.objects.filter(model="decision", object_id=str(decision.pk), action="decide").exists()
    undone = undo(decision.pk, user=users["alice"])
    assert undone.reversed_at is not None and undone.reversed_actor == "alice"
    assert registry_state() == before
    assert ChangeRecord.objects.filter(model="decision", object_id=str(decision.pk), action="undo").exists()
    with pytest.raises(MergeRefused):
        undo(decision.pk, user=users["alice"])


def test_a_refused_merge_records_no_decision(duplicated: Any) -> None:
    from tiewatch.core.errors import ValidationFailed
    from tiewatch.resolution.models import Decision

    with pytest.raises(ValidationFailed) as error:
        decide(DURHAM, "no-such-entity", "match", actor="tests")
    assert "right" in error.value.fields()
    assert not Decision.objects.exists()


def test_the_canonical_page_lists_every_name_and_source(duplicated: Any, client: Any, users: Any) -> None:
    Entity.objects.filter(pk=DUP).update(published=False)
    merge_entities(DURHAM, DUP, actor="tests")
    public = client.get(f"/entities/{DURHAM}/").content.decode()
    assert f"<code>{DUP}</code>" not in public and "DURHAM POLICE DEPT" not in public  # staff only
    client.force_login(users["charlie"])
    staff = client.get(f"/entities/{DURHAM}/").content.decode()
    assert f"<code>{DUP}</code>: DURHAM POLICE DEPT; Durham PD" in staff
    assert "Invented roster naming Durham PD" in staff


def test_a_published_merge_shows_its_names_to_everyone(duplicated: Any, client: Any) -> None:
    merge_entities(DURHAM, DUP, actor="tests")
    page = client.get(f"/entities/{DURHAM}/").content.decode()
    assert "DURHAM POLICE DEPT" in page and f"<code>{DUP}</code>" in page
    assert "Invented roster naming Durham PD" in page


def test_claims_about_and_by_the_merged_record_move_and_come_back(duplicated: Any) -> None:
    """Every other reference to an entity (a claim about it, a claim it makes) moves with the merge:
    a protected reference must not refuse the merge, a cascading one must not delete the claim."""
    from tiewatch.registry.models import Claim

    about = Claim.objects.create(entity_id=DUP, fact="kind", value="police_agency", confidence="one_source")
    made = Claim.objects.create(tie_id="dup-durham-pd-subject", fact="year", value=2017,
                                confidence="party_claim", claimant_id=DUP)
    merge = merge_entities(DURHAM, DUP, actor="tests")
    assert merge.canonical_id == DURHAM
    assert Claim.objects.get(pk=about.pk).entity_id == DURHAM
    assert Claim.objects.get(pk=made.pk).claimant_id == DURHAM
    unmerge(merge, actor="tests")
    assert Claim.objects.get(pk=about.pk).entity_id == DUP
    assert Claim.objects.get(pk=made.pk).claimant_id == DUP
