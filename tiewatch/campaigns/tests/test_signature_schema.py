"""One declared signature (schemas.SignatureIn) for the API's documentation, the API's validation and
the HTML form's: the same input gets the same per-field messages everywhere."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from tiewatch.campaigns.models import Petition
from tiewatch.campaigns.schemas import SignatureIn
from tiewatch.campaigns.tests.conftest import signer
from tiewatch.campaigns.validation import validate_signature

BAD_INPUTS = [
    {"name": "", "email": "nope"},
    {"name": "A", "email": "", "consent": "on", "comment": "c" * 2001},
    {"name": "Ada Lovelace", "email": "ada@example.org", "consent": "on"},  # neither address nor postal code
    {"name": "Ada Lovelace", "email": "ada@example.org", "consent": "on", "postal_code": "1" * 21},
]


def test_the_api_documents_the_schema_it_validates_with(client: Client, db: Any) -> None:
    spec = client.get("/api/openapi.json").json()
    body = spec["paths"]["/api/petitions/{slug}/signatures"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"] == SignatureIn.model_json_schema()
    assert "website" not in body["schema"]["properties"]  # the form's honeypot is not advertised


@pytest.mark.parametrize("data", BAD_INPUTS)
def test_form_and_api_give_the_same_field_messages(client: Client, petition: Petition, data: dict[str, Any]) -> None:
    _, errors = validate_signature(data)
    assert errors
    api = client.post(f"/api/petitions/{petition.slug}/signatures", json.dumps(data), content_type="application/json")
    assert api.status_code == 422 and api.json()["error"]["fields"] == errors
    page = client.post(f"/petitions/{petition.slug}/", data)
    assert page.status_code == 422
    html = page.content.decode()
    for field, messages in errors.items():
        assert f'id="error-{field}">{" ".join(messages)}</span>' in html


def test_messages_name_their_field() -> None:
    _, errors = validate_signature({"name": ["x"], "email": "a@b", "postal_code": 27701, "comment": "y" * 2001,
                                    "consent": "yes"})
    assert errors == {"name": ["Enter text."], "email": ["Enter a valid email address."],
                      "comment": ["Ensure this value has at most 2000 characters (it has 2001)."]}


def test_lenient_types_as_before() -> None:
    clean, errors = validate_signature({"name": "  Ada   Lovelace ", "email": " ada@example.org ", "postal_code": 27701,
                                        "resident": "on", "consent": "TRUE", "show_publicly": "no"})
    assert errors == {}
    assert clean == {"name": "Ada Lovelace", "email": "ada@example.org", "address": "", "postal_code": "27701",
                     "city": "", "resident": True, "comment": "", "consent": True, "show_publicly": False,
                     "website": ""}


def test_a_failed_signature_keeps_its_valid_fields() -> None:
    # The rate limits count a wrong attempt against its (valid) email.
    clean, errors = validate_signature({**signer(1), "name": ""})
    assert list(errors) == ["name"]
    assert clean["email"] == "signer1@example.org" and "name" not in clean and clean["consent"] is True


def test_the_address_rule_waits_for_a_valid_address() -> None:
    _, errors = validate_signature({"name": "Ada L", "email": "a@example.org", "consent": True, "address": ["x"]})
    assert errors == {"address": ["Enter text."]}
