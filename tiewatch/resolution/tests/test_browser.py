"""An editor decides a candidate pair on the review page, in Debian's chromium against a live server."""

from __future__ import annotations

from typing import Any

import pytest

from tiewatch.resolution.tests.conftest import DUPLICATES

DURHAM, DUP = "us-nc-durham-police-department", "us-nc-durham-pd"


def editor() -> Any:
    """An editor as `tiewatch user --role editor` makes one (transactional tests start without the
    groups the migrations made, so the role is set up here the way migration 0002 does)."""
    from django.contrib.auth.models import Group, Permission, User

    group, _ = Group.objects.get_or_create(name="editor")
    group.permissions.add(*Permission.objects.filter(
        content_type__app_label="resolution", codename__in=["decide_pairs", "view_candidatepair"]))
    user = User.objects.create_user("edna", "edna@example.org", "a long password 1", is_staff=True)
    user.groups.add(group)
    return user


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_editor_matches_a_pair_then_undoes_it(live_server: Any, page: Any) -> None:
    import conftest
    from tiewatch.registry.importers import import_bundle
    from tiewatch.registry.models import Entity
    from tiewatch.resolution.models import CandidatePair, Decision

    import_bundle([conftest.DEMO_SEED], actor="tests")
    import_bundle([DUPLICATES], actor="tests")
    pair = CandidatePair.objects.create(
        left_id=DURHAM, right_id=DUP, score=0.8, band="review", actor="tests",
        features=[{"name": "name", "weight": 0.7, "detail": "'durham' vs 'durham': 1.00 after normalising"}])
    editor()

    page.goto(f"{live_server.url}/resolution/review/")
    page.wait_for_url("**/admin/login/**")
    page.fill("#id_username", "edna")
    page.fill("#id_password", "a long password 1")
    page.click("input[type=submit]")
    page.wait_for_url("**/resolution/review/")
    section = page.locator(f"#pair-{pair.pk}")
    assert "DURHAM POLICE DEPT" in section.inner_text() and "Durham Police Department" in section.inner_text()
    assert "after normalising" in section.inner_text()

    section.locator("textarea[name=note]").fill("Same department: the roster's abbreviation")
    section.locator("button[value=match]").click()
    page.wait_for_url("**/resolution/review/")
    assert "merged into" in page.inner_text("ul.messages")
    assert "The queue is empty" in page.inner_text("main")
    decision = Decision.objects.get()
    assert (decision.judgement, decision.actor, decision.note) == ("match", "edna",
                                                                   "Same department: the roster's abbreviation")
    merged = decision.merge.merged_id
    assert not Entity.objects.filter(pk=merged).exists()

    page.goto(f"{live_server.url}/entities/{merged}/")
    page.wait_for_url(f"**/entities/{decision.merge.canonical_id}/")

    page.goto(f"{live_server.url}/resolution/decisions/")
    page.locator(f"#decision-{decision.pk} button:text-is('Undo')").click()
    page.wait_for_url("**/resolution/decisions/")
    assert "the merge was taken apart" in page.inner_text("ul.messages")
    assert Entity.objects.filter(pk=merged).exists()
    assert CandidatePair.objects.get().status == "pending"
