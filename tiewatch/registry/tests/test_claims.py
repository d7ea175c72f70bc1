"""Claims side by side (docs/registry.md#claims-and-confidence): the bundle format (with file:line
errors and nothing written on a bad claim), idempotent re-imports, the JSON export round trip, the
pages and API showing every claim of a fact, and the policy screening relying on the contested
Durham fact as disputed evidence, naming both claims."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from tiewatch.cli import main
from tiewatch.core.errors import ValidationFailed
from tiewatch.registry.exporters import bundle_dict, export_querysets
from tiewatch.registry.importers import import_bundle
from tiewatch.registry.models import ChangeRecord, Claim

DURHAM = "us-nc-durham-police-department"
DURHAM_TIE = "us-nc-durham-police-department--adl-ncts--2008"
IDF = "il-israel-defense-forces"
MEMO = "https://voice4israel.com/police-memo-chief-lopez-received-no-military-training-from-israel"
CAMPAIGN = "us-demilitarize-durham2palestine-coalition"


def write(folder: Path, text: str, name: str = "claims.yaml") -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text))
    return path


def test_the_durham_seminar_carries_two_claims_side_by_side(seeded: Any) -> None:
    claims = list(Claim.objects.filter(tie_id=DURHAM_TIE).order_by("position"))
    assert [(c.value, c.confidence, c.claimant_id) for c in claims] == [
        (False, "official_record", DURHAM), (True, "party_claim", CAMPAIGN)]
    assert [s.url for s in claims[0].sources.all()] == [MEMO]
    assert claims[0].retrieved_on is not None and claims[0].retrieved_on.isoformat() == "2026-11-28"


def test_reimporting_the_seed_changes_no_claim(seeded: Any) -> None:
    from conftest import DEMO_SEED

    before = ChangeRecord.objects.filter(model="claims").count()
    result = import_bundle([DEMO_SEED], actor="tests")
    assert result.counts["claims"].updated == 0 and result.counts["claims"].unchanged == 1
    assert ChangeRecord.objects.filter(model="claims").count() == before


def test_bad_claims_name_file_line_and_field_and_write_nothing(db: Any, tmp_path: Path) -> None:
    path = write(tmp_path, """\
        sources:
        - id: s1
          url: https://example.org/one
        entities:
        - id: us-nc-claims-unit
          name: Claims Unit
          kind: police_agency
          claims:
          - fact: participants
            value: 12
            confidence: one_sorce
            claimant_name: A reporter
            sources: [s1]
          - fact: Bad Name
            value: 3
            confidence: one_source
            claimant: us-nc-nobody
            sources: [https://example.org/not-in-bundle]
            retrieved_on: 2020-13-01
          - just text
        """)
    with pytest.raises(ValidationFailed) as failed:
        import_bundle([path], actor="tests")
    lines = [str(p) for p in failed.value.problems]
    assert any(f"{path}:9: claims[0].confidence: unknown grade 'one_sorce'" in line and "one_source" in line
               for line in lines), lines
    assert any(f"{path}:14: claims[1].fact:" in line for line in lines), lines
    assert any(f"{path}:14: claims[1].retrieved_on:" in line for line in lines), lines
    assert any("claims[2]: each claim is a mapping" in line for line in lines), lines
    assert not Claim.objects.exists()


def test_claim_references_must_exist(db: Any, tmp_path: Path) -> None:
    path = write(tmp_path, """\
        entities:
        - id: us-nc-claims-unit
          name: Claims Unit
          kind: police_agency
          claims:
          - fact: participants
            value: 3
            confidence: one_source
            claimant: us-nc-nobody
            sources: [https://example.org/not-in-bundle]
        """)
    with pytest.raises(ValidationFailed) as failed:
        import_bundle([path], actor="tests")
    lines = [str(p) for p in failed.value.problems]
    assert any(f"{path}:6: claims[0].claimant: unknown entity id 'us-nc-nobody'" in line for line in lines), lines
    assert any(f"{path}:6: claims[0].sources: unknown source" in line for line in lines), lines


def test_export_round_trips_claims(seeded: Any, tmp_path: Path) -> None:
    data = bundle_dict(*export_querysets(include_drafts=True))
    tie = next(t for t in data["ties"] if t["id"] == DURHAM_TIE)
    assert [c["value"] for c in tie["claims"]] == [False, True]
    assert tie["claims"][0]["confidence"] == "official_record" and tie["claims"][0]["claimant"] == DURHAM
    Claim.objects.all().delete()
    path = tmp_path / "export.json"
    path.write_text(json.dumps(data))
    import_bundle([path], actor="roundtrip")
    again = bundle_dict(*export_querysets(include_drafts=True))
    assert next(t for t in again["ties"] if t["id"] == DURHAM_TIE)["claims"] == tie["claims"]


def test_a_record_without_claims_keeps_its_stored_claims(seeded: Any, tmp_path: Path) -> None:
    path = write(tmp_path, f"""\
        ties:
        - id: {DURHAM_TIE}
          subject: {DURHAM}
          counterparts: [il-israel-police]
          program: program-adl-ncts
          kind: training
          years: [2008]
          attributes:
            military_style_training: disputed
          uncertain: true
          sources: ["{MEMO}"]
        """)
    import_bundle([path], actor="tests")
    assert Claim.objects.filter(tie_id=DURHAM_TIE).count() == 2


def test_tie_page_and_api_show_every_claim(client: Any, seeded: Any) -> None:
    page = client.get(f"/ties/{DURHAM_TIE}/").content.decode()
    assert "Claims side by side" in page and "claims conflict" in page
    assert "official record" in page and "a party&#x27;s own claim" in page
    assert page.count('class="claim"') == 2
    body = client.get(f"/api/ties/{DURHAM_TIE}/claims").json()
    (fact,) = body["facts"]
    assert fact["fact"] == "military_style_training" and fact["conflicting"] is True
    assert [c["value"] for c in fact["claims"]] == [False, True]
    assert client.get("/api/ties/no-such-tie/claims").json()["error"]["code"] == "not_found"
    assert client.get(f"/api/entities/{DURHAM}/claims").json() == {"record": DURHAM, "facts": []}


def test_durham_verdict_relies_on_the_contested_fact_as_disputed(seeded: Any, capsys: Any) -> None:
    rc = main(["check", "--subject", DURHAM, "--counterpart", IDF, "--kind", "exchange", "--date", "2018-05-01",
               "--json"])
    assert rc == 0
    literal = next(f for f in json.loads(capsys.readouterr().out)["findings"] if f["rule"] == "literal")
    (evidence,) = literal["evidence"]
    assert evidence["tie"] == DURHAM_TIE and evidence["status"] == "disputed"
    assert [(c["claimant"], c["value"], c["confidence"]) for c in evidence["claims"]] == [
        (DURHAM, False, "official_record"), (CAMPAIGN, True, "party_claim")]
    assert any("rests on 2 claim(s), relied on as disputed" in r for r in literal["reasons"])


def test_check_page_shows_both_claims(client: Any, seeded: Any) -> None:
    page = client.get("/check/", {"subject": DURHAM, "counterpart": IDF, "kind": "exchange",
                                           "date": "2018-05-01"}).content.decode()
    assert f"claim: {DURHAM} says <strong>False</strong> (official_record)" in page
    assert f"claim: {CAMPAIGN} says <strong>True</strong> (party_claim)" in page


def test_an_editor_adds_a_claim_in_the_admin_and_it_is_audited(client: Any, seeded: Any, users: Any) -> None:
    from tiewatch.registry.models import Source

    client.force_login(users["bob"])
    source = Source.objects.get(url=MEMO)
    response = client.post("/admin/registry/claim/add/", {
        "tie": DURHAM_TIE, "fact": "participants", "value": "1", "confidence": "one_source",
        "claimant_name": "A reporter", "sources": [source.pk], "retrieved_on": "2026-11-29", "quote": "",
        "position": "0"})
    assert response.status_code == 302, response.content.decode()[:2000]
    claim = Claim.objects.get(tie_id=DURHAM_TIE, fact="participants")
    assert claim.value == 1 and [s.pk for s in claim.sources.all()] == [source.pk]
    change = ChangeRecord.objects.get(model="claim", object_id=str(claim.pk))
    assert change.action == "create" and change.after["fact"] == "participants"
    assert change.after["sources"] == [source.pk]
    page = client.get(f"/ties/{DURHAM_TIE}/").content.decode()
    assert 'data-fact="participants"' in page
    client.force_login(users["charlie"])  # a viewer reads claims but does not add them
    assert client.get("/admin/registry/claim/").status_code == 200
    assert client.get("/admin/registry/claim/add/").status_code == 403


def test_entity_page_shows_its_claims(client: Any, db: Any, tmp_path: Path) -> None:
    path = write(tmp_path, """\
        sources:
        - id: s1
          url: https://example.org/one
        - id: s2
          url: https://example.org/two
        entities:
        - id: us-nc-claims-unit
          name: Claims Unit
          kind: police_agency
          sources: [s1]
          claims:
          - fact: sworn_officers
            value: 120
            confidence: official_record
            claimant_name: The unit's annual report
            sources: [s1]
          - fact: sworn_officers
            value: 140
            confidence: one_source
            claimant_name: A local paper
            sources: [https://example.org/two]
        """)
    import_bundle([path], actor="tests")
    page = client.get("/entities/us-nc-claims-unit/").content.decode()
    assert "Sworn officers" in page and "claims conflict" in page
    assert "The unit&#x27;s annual report" in page and "A local paper" in page and page.count('class="claim"') == 2
    body = client.get("/api/entities/us-nc-claims-unit/claims").json()
    assert [c["value"] for c in body["facts"][0]["claims"]] == [120, 140]
    assert [c["sources"] for c in body["facts"][0]["claims"]] == [["s1"], ["s2"]]
