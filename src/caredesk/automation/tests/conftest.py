"""A real HTTP server that receives webhooks, for the delivery tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from caredesk.core.testing import Receiver, http_receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with http_receiver() as rec:
        yield rec
