"""The Django side: screening runs and their diffs, CLI, pages and API over the seeded registry."""

from __future__ import annotations

import json
import textwrap

import pytest

from tiewatch.cli import main
from tiewatch.policies import services
from tiewatch.policies.models import Finding, ScreeningRun

DURHAM = "us-nc-durham-2018-international-police-exchanges"
DPD = "us-nc-durham-police-department"
IDF = "il-israel-defense-forces"
ATLANTA_TIE = "us-ga-atlanta-police-department--adl-ncts--2009"

ATLANTA_PACK = textwrap.dedent("""\
    id: test-atlanta
    title: Test policy
    jurisdiction: ocd-division/country:us/state:ga/place:atlanta
    body: Council
    type: ordinance
    binding: true
    adopted: 2000-01-01
    text: No training with Israeli forces.
    sources: [https://example.org/x]
    rules:
      - id: r1
        clause: No training with Israeli forces.
        effect: prohibit
        binds: {entities: [us-ga-atlanta-police-department]}
        tie_kinds: [training]
        conditions:
          counterpart_country_in: [IL]
    """)

pytestmark = pytest.mark.django_db


def test_rescreening_records_appeared_and_disappeared(seeded, tmp_path):
    from tiewatch.registry.models import Tie

    (tmp_path / "a.yaml").write_text(ATLANTA_PACK)
    run1, found = services.run_screening(str(tmp_path))
    assert run1.appeared == 4 and run1.disappeared == 0  # four Israeli counterparts
    assert {f.tie for f in found} == {ATLANTA_TIE}
    run2, _ = services.run_screening(str(tmp_path))
    assert run2.appeared == 0 and run2.disappeared == 0
    assert Finding.objects.filter(disappeared_run__isnull=True, last_run=run2).count() == 4
    # the tie changes: it was cancelled
    Tie.objects.filter(id=ATLANTA_TIE).update(status="cancelled")
    run3, _ = services.run_screening(str(tmp_path))
    assert run3.disappeared == 4 and run3.appeared == 0
    assert not Finding.objects.filter(disappeared_run__isnull=True).exists()
    gone = Finding.objects.first()
    assert gone.disappeared_run == run3 and gone.disappeared_at and gone.first_run == run1
    # the tie is restored and the policy changes: only the IDF counterpart is caught now
    Tie.objects.filter(id=ATLANTA_TIE).update(status="reported")
    (tmp_path / "a.yaml").write_text(ATLANTA_PACK.replace("counterpart_country_in: [IL]",
                                                          "counterpart_id_in: [il-israel-defense-forces]"))
    run4, _ = services.run_screening(str(tmp_path))
    assert run4.appeared == 1 and run4.policy_set_hash != run1.policy_set_hash
    assert ScreeningRun.objects.count() == 4


def test_run_pages_show_changes(seeded, client, tmp_path):
    from tiewatch.registry.models import Tie

    (tmp_path / "a.yaml").write_text(ATLANTA_PACK)
    run1, _ = services.run_screening(str(tmp_path))
    Tie.objects.filter(id=ATLANTA_TIE).update(status="cancelled")
    run2, _ = services.run_screening(str(tmp_path))
    html = client.get(f"/policies/runs/{run1.pk}/").content.decode()
    assert html.count(f"/ties/{ATLANTA_TIE}/") == 4
    rows = client.get(f"/policies/runs/{run2.pk}/?format=json").json()
    assert len(rows) == 4 and {r["change"] for r in rows} == {"disappeared"}
    d = client.get(f"/api/screening-runs/{run2.pk}").json()
    assert len(d["disappeared"]) == 4 and d["appeared"] == []
    assert client.get("/api/screening-runs/999").json()["error"]["code"] == "not_found"
    assert client.get("/policies/runs/999/").status_code == 404


def test_cli_check_json(seeded, capsys):
    rc = main(["check", "--subject", DPD, "--counterpart", IDF, "--kind", "exchange", "--date", "2018-05-01",
               "--json"])
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    assert out["verdict"] == "prohibited"
    assert set(out["findings"][0]) >= {"policy", "rule", "clause", "effect", "reasons", "evidence", "sources"}
    assert {f["policy"] for f in out["findings"]} == {DURHAM}
    literal = next(f for f in out["findings"] if f["rule"] == "literal")
    assert literal["evidence"][0]["status"] == "disputed"


def test_cli_check_allowed_exits_zero(seeded, capsys):
    assert main(["check", "--subject", DPD, "--counterpart", IDF, "--kind", "exchange", "--date", "2017-05-01"]) == 0
    assert "verdict: allowed" in capsys.readouterr().out


def test_cli_check_bad_input(seeded, capsys):
    rc = main(["check", "--subject", "us-nc-durham-police-dept", "--counterpart", IDF, "--kind", "exchnage",
               "--date", "2018-02-30"])
    assert rc == 1
    err = capsys.readouterr().err
    assert "subject: unknown entity 'us-nc-durham-police-dept' (did you mean 'us-nc-durham-police-department'?)" in err
    assert "kind: unknown tie kind 'exchnage' (did you mean 'exchange'?)" in err
    assert "date:" in err


def test_cli_screen_and_export(seeded, tmp_path, capsys):
    (tmp_path / "a.yaml").write_text(ATLANTA_PACK)
    assert main(["screen", "--policies", str(tmp_path)]) == 0
    assert "4 appeared" in capsys.readouterr().out
    out = tmp_path / "f.csv"
    assert main(["findings", "export", "--format", "csv", "--output", str(out)]) == 0
    lines = out.read_text().strip().splitlines()
    assert lines[0].startswith("tie,subject,counterpart,policy") and len(lines) == 5
    assert main(["findings", "export", "--format", "json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 4
    assert main(["screen", "--json", "--no-store"]) == 0
    assert json.loads(capsys.readouterr().out)["findings"] == []


def test_cli_policies_validate_without_db(tmp_path, capsys):
    (tmp_path / "bad.yaml").write_text(ATLANTA_PACK.replace("tie_kinds:", "tie_kind:"))
    assert main(["policies", "validate", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert f"{tmp_path / 'bad.yaml'}:15: rules[0].tie_kind: unknown field 'tie_kind' (did you mean 'tie_kinds'?)" in err
    assert main(["policies", "validate", str(services.laws_root())]) == 0
    assert main(["policies", "list", "--json"]) == 0
    assert DURHAM in capsys.readouterr().out


def test_policy_pages(seeded, client):
    r = client.get("/policies/")
    assert r.status_code == 200 and "Durham City Council" in r.content.decode()
    r = client.get(f"/policies/{DURHAM}/")
    html = r.content.decode()
    assert "military-style training" in html and "6 yes" in html and "common-reading" in html
    r = client.get("/policies/us-la-new-orleans-2018-human-rights-investment-resolution/")
    assert 'rescinded <time datetime="2018-01-25">25 January 2018</time>' in r.content.decode()
    assert client.get("/policies/nope/").status_code == 404
    r = client.get("/policies/places/")
    assert "ocd-division/country:us/state:nc/place:durham" in r.content.decode()
    assert client.get("/policies/?format=csv")["Content-Type"].startswith("text/csv")
    # one row per (place, instrument): Durham, New Orleans, the three Exampleville example rows and the five equipment laws
    assert len(client.get("/policies/places/?format=json").json()) == 10
    assert client.get("/policies/findings/").status_code == 200
    assert client.get("/policies/findings/?format=csv").status_code == 200
    assert client.get("/policies/runs/?format=json").json() == []


def test_check_page(seeded, client):
    r = client.get("/check/", {"subject": DPD, "counterpart": IDF, "kind": "exchange", "date": "2018-05-01"})
    html = r.content.decode()
    assert 'id="verdict" class="badge verdict-prohibited">prohibited' in html
    assert "The Council opposes international exchanges" in html
    r = client.get("/check/", {"subject": DPD, "counterpart": IDF, "kind": "exchange", "date": "2017-05-01"})
    assert ">allowed<" in r.content.decode()
    r = client.get("/check/", {"subject": "nobody", "counterpart": IDF, "kind": "exchange", "date": "2017-05-01"})
    assert "unknown entity" in r.content.decode()
    r = client.get("/check/", {"subject": DPD, "counterpart": IDF, "kind": "exchange", "date": "2018-05-01",
                               "format": "json"})
    assert r.json()["verdict"] == "prohibited"


def test_api(seeded, client):
    assert {p["id"] for p in client.get("/api/policies").json()} >= {DURHAM}
    assert client.get("/api/policies?format=csv")["Content-Type"].startswith("text/csv")
    d = client.get(f"/api/policies/{DURHAM}").json()
    assert d["vote"]["yes"] == 6 and len(d["rules"]) == 2
    assert client.get("/api/policies/nope").json()["error"]["code"] == "not_found"
    assert client.get("/api/policies/jurisdictions").status_code == 200
    r = client.post("/api/check", {"subject": DPD, "counterpart": IDF, "kind": "exchange", "date": "2018-05-01"},
                    content_type="application/json")
    assert r.status_code == 200 and r.json()["verdict"] == "prohibited"
    r = client.get("/api/check", {"subject": DPD, "counterpart": IDF, "kind": "exchange", "date": "2017-01-01"})
    assert r.json()["verdict"] == "allowed"
    r = client.post("/api/check", {"subject": DPD, "counterpart": IDF, "kind": "exchnage", "date": "2018-05-01"},
                    content_type="application/json")
    assert r.status_code == 422 and "kind" in r.json()["error"]["fields"]
    assert client.get("/api/findings").json() == []
    assert client.get("/api/findings?format=csv").status_code == 200
    assert client.get("/api/screening-runs").json() == []


def test_findings_pages_and_api_after_screening(seeded, client, tmp_path):
    (tmp_path / "a.yaml").write_text(ATLANTA_PACK)
    services.run_screening(str(tmp_path))
    html = client.get("/policies/findings/").content.decode()
    assert ATLANTA_TIE in html and "counterpart il-israel-defense-forces is in IL" in html
    rows = client.get("/policies/findings/?format=json").json()
    assert len(rows) == 4 and {r["policy"] for r in rows} == {"test-atlanta"}
    csv_text = client.get("/policies/findings/?format=csv").content.decode()
    assert csv_text.count(ATLANTA_TIE) == 4
    api_rows = client.get("/api/findings", {"policy": "test-atlanta"}).json()
    assert len(api_rows) == 4 and api_rows[0]["appeared_at"]
    assert client.get("/api/findings", {"effect": "report"}).json() == []
    runs = client.get("/api/screening-runs").json()
    assert runs[0]["appeared"] == 4
    assert "4" in client.get("/policies/runs/").content.decode()
