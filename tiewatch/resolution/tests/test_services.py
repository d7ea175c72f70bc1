"""resolve_incoming, queue_pairs and `tiewatch resolve run` over the demo registry."""

from __future__ import annotations

import json
from typing import Any

from tiewatch.cli import main
from tiewatch.registry.models import Entity
from tiewatch.resolution.decisions import decide, undo
from tiewatch.resolution.engine import Query
from tiewatch.resolution.models import CandidatePair, Decision
from tiewatch.resolution.services import ResolutionCounts, queue_pairs, resolve_incoming

DURHAM, RALEIGH = "us-nc-durham-police-department", "us-nc-raleigh-police-department"
ITEMS = [
    ("us-nc-new-durham", Query("DURHAM POLICE DEPT", state="NC", country="US")),
    ("us-nc-new-district", Query("Durham Police Dept District 2", state="NC", country="US")),
    ("us-wy-new-rangers", Query("Invented Bighorn Ranger Corps", state="WY", country="US")),
]


def test_certain_links_doubtful_queues_unknown_creates(seeded: Any) -> None:
    found = resolve_incoming(ITEMS, actor="tests")
    assert [(r.proposed_id, r.entity_id, r.outcome) for r in found] == [
        ("us-nc-new-durham", DURHAM, "linked"),
        ("us-nc-new-district", "us-nc-new-district", "created_queued"),
        ("us-wy-new-rangers", "us-wy-new-rangers", "created"),
    ]
    assert found[1].candidate is not None and found[1].candidate.record.id == DURHAM
    assert ResolutionCounts().add(found).as_dict() == {"linked": 1, "created": 2, "queued": 1}
    assert not CandidatePair.objects.exists()  # resolving writes nothing


def test_standing_decisions_win_over_the_engine(seeded: Any) -> None:
    Entity.objects.create(id="us-nc-new-durham", name="DURHAM POLICE DEPT", kind="police_agency", country="US")
    Entity.objects.create(id="us-wy-new-rangers", name="Rangers", kind="police_agency", country="US")
    decide("us-nc-new-durham", DURHAM, "no_match", "a namesake", actor="tests")
    decide(RALEIGH, "us-wy-new-rangers", "match", "same body, renamed", actor="tests")
    Entity.objects.filter(pk__in=["us-nc-new-durham"]).delete()
    found = resolve_incoming(ITEMS, actor="tests")
    assert found[0].entity_id != DURHAM  # ruled out by a person, however high it scores
    assert found[0].candidate is None or found[0].candidate.record.id != DURHAM
    assert (found[2].outcome, found[2].entity_id) == ("linked", RALEIGH)


def test_an_undone_match_no_longer_links(seeded: Any) -> None:
    Entity.objects.create(id="us-wy-new-rangers", name="Rangers", kind="police_agency", country="US")
    decision = decide(RALEIGH, "us-wy-new-rangers", "match", actor="tests")
    undo(decision.pk, actor="tests")
    Entity.objects.filter(pk="us-wy-new-rangers").delete()
    assert resolve_incoming(ITEMS[2:], actor="tests")[0].outcome == "created"


def test_queue_pairs_stores_once_and_never_a_decided_pair(seeded: Any) -> None:
    found = resolve_incoming(ITEMS, actor="tests")
    Entity.objects.create(id="us-nc-new-district", name="Durham Police Dept District 2", kind="police_agency",
                          country="US")
    pair = (DURHAM, "us-nc-new-district", found[1].candidate)
    assert queue_pairs([pair], actor="tests") == 1
    stored = CandidatePair.objects.get()
    assert (stored.left_id, stored.right_id, stored.actor) == (DURHAM, "us-nc-new-district", "tests")
    assert stored.features and all({"name", "weight", "detail"} <= set(f) for f in stored.features)
    assert queue_pairs([pair], actor="tests") == 0
    stored.delete()
    decide(DURHAM, "us-nc-new-district", "no_match", actor="tests")
    assert queue_pairs([(pair[1], pair[0], pair[2])], actor="tests") == 0


def test_resolve_run_merges_the_certain_and_never_overrides_a_person(duplicated: Any, capsys: Any) -> None:
    assert main(["resolve", "run", "--json"]) == 0
    counts = json.loads(capsys.readouterr().out)
    assert counts["merged"] >= 1
    automatic = Decision.objects.get(left_id__in=[DURHAM, "us-nc-durham-pd"], right_id__in=[DURHAM, "us-nc-durham-pd"])
    assert automatic.automatic and automatic.judgement == "match" and automatic.features
    assert automatic.merge is not None
    assert Entity.objects.filter(pk__in=[DURHAM, "us-nc-durham-pd"]).count() == 1
    undo(automatic.pk, actor="an editor")  # a person says: not so fast
    assert main(["resolve", "run", "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["merged"] == 0 and again["left_alone"] >= 1
    assert Entity.objects.filter(pk__in=[DURHAM, "us-nc-durham-pd"]).count() == 2
    assert Decision.objects.filter(automatic=True).count() == counts["merged"]


def test_resolve_run_dry_run_writes_nothing(duplicated: Any, capsys: Any) -> None:
    assert main(["resolve", "run", "--dry-run"]) == 0
    assert "dry run" in capsys.readouterr().out
    assert not Decision.objects.exists() and not CandidatePair.objects.exists()
    assert Entity.objects.filter(pk="us-nc-durham-pd").exists()


def test_known_and_merged_away_ids_link_without_the_engine(duplicated: Any) -> None:
    from tiewatch.resolution.merges import merge_entities

    merge = merge_entities(DURHAM, "us-nc-durham-pd", actor="tests")
    found = resolve_incoming([(RALEIGH, Query("Something else entirely", state="WY")),
                              (merge.merged_id, Query("Unrelated name", state="WY"))], actor="tests")
    assert [(r.entity_id, r.outcome, r.candidate) for r in found] == [(RALEIGH, "linked", None),
                                                                      (merge.canonical_id, "linked", None)]
