"""Crawl every public page and API endpoint of a database holding signers: no email, address or IP
(nor a surname of a signer) may appear anywhere the public can reach."""

from __future__ import annotations

import json
import re
from collections import deque
from typing import Any
from urllib.parse import urldefrag, urlparse

import pytest
from django.test import Client

from tiewatch.campaigns.models import Campaign, Hearing, Letter, OutboxMessage, Petition, Vote
from tiewatch.campaigns.normalise import normalise_email
from tiewatch.campaigns.services import signing
from tiewatch.cli import main

SECRETS_OF = [
    # (name, email, address, ip)
    ("Quilla Xylophonist", "quilla.secret@privacy.example", "4242 Hiddenvale Lane", "198.51.100.77"),
    ("Ravi Zanzibarian", "ravi+tag@privacy.example", "17 Obscura Court", "2001:db8::7"),
    ("Solveig Umbrageous", "solveig.umbra@privacy.example", "9 Nowhere Terrace", "203.0.113.99"),
]
# A research-desk contributor (docs/desk.md): credited by display name, never by email or user name.
DESK_SECRETS = ["tamsin.vellichor@privacy.example", "tamsin.vellichor", "Vellichor"]
SKIP = ("/admin/", "/static/", "/api/docs")
MAX_PAGES = 500


def forbidden() -> list[str]:
    out = []
    for name, email, address, ip in SECRETS_OF:
        out += [email, email.split("@")[0], normalise_email(email), address, ip, name.split()[1]]
    return out + DESK_SECRETS


def publish_desk_finding() -> str:
    """A contributor (secret email) researches Durham; an editor accepts: credited as "T. V." only.
    Returns the contributor's random user name, which must not appear publicly either."""
    from django.contrib.auth.models import User

    from tiewatch.desk import workflow
    from tiewatch.desk.models import Task, TaskList
    from tiewatch.desk.tests.conftest import make_contributor

    author = make_contributor(DESK_SECRETS[0], "T. V.")
    editor = User.objects.create_superuser("desk-editor", "desk-editor@example.org", "password")
    tasks = TaskList.objects.create(slug="privacy", title="Privacy check")
    task = Task.objects.create(task_list=tasks, agency_id="us-nc-durham-police-department", question="israel-ties")
    workflow.claim(task.pk, author)
    finding = workflow.submit(task.pk, author, {
        "found": False, "summary": "Nothing in the travel records.", "method": "Searched travel records",
        "sources": [{"url": "https://records.example.org/durham", "title": "records"}], "tie_kind": "",
        "counterpart": None, "year": None, "anonymous": False})
    workflow.accept(finding.pk, editor)
    return str(author.username)


@pytest.fixture
def populated(seeded: Any, client: Client, settings: Any) -> dict[str, list[str]]:
    settings.TIEWATCH_CAMPAIGNS_RATE_IP_SHORT = "0"
    assert main(["campaigns", "load-demo"]) == 0
    for i, (name, email, address, ip) in enumerate(SECRETS_OF):
        r = client.post("/api/petitions/example/signatures", json.dumps({
            "name": name, "email": email, "address": address, "postal_code": "27701", "city": "Durham",
            "resident": True, "consent": True, "show_publicly": i == 0, "comment": f"comment by {email}"}),
            content_type="application/json", REMOTE_ADDR=ip)
        assert r.status_code == 202, r.content
    for message in OutboxMessage.objects.all()[:2]:
        signing.confirm(message.body.split("/confirm/")[1].split("/")[0])
    DESK_SECRETS.append(publish_desk_finding())
    return {
        "petition": list(Petition.objects.values_list("slug", flat=True)),
        "campaign": list(Campaign.objects.values_list("slug", flat=True)),
        "hearing": list(Hearing.objects.values_list("slug", flat=True)),
        "vote": list(Vote.objects.values_list("slug", flat=True)),
        "letter": list(Letter.objects.values_list("slug", flat=True)),
    }


def check(url: str, body: bytes) -> None:
    text = body.decode("utf-8", "replace").lower()
    for secret in forbidden():
        assert secret.lower() not in text, f"{secret!r} leaked on {url}"


def api_urls(client: Client, slugs: dict[str, list[str]]) -> list[str]:
    spec = client.get("/api/openapi.json").json()
    urls: list[str] = []
    for path, ops in spec["paths"].items():
        if "get" not in ops:
            continue
        params = re.findall(r"{(\w+)}", path)
        if not params:
            urls.append(path)
            continue
        # Our endpoints take a slug; fill it from the kind named by the path.
        for kind, values in slugs.items():
            if f"/{kind}s/" in path and params == ["slug"]:
                urls += [path.replace("{slug}", v) for v in values]
    return urls


@pytest.mark.django_db
def test_no_signer_data_on_any_public_page_or_endpoint(populated: dict[str, list[str]]) -> None:
    client = Client(raise_request_exception=False)
    # The API: every GET endpoint (ours filled with every slug; others' list endpoints).
    api = api_urls(client, populated)
    assert "/api/petitions/example" in api and "/api/campaigns/durham-2018-police-exchanges" in api
    for url in api:
        check(url, client.get(url).content)
    # Writes answered to the public (duplicate, invalid) never echo personal data either.
    for payload in ({"name": "Quilla Xylophonist", "email": "QUILLA.SECRET@privacy.example", "postal_code": "1",
                     "consent": True}, {"email": "quilla.secret@privacy.example", "address": "4242 Hiddenvale Lane"}):
        r = client.post("/api/petitions/example/signatures", json.dumps(payload), content_type="application/json")
        assert r.status_code in (409, 422)
        check("POST /api/petitions/example/signatures", r.content)
    # The site: breadth-first from the home page and our sections, following every local link.
    queue = deque(["/campaigns/", "/petitions/", "/petitions/example/", "/", "/desk/coverage/",
                   "/desk/register/", "/desk/login/"])
    seen: set[str] = set(queue)
    crawled = 0
    while queue and crawled < MAX_PAGES:
        url = queue.popleft()
        response = client.get(url)
        crawled += 1
        check(url, response.content)
        if "html" not in response.get("Content-Type", ""):
            continue
        for href in re.findall(r'href="([^"]+)"', response.content.decode("utf-8", "replace")):
            href = urldefrag(href.replace("&amp;", "&"))[0]
            if not href.startswith("/") or href.startswith("//") or href.startswith(SKIP):
                continue
            path = urlparse(href).path + (("?" + urlparse(href).query) if urlparse(href).query else "")
            if path not in seen:
                seen.add(path)
                queue.append(path)
    assert crawled >= 10
    ours = {u for u in seen if u.startswith(("/campaigns/", "/petitions/", "/hearings/", "/votes/", "/letters/"))}
    assert "/hearings/durham-city-council-2018-04-16/" in ours and "/petitions/example/" in ours
    assert {"/desk/coverage/israel-ties/", "/desk/coverage/israel-ties/?format=csv"} <= seen
    assert "T. V." in client.get("/desk/coverage/israel-ties/").content.decode()
    for url in ("/api/desk/coverage/israel-ties", "/api/desk/agencies/us-nc-durham-police-department/coverage"):
        check(url, client.get(url).content)
    # The opted-in signer shows as first name and city only.
    page = client.get("/petitions/example/").content.decode()
    assert "Quilla, Durham" in page


@pytest.mark.django_db
def test_staff_pages_are_not_public(populated: dict[str, list[str]]) -> None:
    client = Client()
    for url in ("/petitions/example/export.csv", "/petitions/example/export.pdf", "/petitions/example/moderate/"):
        r = client.get(url)
        assert r.status_code == 302
        check(url, r.content)
