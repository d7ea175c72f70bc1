"""Every public page type of the demo, in Debian's chromium at desktop (1280 px) and phone (390 px)
widths (issue 12, quality bar and "phone first"): nothing scrolls sideways, nothing is logged as a
console error, axe-core finds no serious or critical WCAG 2 A/AA violation, and on the phone every
control in the main content is a touch target of at least 44x44 px (links in running text exempt).
A full-page screenshot of each page type and width goes to e2e/screenshots/<page>-<width>.png.

The demo is loaded and every page visited once, in a module fixture (a live-server test flushes the
database after it); each (page, width) is then its own test over what its visit found."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

import conftest
from tiewatch.site.tests import a11y_checks

PHONE, DESKTOP = 390, 1280
WIDTHS = (DESKTOP, PHONE)
DPD = "us-nc-durham-police-department"
DURHAM = "ocd-division/country:us/state:nc/place:durham"
PENDING_TOKEN, CONFIRMED_TOKEN = "a11y-pending-token", "a11y-confirmed-token"

# page type -> path; "{...}" parts are filled from the loaded demo (see _demo_paths).
PAGES = {
    "home": "/",
    "entity-list": "/entities/",
    "entity-agency": f"/entities/{DPD}/",
    "entity-foreign-force": "/entities/il-israel-police/",
    "entity-state": "/entities/il-israel-ministry-of-public-security/",
    "entity-state-police": "/entities/us-ga-georgia-bureau-of-investigation/",
    "tie-list": "/ties/",
    "tie-list-facets": "/ties/?kind=training&sort=-year&facets=1",
    "tie": "/ties/{tie}/",
    "place-list": "/jurisdictions/",
    "place": f"/jurisdictions/{DURHAM}/",
    "place-state": "/jurisdictions/ocd-division/country:us/state:nc/",
    "source-list": "/sources/",
    "source": "/sources/{source}/",
    "search": "/search/?q=Durham",
    "search-did-you-mean": "/search/?q=Durhm",
    "policy-list": "/policies/",
    "policy-places": "/policies/places/",
    "policy": "/policies/us-nc-durham-2018-international-police-exchanges/",
    "findings": "/policies/findings/",
    "screening-runs": "/policies/runs/",
    "screening-run": "/policies/runs/{run}/",
    "check": "/check/",
    "check-result": f"/check/?subject={DPD}&counterpart=il-israel-police&kind=exchange&date=2018-05-01",
    "campaign-list": "/campaigns/",
    "campaign": "/campaigns/durham-2018-police-exchanges/",
    "petition-list": "/petitions/",
    "petition": "/petitions/{petition}/",
    "petition-thanks": "/petitions/{petition}/thanks/",
    "petition-confirm": f"/petitions/{{petition}}/confirm/{PENDING_TOKEN}/",
    "petition-already-confirmed": f"/petitions/{{petition}}/confirm/{CONFIRMED_TOKEN}/",
    "letter": "/letters/interfaith-clergy-letter-2018-04/",
    "hearing": "/hearings/durham-city-council-2018-04-16/",
    "vote": "/votes/durham-city-council-2018-04-16-statement/",
    "arms": "/arms/?period=2013-2017",
    "arms-fact-sheet": "/arms/country/Israel/?period=2013-2017",
    "arms-pair": "/arms/pair/Israel/India/?period=2013-2017",
    "dataset-list": "/datasets/",
    "dataset": "/datasets/leso/",
    "coverage": "/desk/coverage/",
    "coverage-question": "/desk/coverage/israel-ties/",
    "request-list": "/requests/",
    "request": "/requests/{request}/",
    "follow": f"/follow/entity/{DPD}",
    "login": "/desk/login/",
    "register": "/desk/register/",
    "api-docs": "/api/docs",
    "not-found": "/no-such-page/",
}
STATUS = {"not-found": 404}
# The data migrations that make the role groups (the demo's staff logins join them).
ROLE_MIGRATIONS = [("tiewatch.registry.migrations.0002_roles", "create_roles"),
                   ("tiewatch.registry.migrations.0010_claims", "grant_roles"),
                   ("tiewatch.campaigns.migrations.0002_roles", "create_roles"),
                   ("tiewatch.desk.migrations.0001_coverage_tasks", "create_roles")]
# Pages drawn by a script after load: checked once this selector is there.
DRAWN = {"api-docs": ".swagger-ui .opblock"}


def _restore_roles() -> None:
    """A live-server test run before this module flushed the database, the data migrations' rows
    too: make the role groups again, with the migrations' own functions over the migrated state."""
    import importlib

    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    apps = MigrationExecutor(connection).loader.project_state().apps
    for module, function in ROLE_MIGRATIONS:
        getattr(importlib.import_module(module), function)(apps, None)


def _demo_paths() -> dict[str, str]:
    """Load the demo (plus a pending and a confirmed signature and a published records request, which
    the demo lacks) and fill the page paths' ids."""
    from tiewatch.campaigns.models import Petition, Signature
    from tiewatch.campaigns.services.signing import token_hash
    from tiewatch.cli import main
    from tiewatch.desk.models import RecordsRequest
    from tiewatch.policies.models import ScreeningRun
    from tiewatch.registry.models import Entity, Source, Tie

    _restore_roles()
    assert main(["demo", "load"]) == 0
    petition = Petition.objects.public().filter(status="open").order_by("slug").first()
    assert petition is not None
    for token, confirmed in ((PENDING_TOKEN, None), (CONFIRMED_TOKEN, dt.datetime.now(dt.UTC))):
        Signature.objects.create(petition=petition, name="Ada Reader", email=f"{token}@example.org",
                                 postal_code="27701", token_hash=token_hash(token), confirmed_at=confirmed)
    request = RecordsRequest.objects.create(
        agency=Entity.objects.get(pk=DPD), title="Training records with Israeli police", law="NC",
        text="All records of the 2018 exchange.", sent_on=dt.date(2024, 3, 1), published=True)
    ids = {"tie": Tie.objects.filter(subject_id=DPD, published=True).order_by("id").values_list("id", flat=True)[0],
           "source": Source.objects.order_by("id").values_list("id", flat=True)[0],
           "run": str(ScreeningRun.objects.order_by("id").values_list("id", flat=True)[0]),
           "petition": petition.slug, "request": str(request.pk)}
    return {name: path.format(**ids) for name, path in PAGES.items()}


def _visit(context: Any, base: str, name: str, path: str, width: int) -> list[str]:
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"console: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(f"script error: {exc}"))
    response = page.goto(f"{base}{path}")
    if name in DRAWN:
        page.wait_for_selector(DRAWN[name])
    problems = []
    status = response.status if response is not None else 0
    if status != STATUS.get(name, 200):
        problems.append(f"answered {status}")
    if status == 404 and name == "not-found":  # chromium logs the page's own 404 status as an error
        errors = [e for e in errors if "status of 404" not in e]
    page.screenshot(path=str(conftest.SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
    problems += a11y_checks.overflow(page) + errors + a11y_checks.axe_violations(page)
    if width == PHONE:
        problems += [f"small touch target: {t}" for t in a11y_checks.small_targets(page)]
    page.close()
    return problems


@pytest.fixture(scope="module")
def findings(browser: Any, live_server: Any, django_db_setup: Any, django_db_blocker: Any,
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[tuple[str, int], list[str]]]:
    from django.test import override_settings

    from tiewatch.arms.tests.conftest import FIXTURES

    a11y_checks.axe_script()
    conftest.SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    arms = override_settings(TIEWATCH_ARMS_DATA=[str(FIXTURES / "tables")],
                             TIEWATCH_ARMS_CACHE=str(tmp_path_factory.mktemp("arms-cache")))
    found: dict[tuple[str, int], list[str]] = {}
    with arms, django_db_blocker.unblock():
        paths = _demo_paths()
        for width in WIDTHS:
            context = browser.new_context(viewport={"width": width, "height": 900})
            context.set_default_timeout(15_000)
            for name, path in paths.items():
                found[name, width] = _visit(context, live_server.url, name, path, width)
            context.close()
    report = "".join(f"{name} {width} px: {paths[name]}\n" + "".join(f"  {p}\n" for p in problems)
                     for (name, width), problems in found.items() if problems)
    (conftest.SCREENSHOTS / "problems.txt").write_text(report or "no problems\n")
    yield found


@pytest.mark.browser
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", list(PAGES))
def test_page_is_accessible_at_width(findings: dict[tuple[str, int], list[str]], name: str, width: int) -> None:
    problems = findings[name, width]
    assert problems == [], f"{PAGES[name]} at {width} px:\n  " + "\n  ".join(problems)
