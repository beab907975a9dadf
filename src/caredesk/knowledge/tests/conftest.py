from __future__ import annotations

from collections.abc import Iterator

import pytest

from caredesk.knowledge.search import index_forget


@pytest.fixture(autouse=True)
def _fresh_index() -> Iterator[None]:
    """Each test's articles, not a copy of an earlier test's (rolled back) ones."""
    index_forget()
    yield
    index_forget()
