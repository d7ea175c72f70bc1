"""Following a record: Atom feeds (valid Atom 1.0, no account), double opt-in by email, digests sent
through the campaigns outbox to a local SMTP server (aiosmtpd) with RFC 8058 one-click unsubscribe,
idempotent per period; a new screening finding is an alert in the feed and the next digest."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

import pytest
from django.test import Client

from tiewatch.campaigns.models import OutboxMessage
from tiewatch.campaigns.services.outbox import send_outbox
from tiewatch.cli import main
from tiewatch.desk.follows_service import period_of
from tiewatch.desk.models import DigestSent, Follow
from tiewatch.desk.tests.helpers import Inbox, body, inbox, path_of
from tiewatch.policies.services import run_screening
from tiewatch.registry.audit import record_change

DURHAM = "us-nc-durham-police-department"
__all__ = ["inbox"]  # the local SMTP server fixture, used here by name
ATLANTA = "us-ga-atlanta-police-department"
# A law pack of our own under which the seeded Atlanta tie (ADL NCTS 2009, Israeli counterparts) is found.
ATLANTA_PACK = """\
id: test-atlanta
title: Test policy
jurisdiction: ocd-division/country:us/state:ga/place:atlanta
body: Council
type: ordinance
binding: true
adopted: 2000-01-01
text: No training with Israeli forces.
sources: [https://example.org/x]
rules:
  - id: r1
    clause: No training with Israeli forces.
    effect: prohibit
    binds: {entities: [us-ga-atlanta-police-department]}
    tie_kinds: [training]
    conditions:
      counterpart_country_in: [IL]
"""
ATOM = "{http://www.w3.org/2005/Atom}"


def atom_entries(client: Any, url: str) -> list[dict[str, str]]:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{required}") is not None, required
    entries = []
    for entry in root.findall(f"{ATOM}entry"):
        values = {name: (entry.findtext(f"{ATOM}{name}") or "") for name in ("id", "title", "updated", "summary")}
        assert values["id"] and values["title"] and values["updated"]
        link = entry.find(f"{ATOM}link")
        assert link is not None and link.get("href")
        entries.append(values)
    assert len({e["id"] for e in entries}) == len(entries), "entry ids are unique"
    return entries


def test_every_kind_has_a_feed_and_a_follow_page(client: Any, seeded: Any) -> None:
    for kind, target in (("entity", DURHAM), ("program", "program-adl-ncts"),
                         ("place", "country:us/state:nc/place:durham"),
                         ("policy", "us-nc-durham-2018-international-police-exchanges")):
        atom_entries(client, f"/feeds/{kind}/{target}/")
        page = client.get(f"/follow/{kind}/{target}/").content.decode()
        assert f'href="/feeds/{kind}/{target}/"' in page
    for url in ("/feeds/dataset/nothing-here/", f"/feeds/program/{DURHAM}/", "/feeds/tie/x/",
                "/follow/entity/no-such-agency/"):
        assert client.get(url).status_code == 404, url


def test_a_dataset_feed_lists_its_ties_changes(client: Any, seeded: Any) -> None:
    from tiewatch.registry.models import Tie

    tie = Tie.objects.filter(subject_id=DURHAM).first()
    assert tie is not None
    Tie.objects.filter(pk=tie.pk).update(dataset="leso")
    record_change("tie", tie.pk, "update", {"note": ""}, {"note": "re-imported"}, actor="tests")
    titles = [e["title"] for e in atom_entries(client, "/feeds/dataset/leso/")]
    assert titles == [f"tie {tie.pk}: update", f"tie {tie.pk}: import"]


def test_follow_confirm_digest_and_one_click_unsubscribe(client: Any, seeded: Any, inbox: Inbox,
                                                         capsys: Any, tmp_path: Any) -> None:
    (tmp_path / "atlanta.yaml").write_text(ATLANTA_PACK)
    answer = client.post(f"/follow/entity/{ATLANTA}/", {"email": "Reader@Example.org", "frequency": "daily"})
    assert answer.status_code == 200 and "Check your email" in answer.content.decode()
    assert send_outbox() == (1, 0)
    (confirmation,) = inbox.take()
    assert confirmation["To"] == "reader@example.org"
    assert confirmation["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    confirm_path = path_of(body(confirmation), "confirm")
    assert main(["desk", "digests", "--frequency", "daily"]) == 0  # not confirmed: nothing is due
    assert "0 due" in capsys.readouterr().out and not inbox.take()

    assert "Confirm" in client.get(confirm_path).content.decode()
    assert Follow.objects.get().confirmed_at is None  # opening the link confirms nothing
    assert "Follow confirmed" in client.post(confirm_path).content.decode()

    record_change("entity", ATLANTA, "update", {"note": "old"}, {"note": "new"}, actor="tests")
    record_change("entity", DURHAM, "update", {"note": "old"}, {"note": "new"}, actor="tests")  # not followed
    run_screening(str(tmp_path))  # the first screening: its findings are new, hence alerts
    assert main(["desk", "digests", "--frequency", "daily"]) == 0
    (digest,) = inbox.take()
    text = body(digest)
    assert f"entity {ATLANTA}: update" in text and "Changed: note." in text and DURHAM not in text
    assert "New finding: test-atlanta r1 (prohibit) on us-ga-atlanta-police-department--adl-ncts--2009" in text
    feed = atom_entries(client, f"/feeds/entity/{ATLANTA}/")
    assert sum(e["title"].startswith("New finding: test-atlanta") for e in feed) == 4  # one per counterpart
    unsubscribe_url = str(digest["List-Unsubscribe"]).strip().strip("<>")
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe_url.startswith("http://testserver/follow/unsubscribe/")

    assert main(["desk", "digests", "--frequency", "daily"]) == 0  # the same day: already sent
    assert "0 due" in capsys.readouterr().out and not inbox.take()
    assert DigestSent.objects.get().period == period_of("daily")
    assert OutboxMessage.objects.get(kind="follow_digest").headers == {}  # the link is erased once sent

    strict = Client(enforce_csrf_checks=True)  # a mail client's one-click POST carries no CSRF token
    one_click = strict.post(unsubscribe_url.removeprefix("http://testserver"), "List-Unsubscribe=One-Click",
                            content_type="application/x-www-form-urlencoded")
    assert one_click.status_code == 200 and Follow.objects.get().unsubscribed_at is not None
    DigestSent.objects.all().delete()
    record_change("entity", ATLANTA, "update", {"note": "new"}, {"note": "newer"}, actor="tests")
    assert main(["desk", "digests", "--frequency", "daily"]) == 0
    assert not inbox.take()


def test_a_follow_with_nothing_new_gets_no_email_and_forged_links_fail(client: Any, seeded: Any,
                                                                        inbox: Inbox) -> None:
    client.post(f"/follow/entity/{DURHAM}/", {"email": "quiet@example.org", "frequency": "weekly"})
    send_outbox()
    client.post(path_of(body(inbox.take()[0]), "confirm"))
    assert main(["desk", "digests", "--frequency", "weekly"]) == 0
    assert not inbox.take() and DigestSent.objects.get().items == 0
    assert client.post("/follow/unsubscribe/1:forged/").status_code == 404
    assert client.post("/follow/confirm/not-a-token/").status_code == 404


def test_bad_follow_input_is_named_and_stores_nothing(client: Any, seeded: Any) -> None:
    response = client.post(f"/follow/entity/{DURHAM}/", {"email": "not-an-address", "frequency": "hourly"})
    assert response.status_code == 422
    assert not Follow.objects.exists() and not OutboxMessage.objects.exists()
    with pytest.raises(SystemExit) as usage:
        main(["desk", "digests", "--frequency", "hourly"])
    assert usage.value.code == 2


def test_a_second_follow_of_a_followed_record_sends_nothing(client: Any, seeded: Any, inbox: Inbox) -> None:
    client.post(f"/follow/entity/{DURHAM}/", {"email": "twice@example.org", "frequency": "daily"})
    send_outbox()
    client.post(path_of(body(inbox.take()[0]), "confirm"))
    again = client.post(f"/follow/entity/{DURHAM}/", {"email": "twice@example.org", "frequency": "daily"})
    assert "Check your email" in again.content.decode()
    assert send_outbox() == (0, 0) and Follow.objects.count() == 1


def test_unconfirmed_follows_of_one_address_are_capped_per_day(client: Any, seeded: Any) -> None:
    urls = [f"/follow/entity/{DURHAM}/", f"/follow/entity/{ATLANTA}/", "/follow/entity/il-israel-police/",
            "/follow/program/program-adl-ncts/", "/follow/place/country:us/state:nc/",
            "/follow/place/country:us/state:ga/"]
    answers = [client.post(url, {"email": "victim@example.org", "frequency": "daily"}).status_code for url in urls]
    assert answers == [200] * 5 + [429]
    assert Follow.objects.filter(email="victim@example.org").count() == 5
    assert OutboxMessage.objects.filter(to="victim@example.org").count() == 5


def test_a_digest_covers_up_to_its_own_time_and_the_next_starts_there(seeded: Any) -> None:
    import datetime as dt

    from django.utils import timezone

    from tiewatch.desk.follows_service import send_digests
    from tiewatch.registry.models import ChangeRecord

    now = timezone.now()
    Follow.objects.create(kind="entity", target=DURHAM, email="a@example.org", frequency="daily",
                          confirm_hash="x", confirmed_at=now, covered_until=now)
    change = record_change("entity", DURHAM, "update", {"note": "a"}, {"note": "b"}, actor="tests")
    assert change is not None
    ChangeRecord.objects.filter(pk=change.pk).update(at=now + dt.timedelta(minutes=5))  # after the digest's time
    first = send_digests("daily", now=now)
    assert (first.sent, first.empty) == (0, 1)
    second = send_digests("daily", now=now + dt.timedelta(days=1))
    assert second.sent == 1 and DigestSent.objects.order_by("sent_at").last().items == 1  # type: ignore[union-attr]
