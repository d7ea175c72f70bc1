"""schemathesis fuzz of the campaigns endpoints against the API's own OpenAPI schema: whatever the
input (odd JSON types, huge strings, unknown slugs, bad tokens), never a server error."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from config.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application).include(tag="campaigns")


@pytest.fixture
def fuzz_db(wsgi_keeps_test_connection: None, settings: Any) -> None:
    """The demo campaigns loaded, with the per-IP rate limits off so the fuzzer reaches the handlers."""
    from tiewatch.campaigns.demo_loader import load

    settings.TIEWATCH_CAMPAIGNS_RATE_IP_SHORT = "0"
    settings.TIEWATCH_CAMPAIGNS_RATE_IP_LONG = "0"
    load()


@schema.parametrize()
@settings(max_examples=30, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_campaigns_api_fuzz_no_server_errors(case: Any, fuzz_db: None) -> None:
    case.call_and_validate(checks=[not_a_server_error])
