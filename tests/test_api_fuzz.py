"""Property-based fuzzing of the whole API from its own OpenAPI schema (schemathesis).

Every operation gets generated requests, valid and invalid, as an agent. The property
checked is the ground rule: no input makes the API answer 5xx, and every error is a
problem body. The database runs in autocommit, as in production: inside one wrapping
test transaction, PostgreSQL would refuse every query after a rejected out-of-range
value, which no real request sees. (Schemathesis's conformance checks also report that
our validation is stricter than the schema says, for example cursors and limits; those
are not failures of this rule.) Data is created first so that ids in paths sometimes
exist.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from caredesk.accounts.factories import UserFactory
from caredesk.accounts.services import token_create
from caredesk.config.wsgi import application
from caredesk.tickets.factories import ticket_make

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture
def _keep_test_connection():
    """The WSGI app is called directly, not through Django's test client, so do what the
    client does: keep request signals from closing the test's database connection."""

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def agent_headers(transactional_db, _keep_test_connection):
    agent = UserFactory()
    ticket_make(subject="Fuzz target", tags=["fuzz"])
    _, plain = token_create(user=agent)
    return {"Authorization": f"Bearer {plain}", "Host": "localhost"}


@schema.parametrize()
@settings(
    max_examples=25,
    derandomize=True,  # the same cases on every run: CI stays reproducible
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_no_request_makes_the_api_fail(case, agent_headers) -> None:
    response = case.call(headers=agent_headers)
    assert response.status_code < 500, (response.status_code, response.text[:500])
    # 405 comes from routing (an undeclared method), before the API's error handlers
    if response.status_code >= 400 and response.status_code != 405:
        content_type = response.headers.get("content-type", [""])[0]
        assert content_type.startswith("application/problem+json"), (
            response.status_code,
            response.text[:300],
        )
        problem = response.json()
        assert problem["status"] == response.status_code
        assert problem["detail"]
