"""The in-memory index: fresh after this process's own changes, never showing what was
just hidden, and deaf to words that are in most of the articles."""

from __future__ import annotations

import pytest

from caredesk.knowledge.enums import Audience, Visibility
from caredesk.knowledge.factories import published
from caredesk.knowledge.learning import article_vectors_compute
from caredesk.knowledge.models import Article
from caredesk.knowledge.search import _load, _postings, _word_ranks, kb_search

pytestmark = pytest.mark.django_db


def _titles(q: str, audience: str = Audience.ANONYMOUS) -> list[str]:
    return [hit.article.title for hit in kb_search(q=q, audience=audience, log=False)]


def test_an_article_published_here_is_found_at_once() -> None:
    published("Refunds", questions=["where is my refund", "money back"])
    article_vectors_compute()
    assert _titles("where is my refund") == ["Refunds"]
    published("Gift cards", questions=["do gift cards expire", "gift card balance"])
    article_vectors_compute()
    assert "Gift cards" in _titles("do gift cards expire")  # no wait for the recheck


def test_an_index_a_moment_old_never_shows_what_was_just_hidden() -> None:
    refunds = published("Refunds", questions=["where is my refund", "money back"])
    article_vectors_compute()
    assert _titles("where is my refund") == ["Refunds"]
    # changed behind this process's back (another server): its index is still the old one
    Article.objects.filter(pk=refunds.pk).update(visibility=Visibility.INTERNAL)
    assert _titles("where is my refund") == []
    assert _titles("where is my refund", Audience.AGENT) == ["Refunds"]


def test_words_in_most_of_the_articles_do_not_count_and_rare_words_rank_first() -> None:
    parts = [published(f"Widget part {n}", body=f"Every widget has part {n}.") for n in range(24)]
    refunds = published("Widget refunds", body="A refund for a widget takes five days.")
    gadget = published("Gadget refunds", body="A refund for a gadget: see the widget rules.")
    loaded = _load()
    everyone = {a.pk for a in [*parts, refunds, gadget]}
    assert _postings(loaded, "widget") is None  # in 26 of 26 articles
    assert _postings(loaded, "refunds") == {refunds.pk, gadget.pk}  # by its stem
    assert _postings(loaded, "how") == frozenset()  # a stop word
    # "gadget" is rarer than "refund": the article with both comes first
    assert _word_ranks(loaded, "How do I get a widget gadget refund?", everyone) == [
        gadget.pk,
        refunds.pk,
    ]
    assert _word_ranks(loaded, "widget refund", everyone - {gadget.pk}) == [refunds.pk]
