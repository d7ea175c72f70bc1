"""Campaign data files (issue 8 item 4, issue 9 items 4 and 8): every problem names file, line and
field; aliases, duplicate keys and non-http(s) URLs are refused; nothing is written."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tiewatch.campaigns.demo_loader import load, read
from tiewatch.campaigns.models import Campaign, Organisation
from tiewatch.cli import main
from tiewatch.core.errors import ValidationFailed

pytestmark = pytest.mark.django_db
# Field names the fuzzer builds campaign files from (valid ones, so it gets past "unknown field").
KEYS = ["slug", "name", "target_body", "jurisdiction", "date", "text", "url", "sources", "events", "members",
        "organisation", "petitions", "title", "target", "offline", "count", "source", "kind", "link", "hearing"]

CAMPAIGN = """\
organisations:
- {slug: org-a, name: Org A}
campaigns:
- slug: x
  name: X
  target_body: T
  jurisdiction: ocd-division/country:us
  members:
  - {organisation: org-a}
"""


def failing(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "campaign.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    with pytest.raises(ValidationFailed) as caught:
        load(path)
    assert Campaign.objects.count() == 0 and Organisation.objects.count() == 0
    return [line.replace(f"{path}:", "") for line in caught.value.lines()]


def test_issue8_item4_problems_name_the_line(tmp_path: Path) -> None:
    text = CAMPAIGN + "  events:\n  - {date: '2018-13', text: nope}\n  - {date: '2018', kind: rumour, text: t}\n"
    assert failing(tmp_path, text) == [
        "11: campaigns[0].events[0].date: month out of range in '2018-13'",
        ("12: campaigns[0].events[1].kind: expected one of campaign, petition, letter, hearing, vote, policy, "
         "opposition, legal, rescission, other, got 'rumour'"),
    ]


def test_issue8_item4_missing_and_unknown_fields(tmp_path: Path) -> None:
    text = CAMPAIGN.replace("  target_body: T\n", "  target_bdy: T\n")
    assert failing(tmp_path, text) == [
        "4: campaigns[0].target_body: Field required",
        "6: campaigns[0].target_bdy: Extra inputs are not permitted",
    ]


def test_issue9_item4_javascript_urls_are_refused(tmp_path: Path) -> None:
    text = CAMPAIGN + ("  hearings:\n  - slug: h\n    body: B\n    date: '2018-04-16'\n"
                       "    video_url: 'javascript:alert(1)'\n    sources:\n    - url: 'javascript:alert(2)'\n")
    assert failing(tmp_path, text) == [
        "14: campaigns[0].hearings[0].video_url: expected an http(s) URL, got 'javascript:alert(1)'",
        "16: campaigns[0].hearings[0].sources[0].url: expected an http(s) URL, got 'javascript:alert(2)'",
    ]


def test_unknown_references_are_refused(tmp_path: Path) -> None:
    text = CAMPAIGN.replace("{organisation: org-a}", "{organisation: org-b}") + (
        "  letters:\n  - {slug: l, title: L, endorsements: [org-c]}\n"
        "  votes:\n  - {slug: v, hearing: nowhere, body: B, motion: M, date: '2018-04-16', outcome: passed}\n")
    assert failing(tmp_path, text) == [
        "9: campaigns[0].members[0].organisation: unknown organisation 'org-b'",
        "11: campaigns[0].letters[0].endorsements[0]: unknown organisation 'org-c'",
        "13: campaigns[0].votes[0].hearing: unknown hearing 'nowhere' (not in this campaign)",
    ]


def test_issue9_item8_aliases_and_duplicate_keys_in_campaign_data(tmp_path: Path) -> None:
    assert failing(tmp_path, CAMPAIGN.replace("  name: X\n", "  name: &n X\n  summary: *n\n")) == [
        "6: aliases (*name) are not allowed; write the value out"]
    assert failing(tmp_path, CAMPAIGN + "  name: Y\n") == ["10: name: duplicate key 'name'"]


def test_latin1_campaign_file(tmp_path: Path, capsys: Any) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(CAMPAIGN.replace("Org A", "Caf\xe9").encode("latin-1"))
    assert main(["campaigns", "load-demo", "--file", str(path)]) == 1
    assert f"{path}:2: not UTF-8 text (invalid continuation byte)" in capsys.readouterr().err


# --- property: whatever a campaign file holds, reading it answers with problems, never a crash -----
@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=6)),
                    lambda children: st.one_of(st.lists(children, max_size=3),
                                               st.dictionaries(st.sampled_from(KEYS), children, max_size=4)),
                    max_leaves=30))
def test_random_campaign_structures(tmp_path: Path, value: Any) -> None:
    path = tmp_path / "fuzz.yaml"
    path.write_text(yaml.safe_dump({"campaigns": [value], "organisations": [value]}), encoding="utf-8")
    try:
        read(path)
    except ValidationFailed as error:
        assert error.problems and all(p.file == str(path) for p in error.problems)
