"""Helpers the tests of every app share."""

from __future__ import annotations

from typing import Any

from django.test import Client


def signed_in(user: Any) -> Client:
    """A test client with ``user`` signed in (no password, no two-factor step)."""
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    return client
