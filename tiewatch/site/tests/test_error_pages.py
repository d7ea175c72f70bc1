"""The site's 404 answers in the API's JSON error shape under /api/ and as a page elsewhere."""

from __future__ import annotations

from django.test import Client


def test_unknown_api_path_is_json_not_found(client: Client) -> None:
    response = client.get("/api/no-such-endpoint")
    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": "Not found.", "fields": {}}}


def test_unknown_page_is_the_html_404(client: Client) -> None:
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "text/html" in response["Content-Type"]
    assert "Nothing is recorded at <code>/no-such-page/</code>" in response.content.decode()


def test_server_error_renders_the_500_page() -> None:
    from django.test import RequestFactory

    from tiewatch.site.views import server_error

    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500 and b"<html" in response.content.lower()
