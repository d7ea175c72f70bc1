"""/api/ answers with an index of the API; /api/docs works offline (Swagger UI from our own static
files, never a CDN); the site has a favicon."""

from __future__ import annotations

import re

import pytest
from django.test import Client


@pytest.mark.django_db
def test_api_index_lists_docs_schema_and_endpoints(client: Client) -> None:
    response = client.get("/api/")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["docs"] == "/api/docs" and body["openapi"] == "/api/openapi.json"
    schema = client.get("/api/openapi.json").json()
    listed = {(e["method"], e["path"]) for e in body["endpoints"]}
    expected = {(method.upper(), path) for path, ops in schema["paths"].items() for method in ops}
    assert listed == expected and ("GET", "/api/ties") in listed


@pytest.mark.django_db
def test_api_docs_load_only_local_assets(client: Client) -> None:
    page = client.get("/api/docs").content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert assets and all(a.startswith("/static/") for a in assets), assets
    assert "cdn" not in page.lower()
    for asset in assets:
        response = client.get(asset)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert response.status_code == 200 and body, asset
    assert "/static/ninja/swagger-ui-bundle.js" in assets and "/static/ninja/swagger-ui.css" in assets


@pytest.mark.django_db
def test_favicon(client: Client) -> None:
    home = client.get("/").content.decode()
    icons = re.findall(r'<link rel="icon" href="([^"]+)"', home)
    assert icons == ["/static/favicon.svg", "/static/favicon.ico"]
    for icon in icons:
        assert client.get(icon).status_code == 200
    redirect = client.get("/favicon.ico")
    assert redirect.status_code == 301 and redirect["Location"] == "/static/favicon.ico"
