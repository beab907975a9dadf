"""Shared fixtures: an API client that speaks as a user, and the database guard for CI."""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
from django.db import connection
from django.test import Client


@pytest.fixture(scope="session", autouse=True)
def _database_matches_ci(django_db_setup: None, django_db_blocker: Any) -> None:
    """Under CI=true with DATABASE_URL=postgres…, the run must really be on PostgreSQL."""
    wanted = os.environ.get("DATABASE_URL", "")
    with django_db_blocker.unblock():
        vendor = connection.vendor
    if wanted.startswith("postgres") and vendor != "postgresql":
        pytest.fail(f"DATABASE_URL asks for PostgreSQL but the tests run on {vendor}")


class ApiClient:
    """Django's test client with a bearer token and JSON in and out."""

    def __init__(self, token: str | None) -> None:
        self.client = Client(SERVER_NAME="localhost")
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}

    def _call(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        url = path if path.startswith("/") else f"/api/v1/{path}"
        fn = getattr(self.client, method)
        if method == "get":
            return fn(url, params, **self.headers)
        data = json.dumps(body if body is not None else {})
        return fn(url, data=data, content_type="application/json", **self.headers)

    def get(self, path: str, **params: Any) -> Any:
        return self._call("get", path, **params)

    def post(self, path: str, body: Any = None) -> Any:
        return self._call("post", path, body)

    def patch(self, path: str, body: Any = None) -> Any:
        return self._call("patch", path, body)

    def put(self, path: str, body: Any = None) -> Any:
        return self._call("put", path, body)

    def delete(self, path: str) -> Any:
        return self._call("delete", path)


@pytest.fixture
def api_as() -> Any:
    """api_as(user) -> ApiClient authenticated with a fresh token of that user."""
    from caredesk.accounts.services import token_create

    def make(user: Any) -> ApiClient:
        _, plain = token_create(user=user)
        return ApiClient(plain)

    return make


@pytest.fixture
def anon_api() -> ApiClient:
    return ApiClient(None)


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    """Rate limits, presence and cached settings must not leak from one test to the next."""
    from django.core.cache import cache

    from caredesk.core.cache import cache_local_clear

    cache.clear()
    cache_local_clear()
    yield
    cache.clear()
    cache_local_clear()
