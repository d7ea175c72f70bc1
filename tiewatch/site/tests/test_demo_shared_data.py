"""Issue 12 item 8: `tiewatch demo load` with the real shared data beside the checkout (../shared/data):
a bounded LESO slice (North Carolina) and the newest SIPRI Trade Register are imported, the stored
screening run has real verdicts (clause and sources) that the policy, entity and home pages show, the
arms pages read the shared SIPRI files and say so, and a reload keeps what was edited since."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from conftest import SHARED_DATA
from tiewatch.cli import main
from tiewatch.datasets.models import ImportRun
from tiewatch.policies.models import Finding, ScreeningRun
from tiewatch.registry.models import Tie

pytestmark = pytest.mark.django_db

EO_13688 = "us-2015-eo-13688-law-enforcement-equipment"


@pytest.fixture
def shared(settings: Any, tmp_path: Path) -> Path:
    # Real-data tests fail, not skip, when the shared data is missing (CONTRIBUTING.md).
    assert (SHARED_DATA / "leso").is_dir() and (SHARED_DATA / "sipri").is_dir(), f"missing: {SHARED_DATA}"
    settings.TIEWATCH_DEMO_DATA = str(SHARED_DATA)
    settings.TIEWATCH_ARMS_DATA = []
    settings.TIEWATCH_ARMS_CACHE = str(tmp_path / "arms-cache")
    return SHARED_DATA


def test_demo_load_stores_a_screening_run_with_real_verdicts(shared: Path, client: Client, capsys: Any) -> None:
    assert main(["demo", "load"]) == 0
    out = capsys.readouterr().out
    assert "leso: NC_leso.tsv: 3,083 rows" in out and "sipri_register: trade-register_generated-2026-05-18.csv" in out
    # Only North Carolina's rows: every LESO tie's subject is a North Carolina agency.
    leso = Tie.objects.filter(dataset="leso")
    assert leso.count() == 3083
    places = set(leso.values_list("subject__jurisdiction_id", flat=True).distinct())
    assert places and all(p.startswith("ocd-division/country:us/state:nc") for p in places)
    assert Tie.objects.filter(dataset="sipri_register").count() == 29916
    run = ScreeningRun.objects.get()
    findings = Finding.objects.filter(disappeared_run__isnull=True, policy_id=EO_13688)
    assert run.findings_count == findings.count() == 29 and "29 finding(s) (require approval 29)" in out
    finding = findings.order_by("tie_id").first()
    assert finding is not None and finding.effect == "require_approval"
    assert finding.clause.startswith("(viii) requiring local civilian government")
    assert "https://www.federalregister.gov/documents/2015/01/22/2015-01255/federal-support-for-local-law-enforcement-equipment-acquisition" in finding.sources
    # The pages show the verdict with its clause and sources.
    for url in ("/", f"/policies/{EO_13688}/", f"/entities/{finding.subject_id}/", f"/ties/{finding.tie_id}/"):
        html = client.get(url).content.decode()
        assert "requiring local civilian government (non-police) review" in html, url
        assert 'href="https://www.federalregister.gov/documents/2015/01/22/2015-01255/' in html, url
    home = client.get("/").content.decode()
    assert "What the law packs find" in home and "Current verdicts: 29 (needs approval: 29)" in home
    # The reasons read as words: no snake_case vocabulary or raw place ids in what a reader sees.
    table = re.search(r'<table class="verdicts">.*?</table>', home, re.S)
    assert table is not None
    text = re.sub(r"<[^>]+>", " ", table.group(0))
    assert not re.search(r"\b[a-z0-9]+_[a-z0-9_]+\b|ocd-division", text), text
    # ... and the records they bind by name, not id.
    assert " us-nc-" not in text and re.search(r"binds [A-Z][A-Z ]+ DEPT: a police agency within", text), text
    findings = client.get("/policies/findings/").content.decode()
    table = re.search(r"<table>.*?</table>", findings, re.S)
    assert table is not None and "require approval" in table.group(0)
    text = re.sub(r"<[^>]+>", " ", table.group(0))
    assert not re.search(r"\b[a-z0-9]+_[a-z0-9_]+\b|ocd-division|\b\d{4}-\d{2}-\d{2}\b", text), text


def test_reload_keeps_edits_and_the_stored_run(shared: Path, capsys: Any) -> None:
    assert main(["demo", "load"]) == 0
    tie = Tie.objects.filter(dataset="leso", status="confirmed").order_by("id").first()
    assert tie is not None
    # An editor changes a field the importer writes; importing the file again would put it back.
    Tie.objects.filter(pk=tie.pk).update(status="cancelled")
    counts = {"ties": Tie.objects.count(), "imports": ImportRun.objects.count(), "runs": ScreeningRun.objects.count()}
    capsys.readouterr()
    assert main(["demo", "load"]) == 0
    out = capsys.readouterr().out
    assert "leso: NC_leso.tsv already imported" in out and "policies: already screened" in out
    assert Tie.objects.get(pk=tie.pk).status == "cancelled"
    assert {"ties": Tie.objects.count(), "imports": ImportRun.objects.count(),
            "runs": ScreeningRun.objects.count()} == counts


def test_arms_pages_read_the_shared_sipri_files(shared: Path, client: Client) -> None:
    html = client.get("/arms/").content.decode()
    assert "Real SIPRI data, read from the shared files in <code>../shared/data/sipri</code>" in html
    assert "Demo fixture" not in html
    # SIPRI's March 2022 TIV tables (the default release of these files): the real ranking, not the fixture's.
    assert 'Top exporters, <time datetime="2017">2017</time>–<time datetime="2021">2021</time>' in html
    assert "52,512" in html and 'Release <time datetime="2026-03">March 2026</time>: SIPRI Trade Register' in html
    country = client.get("/arms/country/Israel/").content.decode()
    assert "10th largest exporter of 58 states, 2017-2021: 3,331 TIV m" in country


def test_country_page_links_the_arms_pages_on_shared_data(shared: Path, client: Client, capsys: Any) -> None:
    assert main(["demo", "load"]) == 0
    out = capsys.readouterr().out
    assert "arms: real SIPRI files read from ../shared/data/sipri" in out
    html = client.get("/entities/il-israel/").content.decode()
    assert 'href="/arms/country/Israel/"' in html and "Real SIPRI data, read from the shared files" in html
    assert "SIPRI arms transfers, as supplier" in html


def test_without_shared_data_the_demo_uses_its_bundled_data_and_the_fixture(
        settings: Any, tmp_path: Path, client: Client, capsys: Any) -> None:
    settings.TIEWATCH_DEMO_DATA = str(tmp_path / "no-shared-data")
    settings.TIEWATCH_ARMS_DATA = []
    settings.TIEWATCH_ARMS_CACHE = str(tmp_path / "arms-cache")
    assert main(["demo", "load"]) == 0
    out = capsys.readouterr().out
    assert "leso: no shared file" in out and "sipri_register: no shared file" in out
    assert "arms: the invented demo fixture (pages carry its banner)" in out
    assert not Tie.objects.exclude(dataset="").exists() and ScreeningRun.objects.count() == 1
    html = client.get("/arms/").content.decode()
    assert "Demo fixture, not SIPRI data" in html and "Real SIPRI data" not in html
