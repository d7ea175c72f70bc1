"""Drafts never leak (docs/registry.md#roles-and-visibility): canary drafts of every kind, referred to
in every way a published record can refer to another, then a crawl of every page reachable from the
home page, every GET path of the OpenAPI schema, every export format and the policy screening's
outputs, failing on any trace of a canary."""

from __future__ import annotations

import html as html_lib
import json
import re
from collections import deque
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest

from tiewatch.cli import main
from tiewatch.core.records import ENTITY_KINDS
from tiewatch.registry.importers import import_bundle
from tiewatch.registry.importers.validate import source_id_for

MARKER = "zqcanary"  # in every id, name, URL and note of a canary draft, and nowhere else
DURHAM = "us-nc-durham-police-department"
HIDDEN_JURISDICTION = "ocd-division/country:us/state:nc/place:zqcanaryville"
COVER = "https://news.example.org/visibility-cover-story"


def canary(kind: str) -> str:
    return f"{MARKER}-{kind.replace('_', '-')}"


def canary_bundle(folder: Path) -> Path:
    """Draft entities of every kind; a draft source and tie; a published entity naming drafts as parent,
    member_of, sponsor and usual counterpart; published ties with a draft subject, draft counterparts,
    a draft program, a draft funder and a draft source."""
    entities: list[dict[str, Any]] = [
        {"id": canary(kind), "name": f"Zqcanary {kind} name", "kind": kind, "published": False,
         "country": "IL" if kind in ("foreign_police", "military") else "US", "note": f"{MARKER} note",
         "aliases": [f"{MARKER} alias"], "sources": [f"https://{MARKER}.example/{kind}"],
         **({"jurisdiction": HIDDEN_JURISDICTION} if kind == "police_agency" else {})}
        for kind in ENTITY_KINDS
    ]
    entities.append({
        "id": "us-nc-visibility-unit", "name": "Visibility Unit", "kind": "police_agency", "country": "US",
        "parent": canary("police_agency"), "member_of": [canary("organization")], "sponsor": canary("company"),
        "counterparts": [canary("foreign_police"), "il-israel-police"], "sources": ["src-zqcanary", COVER],
    })
    published = {"sources": ["src-zqcanary", COVER], "kind": "training"}
    ties = [
        {"id": "visibility-draft-subject", "subject": canary("police_agency"), "counterparts": ["il-israel-police"],
         "date": "2019-03", **published},
        {"id": "visibility-draft-parties", "subject": DURHAM, "program": canary("program"),
         "counterparts": [canary("foreign_police"), "il-israel-police"], "funder": canary("government"),
         "date": "2019-05", **published},
        {"id": "visibility-only-draft-counterpart", "subject": DURHAM, "counterparts": [canary("military")],
         "date": "2019-06", **published},
        {"id": f"{MARKER}-draft-tie", "subject": DURHAM, "counterparts": ["il-israel-police"], "date": "2019-07",
         "published": False, "note": f"{MARKER} tie note", **published,
         "claims": [{"fact": "kind", "value": f"{MARKER} kind", "confidence": "one_source",
                     "claimant_name": f"{MARKER} reporter", "sources": [COVER]}]},
    ]
    # Claims (docs/registry.md#claims-and-confidence): one citing only a draft source, one by a draft
    # claimant, on a published tie; one on a published entity citing only a draft source.
    ties[1]["claims"] = [
        {"fact": "participants", "value": 7, "confidence": "one_source", "claimant_name": f"{MARKER} insider",
         "sources": ["src-zqcanary"], "quote": f"{MARKER} quote"},
        {"fact": "participants", "value": 9, "confidence": "party_claim", "claimant": canary("organization"),
         "sources": ["src-zqcanary", COVER], "quote": "Nine went."},
    ]
    entities[-1]["claims"] = [{"fact": "country", "value": "US", "confidence": "one_source",
                               "claimant_name": f"{MARKER} source", "sources": ["src-zqcanary"]}]
    sources = [{"id": "src-zqcanary", "url": f"https://{MARKER}.example/draft-source", "title": "Zqcanary title",
                "published": False},
               {"url": COVER, "title": "Cover story"}]
    for kind in ENTITY_KINDS:
        sources.append({"url": f"https://{MARKER}.example/{kind}", "published": False})
    path = folder / "canaries.json"
    path.write_text(json.dumps({"sources": sources, "entities": entities, "ties": ties}))
    return path


@pytest.fixture
def canaries(seeded: Any, tmp_path: Path) -> None:
    import_bundle([canary_bundle(tmp_path)], actor="tests")
    from tiewatch.policies.services import run_screening

    run_screening()


def assert_clean(body: str, where: str) -> None:
    at = body.lower().find(MARKER)
    assert at < 0, f"{where} shows a draft: ...{body[max(0, at - 200): at + 100]}..."


def crawl(client: Any, starts: list[str], limit: int = 5000) -> list[str]:
    """GET every page reachable from `starts` (links to this site, but not the admin); every
    response must be free of canaries and of server errors. Returns the addresses visited."""
    queue, seen = deque(starts), set(starts)
    while queue:
        url = queue.popleft()
        response = client.get(url)
        assert response.status_code < 500, url
        if response.status_code != 200:
            continue
        body = response.content.decode()
        assert_clean(body, url)
        if not response["Content-Type"].startswith("text/html"):
            continue
        for tag in re.finditer(r'<[^>]*?\bhref="([^"#]+)[^"]*"[^>]*>', body):
            # Facet and sort links (rel="nofollow": every combination of filters is a page) are followed
            # one step, from a page reached without a query, as a polite crawler would stop there.
            if 'rel="nofollow"' in tag.group(0) and "?" in url:
                continue
            link = urljoin(url, html_lib.unescape(tag.group(1)))
            if link.startswith("/") and not link.startswith(("/admin", "/static", "//")) and link not in seen:
                assert len(seen) < limit, "the crawl does not end"
                seen.add(link)
                queue.append(link)
    return sorted(seen)


def test_canaries_are_real_drafts_staff_can_see(client: Any, canaries: None, users: Any) -> None:
    client.force_login(users["charlie"])
    assert "Zqcanary police_agency name" in client.get("/ties/visibility-draft-subject/").content.decode()
    page = client.get(f"/entities/{DURHAM}/").content.decode()
    assert "Zqcanary foreign_police name" in page and "Zqcanary program name" in page
    claims = client.get("/ties/visibility-draft-parties/").content.decode()
    assert "zqcanary quote" in claims and "Zqcanary organization name" in claims
    assert MARKER in client.get("/entities/us-nc-visibility-unit/").content.decode()


def test_no_page_shows_a_draft(client: Any, canaries: None) -> None:
    visited = crawl(client, ["/", "/ties/", "/entities/", "/sources/", "/jurisdictions/", "/search/?q=durham",
                             "/ties/visibility-draft-parties/", "/entities/us-nc-visibility-unit/", "/datasets/"])
    for page in ("/ties/visibility-draft-parties/", "/entities/il-israel-police/", "/policies/",
                 "/ties/?format=csv", "/entities/?format=json", "/jurisdictions/?format=csv", "/datasets/",
                 "/datasets/sipri_register/"):
        assert page in visited, page
    assert len(visited) > 200
    for url in ("/ties/visibility-draft-subject/", f"/entities/{canary('program')}/", "/sources/src-zqcanary/",
                f"/jurisdictions/{HIDDEN_JURISDICTION.removeprefix('ocd-division/')}/"):
        assert client.get(url).status_code == 404, url
    page = client.get("/ties/visibility-draft-parties/").content.decode()
    assert 'href="/entities/il-israel-police/"' in page and "Cover story" in page
    # The draft claimant's claim is shown (it cites a published source), without its claimant.
    assert "Nine went." in page and "a party not shown" in page


def test_filters_naming_a_draft_find_nothing(client: Any, canaries: None) -> None:
    for role in ("subject", "counterpart", "program", "entity"):
        for kind in ("police_agency", "foreign_police", "program", "military"):
            body = client.get(f"/api/ties?{role}={canary(kind)}").json()
            assert body["count"] == 0 and body["results"] == [], (role, kind)
            page = client.get(f"/ties/?{role}={canary(kind)}").content.decode()
            assert not re.search(r'href="/ties/[^"?]+/"', page), (role, kind)
    assert "Nothing found" in client.get("/search/?q=zqcanary").content.decode()
    # The site search (entities, places, sources ...) finds no draft, not even as a close match or "did you mean".
    for q in ("zqcanary", "zqcanery", "Zqcanary police agency", "zqcanaryville"):
        page = client.get(f"/search/?q={q}").content.decode()
        assert "Nothing found" in page and "Did you mean" not in page, q
        assert client.get(f"/api/search?q={q}").json() == {"q": q, "suggestion": None, "close_matches": True,
                                                            "groups": []}, q
    # Its only counterpart (a draft, in IL) is hidden: the country filter must not find it through them.
    by_country = {t["id"] for t in client.get(f"/api/ties?subject={DURHAM}&country=IL&page_size=500").json()["results"]}
    assert "visibility-draft-parties" in by_country and "visibility-only-draft-counterpart" not in by_country


def test_public_ties_leave_out_draft_subjects_by_an_anti_join(canaries: None) -> None:
    """The subject rule is a NOT EXISTS over draft entities, not a join on every subject: the join
    hashed all published entities for each of a program's counts (docs/benchmarks.md)."""
    from tiewatch.registry import queries
    from tiewatch.registry.models import Entity

    public = queries.ties(False)
    sql = str(public.query)
    assert "NOT EXISTS" in sql and "JOIN" not in sql, sql
    ids = set(public.values_list("id", flat=True))
    assert "visibility-draft-subject" not in ids and "visibility-draft-parties" in ids
    as_counterpart = queries.entity_role_ties(Entity.objects.get(pk="il-israel-police"), False)["counterpart"]
    assert "visibility-draft-subject" not in set(as_counterpart.values_list("id", flat=True))
    assert "visibility-draft-subject" in set(queries.ties(True).values_list("id", flat=True))


def test_publishing_a_counterpart_in_the_admin_makes_its_country_count(client: Any, canaries: None,
                                                                         users: Any) -> None:
    from django.test import Client

    staff = Client()
    staff.force_login(users["alice"])
    military = canary("military")
    form = {"name": "Zqcanary military name", "kind": "military", "country": "IL", "aliases": "[]", "extra": "{}",
            "note": "", "published": "on", "sources": [source_id_for(f"https://{MARKER}.example/military")],
            "_save": "Save"}
    assert staff.post(f"/admin/registry/entity/{military}/change/", form).status_code == 302
    by_country = {t["id"] for t in client.get(f"/api/ties?subject={DURHAM}&country=IL&page_size=500").json()["results"]}
    assert "visibility-only-draft-counterpart" in by_country


def test_no_api_path_shows_a_draft(client: Any, canaries: None) -> None:
    schema = client.get("/api/openapi.json").json()
    gets = [path for path, ops in schema["paths"].items() if "get" in ops]
    found: dict[str, set[str]] = {}
    for path in (p for p in gets if "{" not in p):
        params = {p["name"] for p in schema["paths"][path]["get"].get("parameters", [])}
        response = client.get(path, {"page_size": 500} if "page_size" in params else {})
        assert response.status_code < 500, path
        assert_clean(response.content.decode(), path)
        if response.status_code == 200:
            body = response.json()
            items = body.get("results", body) if isinstance(body, dict) else body
            found[path] = {str(i.get("id") or i.get("slug")) for i in items if isinstance(i, dict)} \
                if isinstance(items, list) else set()
    ids = {"entities": [canary(k) for k in ENTITY_KINDS], "ties": ["visibility-draft-subject", f"{MARKER}-draft-tie"],
           "sources": ["src-zqcanary"]}
    called = 0
    for path in (p for p in gets if "{" in p):
        parent = path.split("/{", 1)[0]  # /api/ties/{id} and /api/ties/{id}/claims both take a tie's id
        candidates = sorted(found.get(parent, set())) + ids.get(parent.rsplit("/", 1)[-1], [])
        for value in candidates:
            url = re.sub(r"\{[^}]+\}", value, path)
            response = client.get(url)
            if MARKER in value:  # a draft's own address: a 404 naming what was asked for
                assert response.status_code == 404, url
                continue
            assert response.status_code < 500, url
            assert_clean(response.content.decode(), url)
            called += 1
    assert called > 100
    places = {j["id"] for j in client.get("/api/jurisdictions?page_size=500").json()["results"]}
    assert {"ocd-division/country:us", "ocd-division/country:us/state:nc",
            "ocd-division/country:us/state:nc/place:durham"} <= places
    assert client.get("/api/ties/visibility-draft-parties").json()["counterparts"] == [
        {"id": "il-israel-police", "name": "Israel Police", "kind": "foreign_police", "published": True}]


def test_no_export_shows_a_draft(db: Any, canaries: None, tmp_path: Path, capsys: Any) -> None:
    assert main(["export", "--format", "json", "--out", str(tmp_path / "all.json")]) == 0
    assert main(["export", "--format", "ftm", "--out", str(tmp_path / "all.ftm.jsonl")]) == 0
    assert main(["export", "--format", "csv", "--out", str(tmp_path / "csv")]) == 0
    outputs = [tmp_path / "all.json", tmp_path / "all.ftm.jsonl", *sorted((tmp_path / "csv").iterdir())]
    for path in outputs:
        assert_clean(path.read_text(), path.name)
    ftm = [json.loads(line) for line in (tmp_path / "all.ftm.jsonl").read_text().splitlines()]
    records = {p["properties"].get("recordId", [""])[0] for p in ftm}
    exported_ties = json.loads((tmp_path / "all.json").read_text())["ties"]
    exported = {t["id"] for t in exported_ties}
    # FollowTheMoney links the ties the JSON export holds (those with a known counterpart).
    assert {r for r in records if r} == {t["id"] for t in exported_ties if t.get("counterparts")}
    assert "visibility-draft-parties" in exported and "visibility-only-draft-counterpart" not in exported
    # Staff back-ups keep everything.
    assert main(["export", "--format", "ftm", "--include-drafts", "--out", str(tmp_path / "staff.jsonl")]) == 0
    assert MARKER in (tmp_path / "staff.jsonl").read_text()


def test_screening_outputs_show_no_draft(client: Any, canaries: None, capsys: Any) -> None:
    from tiewatch.policies.models import Finding

    assert Finding.objects.filter(tie_id="visibility-draft-parties").exists()  # the screening saw the tie
    assert not Finding.objects.filter(tie_id="visibility-draft-subject").exists()
    for command in (["findings", "export", "--format", "csv"], ["findings", "export", "--format", "json"],
                    ["screen", "--json", "--no-store"]):
        capsys.readouterr()
        assert main(command) == 0
        assert_clean(capsys.readouterr().out, " ".join(command))
    for url in ("/api/findings?page_size=500", "/policies/us-nc-durham-2018-international-police-exchanges/"):
        assert_clean(client.get(url).content.decode(), url)


def test_drafts_merged_into_published_entities_stay_hidden(client: Any, canaries: None, tmp_path: Path,
                                                           users: Any) -> None:
    """Entity resolution: a draft folded into a published entity keeps its draft-only facts (names,
    ties it was the subject of, its id) out of public view; staff follow its old id."""
    from tiewatch.resolution.merges import merge_entities

    for draft, published in ((canary("police_agency"), DURHAM), (canary("foreign_police"), "il-israel-police")):
        assert merge_entities(draft, published, actor="tests").canonical_id == published
    crawl(client, ["/", "/ties/", "/entities/", f"/entities/{DURHAM}/", "/entities/il-israel-police/",
                   "/entities/us-nc-visibility-unit/", "/resolution/review/", "/resolution/decisions/"])
    for old in (canary("police_agency"), canary("foreign_police")):
        assert client.get(f"/entities/{old}/").status_code == 404
        assert client.get(f"/api/entities/{old}").status_code == 404
    for url in (f"/api/entities/{DURHAM}", "/api/entities?page_size=500", "/api/ties?page_size=500"):
        assert_clean(client.get(url).content.decode(), url)
    assert main(["export", "--format", "json", "--out", str(tmp_path / "all.json")]) == 0
    assert main(["export", "--format", "ftm", "--out", str(tmp_path / "all.jsonl")]) == 0
    for path in (tmp_path / "all.json", tmp_path / "all.jsonl"):
        assert_clean(path.read_text(), path.name)
    client.force_login(users["charlie"])
    assert client.get(f"/entities/{canary('police_agency')}/")["Location"] == f"/entities/{DURHAM}/"
    assert canary("police_agency") in client.get(f"/api/entities/{DURHAM}").json()["merged_ids"]


def test_dataset_summaries_and_pages_show_no_draft(client: Any, canaries: None, users: Any) -> None:
    """Ties from datasets (summarised on entity pages, listed on /datasets/) follow the same rule."""
    from tiewatch.registry.models import Tie

    Tie.objects.filter(pk__in=["visibility-draft-parties", "visibility-only-draft-counterpart"]).update(
        dataset="sipri_register", attributes={"tiv_delivered": 5})
    Tie.objects.filter(pk__in=["visibility-draft-subject", f"{MARKER}-draft-tie"]).update(
        dataset="leso", attributes={"categories": [f"{MARKER}_category"], "quantity": 7})
    pages = ["/datasets/", "/datasets/sipri_register/", "/datasets/leso/", f"/entities/{DURHAM}/",
             "/ties/?dataset=leso", "/ties/?dataset=sipri_register", "/ties/?dataset=leso&format=csv",
             f"/ties/?subject={DURHAM}&dataset=sipri_register&format=json", "/api/ties?dataset=leso",
             "/entities/il-israel-police/"]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_clean(response.content.decode(), url)
    durham = client.get(f"/entities/{DURHAM}/").content.decode()
    assert "SIPRI arms transfers, as supplier: 2 ties" in durham and "not public" in durham.lower()
    assert "DLA 1033 program" not in durham  # its only LESO tie is a draft
    assert 'href="/ties/visibility-draft-subject/"' not in client.get("/ties/?dataset=leso").content.decode()
    by_category = client.get(f"/ties/?dataset=leso&category={MARKER}_category").content.decode()
    assert "/ties/visibility-draft-subject/" not in by_category and f"/ties/{MARKER}-draft-tie/" not in by_category
    client.force_login(users["charlie"])
    staff = client.get(f"/entities/{DURHAM}/").content.decode()
    assert "Zqcanary military name" in staff and f"{MARKER}_category".replace("_", " ") in staff.lower()
def test_desk_pages_show_no_draft_agency_nor_an_unreviewed_finding(client: Any, canaries: None) -> None:
    """The research desk (docs/desk.md): coverage of a draft agency, and a finding not yet accepted,
    appear on no public page, export or endpoint."""
    import datetime as dt

    from tiewatch.desk import workflow
    from tiewatch.desk.models import Coverage, Task, TaskList
    from tiewatch.desk.tests.conftest import make_contributor

    Coverage.objects.create(agency_id=canary("police_agency"), question="israel-ties", state="found",
                            researched_on=dt.date(2026, 1, 2), method=f"{MARKER} method", credit=f"{MARKER} credit")
    Coverage.objects.create(agency_id=DURHAM, question="israel-ties", state="nothing_found",
                            researched_on=dt.date(2026, 1, 2), method="Searched travel records")
    from django.contrib.auth.models import Group

    Group.objects.get_or_create(name="contributor")
    author = make_contributor(f"{MARKER}@example.org", "Researcher")
    task = Task.objects.create(task_list=TaskList.objects.create(slug="canaries", title="Canaries"),
                               agency_id=DURHAM, question="surveillance-tech")
    workflow.claim(task.pk, author)
    workflow.submit(task.pk, author, {
        "found": True, "summary": f"{MARKER} draft finding", "method": "m", "tie_kind": "training",
        "sources": [{"url": f"https://{MARKER}.example/finding", "title": "t"}], "counterpart": None,
        "year": 2020, "anonymous": False})
    assert "Searched travel records" in client.get(f"/entities/{DURHAM}/").content.decode()
    pages = [f"/desk/coverage/{q}/{fmt}" for q in ("israel-ties", "surveillance-tech")
             for fmt in ("", "?format=csv", "?format=json")]
    for url in ("/desk/coverage/", *pages, f"/entities/{DURHAM}/", "/api/desk/coverage/israel-ties",
                "/api/desk/coverage/surveillance-tech", f"/api/desk/agencies/{DURHAM}/coverage", "/desk/tasks/",
                f"/desk/task/{task.pk}/", f"/desk/findings/{task.findings.get().pk}/"):
        assert_clean(client.get(url).content.decode(), url)
    assert client.get(f"/api/desk/agencies/{canary('police_agency')}/coverage").status_code == 404
