"""`tiewatch match` and `POST /api/match`: ranked, explained candidates; hints checked; drafts kept
from the public; batches of up to 1,000 answered in order."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tiewatch.cli import main
from tiewatch.registry.models import Entity

ATLANTA = "us-ga-atlanta-police-department"


def post(client: Any, body: Any) -> Any:
    return client.post("/api/match", json.dumps(body), content_type="application/json")


@pytest.mark.django_db
def test_cli_match_json_explains_every_feature(seeded: Any, capsys: Any) -> None:
    assert main(["match", "ATLANTA POLICE DEPT", "--state", "GA", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["query"]["state"] == "GA"
    best = out["candidates"][0]
    assert best["id"] == ATLANTA and best["band"] == "auto" and 0 < best["score"] <= 1
    assert best["features"] and all(f["detail"] and f["name"] for f in best["features"])
    assert {"name", "state"} <= {f["name"] for f in best["features"]}


@pytest.mark.django_db
def test_cli_match_text_in_plain_words(seeded: Any, capsys: Any) -> None:
    assert main(["match", "Atlanta PD", "--state", "ga", "--limit", "2"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("1. Atlanta Police Department [us-ga-atlanta-police-department]")
    assert "score " in text and "band " in text and "state:" in text
    assert "3. " not in text


@pytest.mark.django_db
def test_cli_match_bad_hints_name_the_option(seeded: Any, capsys: Any) -> None:
    assert main(["match", "Durham Police", "--state", "ZZ", "--kind", "sherif", "--country", "USA"]) == 1
    err = capsys.readouterr().err
    assert "--state: not a US postal code: 'ZZ'" in err
    assert "--kind: unknown entity kind 'sherif' (did you mean 'sheriff'?)" in err
    assert "--country:" in err
    assert main(["match", "   "]) == 1
    assert "--name: required" in capsys.readouterr().err
    assert main(["match", "Durham", "--limit", "0"]) == 1


@pytest.mark.django_db
def test_api_match_batch_answers_in_order(client: Any, seeded: Any) -> None:
    queries = [{"name": "DURHAM POLICE DEPT", "state": "NC"}, {"name": "Atlanta Police Department", "state": "GA"},
               {"name": "Zzyzx Quux Authority"}]
    response = post(client, {"queries": queries, "limit": 2})
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert [r["query"] for r in results] == [0, 1, 2]
    assert results[0]["candidates"][0]["id"] == "us-nc-durham-police-department"
    assert results[1]["candidates"][0]["id"] == ATLANTA
    assert all(len(r["candidates"]) <= 2 for r in results)
    assert all(c["band"] == "weak" for c in results[2]["candidates"])
    feature = results[1]["candidates"][0]["features"][0]
    assert set(feature) == {"name", "weight", "detail"}


@pytest.mark.django_db
def test_api_match_refuses_more_than_1000_queries(client: Any, seeded: Any) -> None:
    response = post(client, {"queries": [{"name": f"Agency {i}"} for i in range(1001)]})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid" and "queries" in error["fields"]
    assert "1000" in error["fields"]["queries"][0]
    assert post(client, {"queries": [{"name": f"Agency {i}"} for i in range(1000)], "limit": 1}).status_code == 200


@pytest.mark.django_db
def test_api_match_bad_hints_name_the_query(client: Any, seeded: Any) -> None:
    response = post(client, {"queries": [{"name": "Durham PD", "state": "NC"},
                                         {"name": "Durham PD", "state": "ZZ", "kind": "cops"}]})
    assert response.status_code == 422
    fields = response.json()["error"]["fields"]
    assert set(fields) == {"queries.1.state", "queries.1.kind"}
    assert post(client, {"queries": []}).status_code == 422
    assert post(client, {"queries": [{"name": ""}]}).status_code == 422
    bad = client.post("/api/match", "{not json", content_type="application/json")
    assert bad.status_code == 422 and bad.json()["error"]["message"] == "The body is not valid JSON."


@pytest.mark.django_db
def test_api_match_keeps_drafts_from_the_public(client: Any, seeded: Any, users: Any) -> None:
    Entity.objects.filter(pk=ATLANTA).update(published=False)
    body = {"queries": [{"name": "Atlanta Police Department", "state": "GA"}]}
    public = post(client, body).json()["results"][0]["candidates"]
    assert ATLANTA not in {c["id"] for c in public}
    client.force_login(users["charlie"])
    staff = post(client, body).json()["results"][0]["candidates"]
    assert staff[0]["id"] == ATLANTA
