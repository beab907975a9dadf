"""`caredesk kb import` and `kb export`: articles as JSON lines, one object a line:
{"kind": "article", "external_id", "title", "body", "category", "locale",
 "visibility": "public"|"customers"|"internal", "status": "published"|"draft"|…,
 "keywords": […], "questions": […], "translation_of": external_id?}
Idempotent by external_id; a bad line is reported with its number and changes nothing;
the lines before and after it are still imported."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q

from caredesk.core.errors import DomainError
from caredesk.knowledge.enums import ArticleStatus, Visibility
from caredesk.knowledge.models import Article
from caredesk.knowledge.services import (
    ArticleFields,
    article_create,
    article_set_status,
    article_update,
    place_get_or_create,
)

FIELDS = {
    "kind",
    "external_id",
    "title",
    "body",
    "category",
    "locale",
    "visibility",
    "status",
    "keywords",
    "questions",
    "translation_of",
}


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


class LineError(ValueError):
    pass


def _strings(obj: dict[str, Any], name: str) -> list[str]:
    value = obj.get(name) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise LineError(f'"{name}" must be a list of strings')
    return value


def _text(obj: dict[str, Any], name: str, *, required: bool = False) -> str:
    value = obj.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise LineError(f'"{name}" must be a{" non-empty" if required else ""} string')
    return value


_OWN_ID = re.compile(r"caredesk-(\d+)")


def _by_external_id(external_id: str) -> Article | None:
    """The article with this external id; ``caredesk-N`` (what kb_export writes for an
    article that has none) is article N, so an export imported back updates it."""
    article = Article.objects.filter(external_id=external_id).first()
    own = _OWN_ID.fullmatch(external_id)
    if article is None and own:
        article = (
            Article.objects.filter(pk=int(own.group(1)))
            .filter(Q(external_id="") | Q(external_id__isnull=True))
            .first()
        )
    return article


def _one(obj: Any, pending: dict[str, list[tuple[Article, str]]]) -> str:
    if not isinstance(obj, dict):
        raise LineError("not a JSON object")
    unknown = set(obj) - FIELDS
    if unknown:
        raise LineError(f"unknown field(s): {', '.join(sorted(unknown))}")
    if obj.get("kind") != "article":
        raise LineError('"kind" must be "article"')
    external_id = _text(obj, "external_id", required=True).strip()
    visibility = obj.get("visibility", Visibility.PUBLIC)
    status = obj.get("status", ArticleStatus.DRAFT)
    if status not in ArticleStatus.values:
        raise LineError(f'"status" must be one of {", ".join(ArticleStatus.values)}')
    original_id = _text(obj, "translation_of").strip()
    original = None
    if original_id:
        original = _by_external_id(original_id)
    fields = ArticleFields(
        title=_text(obj, "title", required=True),
        body=_text(obj, "body"),
        keywords=_strings(obj, "keywords"),
        questions=_strings(obj, "questions"),
        locale=_text(obj, "locale") or "en",
        visibility=str(visibility),
        section=place_get_or_create(_text(obj, "category")),
        translation_of=original,
        external_id=external_id,
    )
    article = _by_external_id(external_id)
    if article is None:
        article = article_create(fields=fields, author=None)
        outcome = "created"
    else:
        before = (
            article.version,
            article.visibility,
            article.locale,
            article.section_id,
            article.status,
        )
        article = article_update(article=article, fields=fields, actor=None)
        after = (article.version, article.visibility, article.locale, article.section_id, status)
        outcome = "unchanged" if before == after else "updated"
    if article.status != status:
        article_set_status(article=article, status=status, actor=None)
    if original_id and original is None:  # its original comes on a later line
        pending.setdefault(original_id, []).append((article, external_id))
    return outcome


def kb_import(lines: Iterable[str]) -> ImportReport:
    """Import JSON lines; each line in its own transaction."""
    report = ImportReport()
    pending: dict[str, list[tuple[Article, str]]] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            with transaction.atomic():
                outcome = _one(obj, pending)
        except json.JSONDecodeError as exc:
            report.errors.append((number, f"not valid JSON: {exc.msg}"))
            continue
        except LineError as exc:
            report.errors.append((number, str(exc)))
            continue
        except DomainError as exc:
            report.errors.append((number, exc.message))
            continue
        setattr(report, outcome, getattr(report, outcome) + 1)
    for original_id, waiting in pending.items():
        original = _by_external_id(original_id)
        for article, external_id in waiting:
            if original is None:
                report.errors.append(
                    (0, f"{external_id}: no article {original_id} to be a translation of")
                )
                continue
            try:
                article_update(
                    article=article, fields=ArticleFields(translation_of=original), actor=None
                )
            except DomainError as exc:
                report.errors.append((0, f"{external_id}: {exc.message}"))
    return report


def kb_export() -> Iterator[str]:
    """Every article as a JSON line, in id order (what kb_import reads back)."""
    articles = Article.objects.select_related("section__category", "translation_of").order_by("id")
    for article in articles.iterator(chunk_size=500):
        category = ""
        if article.section is not None:
            category = f"{article.section.category.name} / {article.section.name}"
        yield json.dumps(
            {
                "kind": "article",
                "external_id": article.external_id or f"caredesk-{article.pk}",
                "title": article.title,
                "body": article.body,
                "category": category,
                "locale": article.locale,
                "visibility": article.visibility,
                "status": article.status,
                "keywords": article.keywords,
                "questions": article.questions,
                "translation_of": (
                    (article.translation_of.external_id or f"caredesk-{article.translation_of.pk}")
                    if article.translation_of
                    else None
                ),
            },
            ensure_ascii=False,
        )
