"""/api/reconcile as OpenRefine calls it: the manifest (also as JSONP), form-encoded `queries`
batches, previews and suggestions; bad input is a clear 400 in the API's one error shape."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tiewatch.core.records import ENTITY_KINDS
from tiewatch.registry.models import Entity

ATLANTA = "us-ga-atlanta-police-department"
DURHAM = "us-nc-durham-police-department"


def reconcile(client: Any, queries: Any) -> Any:
    """As OpenRefine sends a batch: POST, application/x-www-form-urlencoded, `queries` a JSON string."""
    return client.post("/api/reconcile", {"queries": queries if isinstance(queries, str) else json.dumps(queries)})


@pytest.mark.django_db
def test_manifest(client: Any, seeded: Any) -> None:
    manifest = client.get("/api/reconcile").json()
    assert manifest["versions"] == ["0.1", "0.2"]
    assert manifest["name"].startswith("tiewatch")
    assert manifest["identifierSpace"] == "http://testserver/entities/"
    assert manifest["schemaSpace"].startswith("http://testserver/api/reconcile")
    assert [t["id"] for t in manifest["defaultTypes"]] == list(ENTITY_KINDS)
    assert manifest["view"]["url"] == "http://testserver/entities/{{id}}/"
    assert manifest["preview"]["url"] == "http://testserver/api/reconcile/preview?id={{id}}"
    assert manifest["preview"]["width"] > 0 and manifest["preview"]["height"] > 0
    assert manifest["suggest"]["entity"]["service_path"] == "/suggest"
    # The view template names a real entity page once OpenRefine fills in an id.
    page = client.get(manifest["view"]["url"].replace("{{id}}", ATLANTA).replace("http://testserver", ""))
    assert page.status_code == 200


@pytest.mark.django_db
def test_manifest_as_jsonp(client: Any, seeded: Any) -> None:
    response = client.get("/api/reconcile", {"callback": "jsonp1234"})
    assert response["Content-Type"].startswith("text/javascript")
    body = response.content.decode()
    assert body.startswith("/**/jsonp1234(") and body.endswith(");")
    assert json.loads(body[len("/**/jsonp1234("):-2])["versions"] == ["0.1", "0.2"]
    bad = client.get("/api/reconcile", {"callback": "alert(1)//"})
    assert bad.status_code == 400 and bad.json()["error"]["fields"] == {"callback": ["not a JavaScript name"]}


@pytest.mark.django_db
def test_form_encoded_batch_as_openrefine_sends_it(client: Any, seeded: Any) -> None:
    response = reconcile(client, {
        "q0": {"query": "ATLANTA POLICE DEPT", "type": "police_agency", "limit": 3,
               "properties": [{"pid": "state", "v": "GA"}], "type_strict": "should"},
        "q1": {"query": "Durham Police", "properties": [{"pid": "state", "v": "NC"}, {"pid": "country", "v": "US"}]},
        "q2": {"query": "Zzyzx Quux Authority", "limit": 1},
    })
    assert response.status_code == 200, response.content
    assert response["Access-Control-Allow-Origin"] == "*"
    data = response.json()
    assert list(data) == ["q0", "q1", "q2"]
    best = data["q0"]["result"][0]
    assert best["id"] == ATLANTA and best["name"] == "Atlanta Police Department"
    assert best["type"] == [{"id": "police_agency", "name": "police agency"}]
    assert 0 <= best["score"] <= 100 and best["match"] is True
    assert best["features"] and {"id", "value"} == set(best["features"][0])
    assert "state" in best["description"]
    assert len(data["q0"]["result"]) <= 3 and len(data["q2"]["result"]) <= 1
    assert data["q1"]["result"][0]["id"] == DURHAM
    assert not any(r["match"] for r in data["q2"]["result"])


@pytest.mark.django_db
def test_get_with_queries_and_callback(client: Any, seeded: Any) -> None:
    queries = json.dumps({"q0": {"query": "Atlanta Police Department"}})
    plain = client.get("/api/reconcile", {"queries": queries}).json()
    assert plain["q0"]["result"][0]["id"] == ATLANTA
    wrapped = client.get("/api/reconcile", {"queries": queries, "callback": "cb.done"}).content.decode()
    assert wrapped.startswith("/**/cb.done(") and ATLANTA in wrapped


@pytest.mark.django_db
def test_json_body_forms(client: Any, seeded: Any) -> None:
    old = client.post("/api/reconcile", json.dumps({"queries": {"a": {"query": "Atlanta Police Department"}}}),
                      content_type="application/json").json()
    assert old["a"]["result"][0]["id"] == ATLANTA
    newer = client.post("/api/reconcile", json.dumps({"queries": [
        {"query": "Durham Police Department", "type": "police_agency", "limit": 2,
         "conditions": [{"matchType": "property", "propertyId": "state", "propertyValue": "NC"}]}]}),
        content_type="application/json")
    assert newer.status_code == 200, newer.content
    candidate = newer.json()["results"][0]["candidates"][0]
    assert candidate["id"] == DURHAM and candidate["types"][0]["id"] == "police_agency"


@pytest.mark.django_db
@pytest.mark.parametrize(("queries", "field", "words"), [
    ("{q0: {query: 'x'}", "queries", "not usable JSON"),
    ("[1, 2]", "queries", "must be a JSON object"),
    ("{}", "queries", "must be a JSON object"),
    ('{"q0": 5}', "queries.q0", "object with `query`"),
    ('{"q0": {"query": 5}}', "queries.q0.query", "`query` as text"),
    ('{"q0": {"query": ""}}', "queries.q0.query", "invalid"),
    ('{"q0": {"query": "x", "limit": 0}}', "queries.q0.limit", "`limit`"),
    ('{"q0": {"query": "x", "properties": [{"pid": "colour", "v": "red"}]}}', "queries.q0.properties.0",
     "Unknown property 'colour'"),
    ('{"q0": {"query": "x", "properties": [{"pid": "state", "v": "ZZ"}]}}', "queries.q0.state", "invalid"),
    ('{"q0": {"query": "x", "type": "spaceship"}}', "queries.q0.kind", "invalid"),
    ('{"q0": {"query": "a\\u0000b"}}', "q0.query", "not usable JSON"),
])
def test_bad_queries_are_a_clear_400(client: Any, seeded: Any, queries: str, field: str, words: str) -> None:
    response = reconcile(client, queries)
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "bad_request" and words in error["message"]
    assert field in error["fields"], error


@pytest.mark.django_db
def test_too_many_queries(client: Any, seeded: Any) -> None:
    response = reconcile(client, {f"q{i}": {"query": "x"} for i in range(1001)})
    assert response.status_code == 400 and "1,000" in response.json()["error"]["message"]


@pytest.mark.django_db
def test_preview_and_suggest_respect_drafts(client: Any, seeded: Any, users: Any) -> None:
    preview = client.get("/api/reconcile/preview", {"id": ATLANTA})
    assert preview.status_code == 200 and preview["Content-Type"].startswith("text/html")
    assert "<h1>Atlanta Police Department</h1>" in preview.content.decode()
    assert client.get("/api/reconcile/preview", {"id": "no-such"}).json()["error"]["code"] == "not_found"
    names = [r["name"] for r in client.get("/api/reconcile/suggest", {"prefix": "atla"}).json()["result"]]
    assert names == ["Atlanta Police Department"]
    Entity.objects.filter(pk=ATLANTA).update(published=False)
    assert client.get("/api/reconcile/preview", {"id": ATLANTA}).status_code == 404
    assert client.get("/api/reconcile/suggest", {"prefix": "atla"}).json()["result"] == []
    assert ATLANTA not in reconcile(client, {"q0": {"query": "Atlanta Police Department"}}).content.decode()
    client.force_login(users["charlie"])
    assert client.get("/api/reconcile/preview", {"id": ATLANTA}).status_code == 200
