"""Hostile input is a 4xx in the one JSON error shape, never a 5xx, on SQLite and PostgreSQL alike:
a lone surrogate or a NUL in a signer's text, a body nested 100,000 deep, an over-size body, a NUL in
a query parameter; the HTML form shows the same refusals under their fields."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from tiewatch.campaigns.models import OutboxMessage, Petition, Signature
from tiewatch.campaigns.tests.conftest import signer

pytestmark = pytest.mark.django_db

DEEP = b"[" * 100_000


def sign(client: Client, slug: str, body: bytes | str) -> Any:
    return client.post(f"/api/petitions/{slug}/signatures", body, content_type="application/json")


def error_of(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
    return body["error"]


@pytest.fixture
def anon() -> Client:
    """A client that answers server errors as responses (as a browser sees them) instead of raising."""
    return Client(raise_request_exception=False)


@pytest.mark.parametrize("field", ["name", "comment", "city", "address"])
def test_lone_surrogate_in_a_signature_is_422_naming_the_field(anon: Client, petition: Petition, field: str) -> None:
    data = signer(1, **{field: "Ada \ud800 Lovelace"})
    error = error_of(sign(anon, petition.slug, json.dumps(data)), 422)
    assert error["code"] == "invalid" and list(error["fields"]) == [field]
    assert not Signature.objects.exists() and not OutboxMessage.objects.exists()


@pytest.mark.parametrize("field", ["name", "comment"])
def test_nul_in_a_signature_is_422_on_every_database(anon: Client, petition: Petition, field: str) -> None:
    data = signer(1, **{field: "Ada\x00 Lovelace"})
    error = error_of(sign(anon, petition.slug, json.dumps(data)), 422)
    assert error["fields"] == {field: ["Null characters are not allowed."]}
    assert not Signature.objects.exists()


def test_a_nul_or_surrogate_in_a_key_or_nested_value_is_named_by_its_place(anon: Client, petition: Petition) -> None:
    error = error_of(sign(anon, petition.slug, json.dumps({**signer(1), "extra": [{"k\x00": "v"}]})), 422)
    assert list(error["fields"]) == ["extra.0.k\x00"]
    error = error_of(sign(anon, petition.slug, json.dumps({**signer(1), "extra": ["\udfff"]})), 422)
    assert list(error["fields"]) == ["extra.0"]


@pytest.mark.parametrize("path", ["/api/petitions/{slug}/signatures", "/api/signatures/confirm", "/api/check",
                                  "/api/arms/check"])
def test_deeply_nested_body_is_422_on_every_json_endpoint(anon: Client, petition: Petition, path: str) -> None:
    r = anon.post(path.format(slug=petition.slug), DEEP, content_type="application/json")
    error = error_of(r, 422)
    assert error["code"] == "invalid" and "nested deeper than 64 levels" in error["message"]
    # Deep but parseable (under the interpreter's recursion limit) is refused by the same rule.
    r = anon.post(path.format(slug=petition.slug), "[" * 200 + "]" * 200, content_type="application/json")
    assert "nested deeper" in error_of(r, 422)["message"]


def test_text_that_cannot_be_stored_is_refused_on_schema_endpoints_too(anon: Client) -> None:
    r = anon.post("/api/signatures/confirm", json.dumps({"token": "a\x00b"}), content_type="application/json")
    assert error_of(r, 422)["fields"] == {"token": ["Null characters are not allowed."]}
    r = anon.post("/api/signatures/confirm", '{"token": "\\ud800"}', content_type="application/json")
    assert list(error_of(r, 422)["fields"]) == ["token"]
    r = anon.post("/api/signatures/confirm", b"{nope", content_type="application/json")
    assert error_of(r, 422)["message"] == "The body is not valid JSON."


def test_over_size_body_is_413_in_the_error_shape(anon: Client, petition: Petition, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    big = json.dumps({**signer(1), "comment": "x" * 2000})
    error = error_of(sign(anon, petition.slug, big), 413)
    assert error["code"] == "too_large" and "1,000 bytes" in error["message"]
    r = anon.post("/api/signatures/confirm", big, content_type="application/json")
    assert error_of(r, 413)["code"] == "too_large"
    assert not Signature.objects.exists()


def test_nul_in_a_query_parameter_is_422_naming_it(anon: Client, seeded: Any) -> None:
    for url, field in (("/api/entities?q=%00", "q"), ("/api/ties?country=I%00L", "country"),
                       ("/api/findings?policy=%00", "policy")):
        error = error_of(anon.get(url), 422)
        assert field in error["fields"], (url, error)


@pytest.mark.parametrize("field", ["name", "comment"])
def test_form_shows_a_nul_as_a_field_error_once(anon: Client, petition: Petition, field: str) -> None:
    data = {k: ("on" if v is True else v) for k, v in signer(1).items() if v is not False}
    data[field] = "Ada\x00 Lovelace"
    r = anon.post(f"/petitions/{petition.slug}/", data)
    assert r.status_code == 422
    html = r.content.decode()
    assert f'id="error-{field}">Null characters are not allowed.</span>' in html
    assert html.count("Null characters are not allowed.") == 1
    assert not Signature.objects.exists()


def test_valid_signature_still_accepted(anon: Client, petition: Petition) -> None:
    r = sign(anon, petition.slug, json.dumps(signer(1, name="Zoë Ødegaard", comment="naïve ✓ 👍")))
    assert r.status_code == 202, r.content
    assert Signature.objects.get().name == "Zoë Ødegaard"


@pytest.mark.parametrize("url", ["/api/petitions/%00", "/api/hearings/a%00", "/api/votes/%00", "/api/letters/%00",
                                 "/api/campaigns/%00", "/api/entities/%00", "/api/policies/%00"])
def test_nul_in_a_path_parameter_is_422_naming_it(anon: Client, url: str) -> None:
    error = error_of(anon.get(url), 422)
    assert list(error["fields"]) in (["slug"], ["id"], ["policy_id"])


def test_too_many_query_fields_is_400_in_the_error_shape(anon: Client, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    error = error_of(anon.get("/api/entities?" + "&".join(f"f{i}=1" for i in range(20))), 400)
    assert error["code"] == "bad_request"
