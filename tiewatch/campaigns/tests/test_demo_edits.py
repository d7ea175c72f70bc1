"""Issue 9 item 15: re-loading the campaign data never reverts a record edited since a load wrote it
(in the admin, say); records nobody touched still follow the file."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tiewatch.campaigns.demo_loader import DEMO_FILE, load
from tiewatch.campaigns.models import Hearing, Letter, Petition
from tiewatch.cli import main

pytestmark = pytest.mark.django_db

HEARING = "durham-city-council-2018-04-16"


class FormValues(HTMLParser):
    """The values a browser would submit from the admin change form, as the page shows them."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, Any] = {}
        self.textarea: str | None = None
        self.select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.data[name] = a.get("value") or ("on" if a.get("type") == "checkbox" else "")
        elif tag == "textarea" and name:
            self.textarea, self.data[name] = name, ""
        elif tag == "select" and name:
            self.select, self.data[name] = name, ""
        elif tag == "option" and self.select and "selected" in a:
            self.data[self.select] = a.get("value") or ""

    def handle_data(self, data: str) -> None:
        if self.textarea:
            self.data[self.textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self.textarea = None
        elif tag == "select":
            self.select = None


def admin_edit(client: Client, url: str, **changes: str) -> None:
    """Submit the change form as a browser would (CRLF line ends in text areas), with `changes`."""
    page = client.get(url)
    assert page.status_code == 200
    form = FormValues()
    form.feed(page.content.decode())
    data = {**{k: v.replace("\n", "\r\n") for k, v in form.data.items()}, **changes, "_save": "Save"}
    data.pop("csrfmiddlewaretoken", None)
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]


@pytest.fixture
def admin_client(client: Client) -> Client:
    user = get_user_model().objects.create_superuser("root", "root@example.org", "pw")
    client.force_login(user)
    return client


def test_admin_edits_survive_a_reload_and_are_reported(admin_client: Client, capsys: Any) -> None:
    assert main(["campaigns", "load-demo"]) == 0
    petition = Petition.objects.get(slug="example")
    hearing = Hearing.objects.get(slug=HEARING)
    admin_edit(admin_client, f"/admin/campaigns/petition/{petition.pk}/change/", title="Edited title")
    admin_edit(admin_client, f"/admin/campaigns/hearing/{hearing.pk}/change/", note="Edited note.")
    capsys.readouterr()
    assert main(["demo", "load"]) == 0
    out = capsys.readouterr().out
    assert Petition.objects.get(slug="example").title == "Edited title"
    assert Hearing.objects.get(slug=HEARING).note == "Edited note."
    kept = next(line for line in out.splitlines() if line.startswith("campaigns: kept"))
    assert kept == ("campaigns: kept (edited since the demo loaded them): "
                    f"hearing {HEARING}, petition example")
    # Other records still follow the file, and a third load reports the same two and nothing else.
    assert Petition.objects.get(slug="durham2palestine").title == "Demilitarize! Durham2Palestine"
    assert main(["campaigns", "load-demo"]) == 0
    out = capsys.readouterr().out
    assert f"kept (edited since the demo loaded them): hearing {HEARING}, petition example" in out


def test_unedited_records_follow_a_changed_file(tmp_path: Path, capsys: Any) -> None:
    first = load()
    assert first.kept == []
    text = DEMO_FILE.read_text(encoding="utf-8")
    changed = tmp_path / "durham.yaml"
    old_title = "Seven Triangle rabbis urge the council to reject the petition"
    assert old_title in text
    new_title = "Seven rabbis ask the council to reject the petition"
    changed.write_text(text.replace(old_title, new_title), encoding="utf-8")
    again = load(changed)
    assert again.kept == []
    assert Letter.objects.get(slug="triangle-rabbis-2018-04-03").title == new_title
    # A record written by a version before stamps (no stamp) is the loader's: it follows the file once.
    from tiewatch.campaigns.stamp_models import LoadStamp

    LoadStamp.objects.all().delete()
    Letter.objects.filter(slug="triangle-rabbis-2018-04-03").update(title="Old loader's title")
    assert load().kept == []
    assert Letter.objects.get(slug="triangle-rabbis-2018-04-03").title == old_title
    Letter.objects.filter(slug="triangle-rabbis-2018-04-03").update(title="Edited after the stamp")
    assert load().kept == ["letter triangle-rabbis-2018-04-03"]


def test_saving_in_the_admin_without_a_change_is_not_an_edit(admin_client: Client, tmp_path: Path) -> None:
    """A browser sends a text area's line ends as CRLF and the form trims the text's ends: the same text."""
    text = DEMO_FILE.read_text(encoding="utf-8")
    summary = "    summary: Seven rabbis from the Triangle urged the council to reject the petition.\n"
    assert summary in text
    path = tmp_path / "durham.yaml"
    block = "    summary: |\n      Seven rabbis from the Triangle\n      urged the council to reject the petition.\n"
    path.write_text(text.replace(summary, block), encoding="utf-8")
    load(path)
    letter = Letter.objects.get(slug="triangle-rabbis-2018-04-03")
    assert letter.summary == "Seven rabbis from the Triangle\nurged the council to reject the petition."
    admin_edit(admin_client, f"/admin/campaigns/letter/{letter.pk}/change/")
    assert Letter.objects.get(pk=letter.pk).summary == \
        "Seven rabbis from the Triangle\r\nurged the council to reject the petition."
    assert load(path).kept == []
    assert load().kept == []  # and it follows the file again
    assert Letter.objects.get(pk=letter.pk).summary == summary.split(": ", 1)[1].strip()
