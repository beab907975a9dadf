"""Writing, reviewing, publishing, translating and importing articles."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.utils import timezone

from caredesk.accounts.enums import Role
from caredesk.accounts.factories import UserFactory
from caredesk.core.errors import PermissionDenied
from caredesk.customers.factories import customer_user
from caredesk.knowledge.enums import ArticleStatus
from caredesk.knowledge.errors import KnowledgeError, KnowledgeErrorCode
from caredesk.knowledge.factories import published
from caredesk.knowledge.models import Article
from caredesk.knowledge.rendering import markdown_html
from caredesk.knowledge.services import (
    ArticleFields,
    article_create,
    article_restore,
    article_set_status,
    article_update,
    articles_publish_due,
)
from caredesk.knowledge.transfer import kb_export, kb_import

pytestmark = pytest.mark.django_db


def test_an_author_cannot_publish_alone_but_a_colleague_can() -> None:
    author, colleague = UserFactory(), UserFactory()
    article = article_create(fields=ArticleFields(title="Refunds", body="Five days."),
                             author=author)  # fmt: skip
    article_set_status(article=article, status=ArticleStatus.REVIEW, actor=author)
    with pytest.raises(KnowledgeError) as exc:
        article_set_status(article=article, status=ArticleStatus.PUBLISHED, actor=author)
    assert exc.value.code is KnowledgeErrorCode.NOT_REVIEWER
    done = article_set_status(article=article, status=ArticleStatus.PUBLISHED, actor=colleague)
    assert done.status == ArticleStatus.PUBLISHED
    assert done.reviewer == colleague
    assert done.published_at is not None


def test_a_supervisor_publishes_their_own_article() -> None:
    boss = UserFactory(role=Role.SUPERVISOR)
    article = article_create(fields=ArticleFields(title="Hours"), author=boss)
    assert article_set_status(article=article, status="published", actor=boss).status == "published"


def test_scheduled_publishing_waits_for_its_time() -> None:
    author, reviewer = UserFactory(), UserFactory()
    later = timezone.now() + dt.timedelta(hours=2)
    article = article_create(fields=ArticleFields(title="Sale", publish_at=later), author=author)
    article = article_set_status(article=article, status="published", actor=reviewer)
    assert article.status == ArticleStatus.REVIEW
    assert articles_publish_due() == 0
    assert articles_publish_due(now=later + dt.timedelta(seconds=1)) == 1
    assert Article.objects.get(pk=article.pk).status == ArticleStatus.PUBLISHED


def test_each_change_of_words_is_a_version_that_can_be_restored() -> None:
    agent = UserFactory()
    article = article_create(fields=ArticleFields(title="Returns", body="30 days."), author=agent)
    article = article_update(article=article, fields=ArticleFields(body="60 days."), actor=agent)
    article = article_update(article=article, fields=ArticleFields(visibility="internal"),
                             actor=agent)  # fmt: skip
    assert article.version == 2  # visibility is not the words
    article = article_restore(article=article, number=1, actor=agent)
    assert article.body == "30 days."
    assert list(article.versions.values_list("number", flat=True)) == [3, 2, 1]


def test_a_translation_is_outdated_when_its_original_changes() -> None:
    agent = UserFactory()
    original = article_create(fields=ArticleFields(title="Refunds"), author=agent)
    german = article_create(
        fields=ArticleFields(title="Erstattungen", locale="de", translation_of=original),
        author=agent,
    )
    article_update(article=original, fields=ArticleFields(body="Now 3 days."), actor=agent)
    assert Article.objects.get(pk=german.pk).outdated is True
    with pytest.raises(KnowledgeError) as exc:  # same language: not a translation
        article_create(fields=ArticleFields(title="Refunds 2", translation_of=original),
                       author=agent)  # fmt: skip
    assert exc.value.code is KnowledgeErrorCode.INVALID_TRANSLATION


def test_a_customer_cannot_write_articles() -> None:
    with pytest.raises(PermissionDenied):
        article_create(fields=ArticleFields(title="Mine"), author=customer_user())


def test_markdown_is_rendered_and_made_safe() -> None:
    html = markdown_html(
        "**Bold** <script>alert(1)</script> [x](javascript:alert(1)) "
        "![ok](/help/images/3) ![remote](https://tracker.example/p.gif)"
    )
    assert "<strong>Bold</strong>" in html
    assert "<script>" not in html
    assert "javascript:" not in html.replace("[x](javascript:alert(1))", "")
    assert 'src="/help/images/3"' in html
    assert "tracker.example" not in html


LINES: list[dict[str, Any]] = [
    {"kind": "article", "external_id": "pw", "title": "Reset your password", "body": "Use it.",
     "category": "Account / Sign-in", "locale": "en", "visibility": "public",
     "status": "published", "keywords": ["password"], "questions": ["I forgot my password"]},
    {"kind": "article", "external_id": "pw-de", "title": "Passwort zurücksetzen", "locale": "de",
     "status": "draft", "translation_of": "pw"},
]  # fmt: skip


def test_import_is_idempotent_and_reports_bad_lines_by_number() -> None:
    lines = [json.dumps(LINES[1]), json.dumps(LINES[0]), "{broken", '{"kind": "article"}',
             json.dumps({**LINES[0], "visibility": "everyone", "external_id": "x"})]  # fmt: skip
    first = kb_import(lines)
    assert (first.created, first.updated) == (2, 0)
    assert [n for n, _why in first.errors] == [3, 4, 5]
    german = Article.objects.get(external_id="pw-de")
    assert german.translation_of == Article.objects.get(external_id="pw")  # a later line
    assert german.section is None
    original = Article.objects.get(external_id="pw")
    assert original.section is not None
    assert original.section.category.name == "Account"
    again = kb_import(lines)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    changed = kb_import([json.dumps({**LINES[0], "body": "Use the new link."})])
    assert changed.updated == 1
    assert Article.objects.count() == 2


def test_export_reads_back_as_the_same_articles() -> None:
    kb_import([json.dumps(line) for line in LINES])
    exported = [json.loads(line) for line in kb_export()]
    assert {e["external_id"] for e in exported} == {"pw", "pw-de"}
    pw = next(e for e in exported if e["external_id"] == "pw")
    assert pw["category"] == "Account / Sign-in"
    assert pw["questions"] == ["I forgot my password"]
    report = kb_import([json.dumps(e) for e in exported])
    assert report.unchanged == 2
    assert not report.errors


def test_articles_written_here_export_and_import_back_without_duplicates() -> None:
    original = published("Opening hours", questions=["when are you open"])
    german = published("Öffnungszeiten", locale="de")
    article_update(article=german, fields=ArticleFields(translation_of=original), actor=None)
    exported = [json.loads(line) for line in kb_export()]
    assert [e["external_id"] for e in exported] == [
        f"caredesk-{original.pk}",
        f"caredesk-{german.pk}",
    ]
    exported[0]["title"] = "Opening hours and holidays"
    report = kb_import([json.dumps(e) for e in exported])
    assert not report.errors
    assert (report.created, report.updated) == (0, 1)
    assert Article.objects.count() == 2
    original.refresh_from_db()
    assert original.title == "Opening hours and holidays"
    assert original.external_id == f"caredesk-{original.pk}"  # stable from now on
    assert Article.objects.get(pk=german.pk).translation_of_id == original.pk
