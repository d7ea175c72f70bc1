"""Shared test fixtures: users of each role, the demo registry, a real browser.

Roles (healthchecks-style): alice is an admin, bob an editor, charlie a viewer (reads drafts),
and anonymous visitors are the public.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in the test thread; Django refuses ORM calls from a
# thread with a running loop unless told this is safe (it is: the loop is Playwright's, not ours).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

REPO = Path(__file__).resolve().parent
SHARED_DATA = REPO.parent / "shared" / "data"
DEMO_SEED = REPO / "tiewatch" / "registry" / "demo" / "seed.yaml"
SCREENSHOTS = REPO / "e2e" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def users(db: Any) -> dict[str, Any]:
    """alice (admin), bob (editor), charlie (viewer); password 'password' for all."""
    from django.contrib.auth.models import Group, User

    alice = User.objects.create_superuser("alice", "alice@example.org", "password")
    bob = User.objects.create_user("bob", "bob@example.org", "password", is_staff=True)
    bob.groups.add(Group.objects.get(name="editor"))
    charlie = User.objects.create_user("charlie", "charlie@example.org", "password", is_staff=True)
    charlie.groups.add(Group.objects.get(name="viewer"))
    return {"alice": alice, "bob": bob, "charlie": charlie}


@pytest.fixture
def seeded(db: Any) -> Any:
    """The demo registry (the sourced Durham / US–Israel exchange facts) loaded into the test DB."""
    from tiewatch.registry.importers import import_bundle

    return import_bundle([DEMO_SEED], actor="tests")


@pytest.fixture
def wsgi_keeps_test_connection(db: Any) -> Iterator[None]:
    """For tests that call the WSGI app directly (schemathesis): like Django's test client, stop the
    end-of-request handler from closing the connection that holds the test's transaction."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item: Any, call: Any) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture
def page(browser: Any, request: Any) -> Iterator[Any]:
    """A fresh browser page; a screenshot is saved to e2e/screenshots/ when the test fails."""
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{request.node.name}.png"), full_page=True)
    context.close()
