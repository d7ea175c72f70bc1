"""schemathesis fuzz of the policies and arms endpoints against the API's own OpenAPI schema (the
registry and campaigns endpoints have their own fuzz tests beside their apps): never a 5xx."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from config.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application).include(tag_regex="^(policies|arms)$")


@pytest.fixture
def fuzz_db(seeded: Any, wsgi_keeps_test_connection: None) -> Any:
    return seeded


@schema.parametrize()
@settings(max_examples=20, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_policies_and_arms_api_fuzz_no_server_errors(case: Any, fuzz_db: Any) -> None:
    case.call_and_validate(checks=[not_a_server_error])
