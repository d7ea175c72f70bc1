"""schemathesis fuzz of the campaigns endpoints against the API's own OpenAPI schema: whatever the
input (odd JSON types, huge strings, unknown slugs, bad tokens), never a server error."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from config.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application).include(tag="campaigns")


@pytest.fixture
def fuzz_db(db: Any, settings: Any) -> Iterator[None]:
    """The demo campaigns loaded; the test's DB connection kept open across the WSGI calls."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    from tiewatch.campaigns.demo_loader import load

    settings.TIEWATCH_CAMPAIGNS_RATE_IP_SHORT = "0"
    settings.TIEWATCH_CAMPAIGNS_RATE_IP_LONG = "0"
    load()
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=30, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_campaigns_api_fuzz_no_server_errors(case: Any, fuzz_db: None) -> None:
    case.call_and_validate(checks=[not_a_server_error])
