"""One mailbox, one signature (issue 9 item 12): spellings of one mailbox share one key; different
mailboxes never do; keys stored before the rule are recomputed by migration 0006."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from hypothesis import assume, given
from hypothesis import strategies as st

from tiewatch.campaigns.models import Petition, Signature
from tiewatch.campaigns.normalise import normalise_email
from tiewatch.campaigns.tests.conftest import signer


def _post(client: Client, slug: str, data: dict, ip: str) -> Any:
    return client.post(f"/api/petitions/{slug}/signatures", json.dumps(data), content_type="application/json",
                       REMOTE_ADDR=ip)


@pytest.mark.django_db
@pytest.mark.parametrize(("first", "second"), [
    ("x@bücher.example", "x@xn--bcher-kva.example"),
    ("x@xn--bcher-kva.example", "X@BÜCHER.EXAMPLE"),
    ("x@example.org", '"x"@example.org'),
    ('"x"@bücher.example', "x@XN--BCHER-KVA.example"),
])
def test_one_mailbox_signs_once(client: Client, petition: Petition, first: str, second: str) -> None:
    assert _post(client, petition.slug, signer(1, email=first), "10.1.0.1").status_code == 202
    r = _post(client, petition.slug, signer(2, email=second), "10.1.0.2")
    assert r.status_code == 409, r.content
    assert Signature.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(("first", "second"), [
    ("x@straße.de", "x@strasse.de"),  # IDNA 2008: two registrable domains
    ('"a\\"b"@example.org', "ab@example.org"),  # the quotes are needed: another mailbox
    ("x@example.org", "x@example.org.example"),
])
def test_different_mailboxes_both_sign(client: Client, petition: Petition, first: str, second: str) -> None:
    assert _post(client, petition.slug, signer(1, email=first), "10.2.0.1").status_code == 202
    assert _post(client, petition.slug, signer(2, email=second), "10.2.0.2").status_code == 202
    assert Signature.objects.count() == 2


@pytest.mark.parametrize(("raw", "key"), [
    ("x@bücher.example", "x@xn--bcher-kva.example"),
    ("  X@Bücher.Example. ", "x@xn--bcher-kva.example"),
    ('"x"@example.org', "x@example.org"),
    ('"x.y"@example.org', "x.y@example.org"),
    ('"x\\y"@example.org', "xy@example.org"),  # a quoted pair that escapes nothing
    ('"x y"@example.org', '"x y"@example.org'),
    ('"x\\"y"@example.org', '"x\\"y"@example.org'),
    ('"a@b"@example.org', '"a@b"@example.org'),
    ('"First.Last+news"@GoogleMail.com', "firstlast@gmail.com"),
    ("x@straße.de", "x@xn--strae-oqa.de"),
    ("x@[192.0.2.1]", "x@[192.0.2.1]"),
    ("Ünïcode@example.org", "ünïcode@example.org"),
    ("u\u0308@example.org", "\u00fc@example.org"),  # NFC: one character, however it was typed
    ("x@xn--zz.example", "x@xn--zz.example"),  # not valid IDNA: left as typed, lower-cased
    ('"X."@GMail.com', "x@gmail.com"),  # Gmail's dots go, then the quotes are not needed
    ('"a+b c"@example.org', "a@example.org"),  # the +tag rule reads the mailbox, quoted or not
])
def test_normalise_email(raw: str, key: str) -> None:
    assert normalise_email(raw) == key


_atom = st.text(alphabet="abcXYZ+-_", min_size=1, max_size=5)
_dot_atom = st.lists(_atom, min_size=1, max_size=3).map(".".join)
_quoted = st.text(alphabet='abcX. @"\\+', min_size=0, max_size=8).map(
    lambda s: '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"')
_domain = st.sampled_from(["example.org", "Bücher.example", "xn--bcher-kva.example", "GMail.com", "straße.de",
                           "[192.0.2.1]", "googlemail.com"])


@given(st.one_of(_dot_atom, _quoted), _domain)
def test_normalising_a_key_keeps_it(local: str, domain: str) -> None:
    """Keys are fixed points (migration 0006 relies on it): normalising a stored key changes nothing."""
    address = f"{local}@{domain}"
    try:
        validate_email(address)
    except ValidationError:
        assume(False)
    key = normalise_email(address)
    assert normalise_email(key) == key


@pytest.fixture
def latest_schema_after() -> Any:
    """Migrate every app forward again afterwards: the test stops at 0006, and later tests (the demo
    loader's load stamps of 0007, the site search's trigram indexes) need the whole schema."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_migration_recomputes_stored_keys_and_flags_collisions(latest_schema_after: Any) -> None:
    executor = MigrationExecutor(connection)
    before, after = [("campaigns", "0005_lean_signature_indexes")], [("campaigns", "0006_renormalise_signature_emails")]
    executor.migrate(before)
    apps = executor.loader.project_state(before).apps
    Campaign, Pet = apps.get_model("campaigns", "Campaign"), apps.get_model("campaigns", "Petition")
    Sig = apps.get_model("campaigns", "Signature")
    campaign = Campaign.objects.create(slug="c", name="C", target_body="T", jurisdiction="j")
    p1 = Pet.objects.create(campaign=campaign, slug="p1", title="P1", text="t", target="T", jurisdiction="j")
    p2 = Pet.objects.create(campaign=campaign, slug="p2", title="P2", text="t", target="T", jurisdiction="j")
    stored = [(p1, "x@bücher.example"), (p1, "x@xn--bcher-kva.example"), (p1, '"y"@example.org'),
              (p1, "z@example.org"), (p2, "x@bücher.example"), (p2, '"q"@example.org'), (p2, "q@example.org.")]
    ids = [Sig.objects.create(petition=p, name="N", email=e, token_hash=f"{i:064d}").pk
           for i, (p, e) in enumerate(stored)]

    executor = MigrationExecutor(connection)
    executor.migrate(after)
    rows = {s.pk: s for s in Signature.objects.all()}
    # Back to the latest schema: later transactional tests share this database.
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert [rows[i].email for i in ids] == [
        "x@bücher.example",  # keeps its old key: the mailbox already signed p1 under the new one
        "x@xn--bcher-kva.example", "y@example.org", "z@example.org",
        "x@xn--bcher-kva.example",  # alone on p2: simply re-keyed
        "q@example.org", "q@example.org.",
    ]
    assert rows[ids[0]].needs_review and f"signature {ids[1]}" in rows[ids[0]].review_reason
    assert rows[ids[6]].needs_review and f"signature {ids[5]}" in rows[ids[6]].review_reason
    assert [i for i in ids if rows[i].needs_review] == [ids[0], ids[6]]
