"""Writing the knowledge base: articles and their versions, review and publishing,
translations marked outdated when their original changes, votes and views."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from caredesk.accounts.enums import Role
from caredesk.accounts.models import User
from caredesk.core.errors import PermissionDenied
from caredesk.core.storage import blob_store
from caredesk.knowledge.enums import ArticleStatus, ViewSource, Visibility
from caredesk.knowledge.errors import KnowledgeError, KnowledgeErrorCode
from caredesk.knowledge.models import (
    Article,
    ArticleFeedback,
    ArticleImage,
    ArticleVersion,
    ArticleView,
    Category,
    Section,
)
from caredesk.knowledge.rendering import IMAGES_PATH, markdown_text
from caredesk.knowledge.search import index_changed
from caredesk.search.models import DocKind
from caredesk.search.services import search_entry_drop, search_entry_put

CONTENT = ("title", "body", "keywords", "questions")


@dataclass
class ArticleFields:
    """What a writer sets on an article; ``None`` leaves a field as it is."""

    title: str | None = None
    body: str | None = None
    keywords: list[str] | None = None
    questions: list[str] | None = None
    locale: str | None = None
    visibility: str | None = None
    section: Section | None = None
    translation_of: Article | None = None
    publish_at: dt.datetime | None = None
    external_id: str | None = None
    related: list[Article] | None = field(default=None)


def _words(values: list[str] | None, limit: int = 50) -> list[str]:
    seen: list[str] = []
    for value in values or []:
        text = " ".join(str(value).split())[:300]
        if text and text not in seen:
            seen.append(text)
    return seen[:limit]


def _check(article: Article) -> None:
    if not article.title.strip():
        raise KnowledgeError(
            KnowledgeErrorCode.EMPTY_TITLE, _("An article needs a title."), field="title"
        )
    if article.visibility not in Visibility.values:
        raise KnowledgeError(
            KnowledgeErrorCode.INVALID_VISIBILITY,
            _("Visibility must be one of: %(choices)s.")
            % {"choices": ", ".join(Visibility.values)},
            field="visibility",
        )
    if article.locale not in {code for code, _name in settings.LANGUAGES}:
        raise KnowledgeError(
            KnowledgeErrorCode.INVALID_LOCALE,
            _("Locale must be one of: %(choices)s.")
            % {"choices": ", ".join(code for code, _name in settings.LANGUAGES)},
            field="locale",
        )
    original = article.translation_of
    if original is not None and (
        original.pk == article.pk
        or original.translation_of_id is not None
        or original.locale == article.locale
    ):
        raise KnowledgeError(
            KnowledgeErrorCode.INVALID_TRANSLATION,
            _(
                "A translation belongs to an original in another language, which is not itself "
                "a translation."
            ),
            field="translation_of",
        )
    taken = Article.objects.filter(external_id=article.external_id).exclude(pk=article.pk)
    if article.external_id and taken.exists():
        raise KnowledgeError(
            KnowledgeErrorCode.EXTERNAL_ID_TAKEN,
            _("Another article has this external id."),
            field="external_id",
        )


def _apply(article: Article, fields: ArticleFields) -> None:
    for name in ("title", "body", "locale", "visibility", "external_id"):
        value = getattr(fields, name)
        if value is not None:
            setattr(article, name, value.strip() if name == "title" else value)
    if fields.keywords is not None:
        article.keywords = _words(fields.keywords)
    if fields.questions is not None:
        article.questions = _words(fields.questions, limit=200)
    if fields.section is not None:
        article.section = fields.section
    if fields.translation_of is not None:
        article.translation_of = fields.translation_of
    if fields.publish_at is not None:
        article.publish_at = fields.publish_at
    article.external_id = article.external_id or None
    article.title = article.title[:250]
    if not article.slug:
        article.slug = (slugify(article.title, allow_unicode=True) or "article")[:120]


def _version_save(article: Article, author: User | None) -> None:
    ArticleVersion.objects.create(
        article=article,
        number=article.version,
        title=article.title,
        body=article.body,
        keywords=article.keywords,
        questions=article.questions,
        author=author,
        created_at=timezone.now(),
    )


def article_index(article: Article) -> None:
    """The article's entry in the full-text index (title, questions, keywords, body)."""
    search_entry_put(
        kind=DocKind.ARTICLE,
        object_id=article.pk,
        customer_id=None,
        organization_id=None,
        title=article.title,
        body="\n".join(
            [*article.questions, " ".join(article.keywords), markdown_text(article.body)]
        ),
    )
    index_changed()


@transaction.atomic
def article_create(*, fields: ArticleFields, author: User | None) -> Article:
    """A new draft (version 1), indexed; its vectors follow by a job."""
    if author is not None and not author.is_staff_member:
        raise PermissionDenied()
    article = Article(author=author)
    _apply(article, fields)
    _check(article)
    article.save()
    if fields.related is not None:
        article.related.set([a for a in fields.related if a.pk != article.pk])
    _version_save(article, author)
    article_index(article)
    return article


@transaction.atomic
def article_update(*, article: Article, fields: ArticleFields, actor: User | None) -> Article:
    """Change an article. A change of its words is a new version, marks its
    translations outdated and sends a published article back to nobody: it stays
    published (corrections go live), but its vectors are computed again."""
    if actor is not None and not actor.is_staff_member:
        raise PermissionDenied()
    article = Article.objects.select_for_update().get(pk=article.pk)
    before = {name: getattr(article, name) for name in CONTENT}
    _apply(article, fields)
    _check(article)
    changed = any(getattr(article, name) != before[name] for name in CONTENT)
    if changed:
        article.version += 1
    article.save()
    if fields.related is not None:
        article.related.set([a for a in fields.related if a.pk != article.pk])
    if changed:
        _version_save(article, actor)
        article.translations.update(outdated=True, updated_at=timezone.now())
    article_index(article)
    return article


def _may_publish(user: User | None, article: Article) -> bool:
    """Supervisors and admins publish; an agent publishes someone else's article only."""
    if user is None:
        return True  # the scheduler, an import
    if not user.is_staff_member:
        return False
    return user.role in (Role.SUPERVISOR, Role.ADMIN) or article.author_id != user.pk


@transaction.atomic
def article_set_status(*, article: Article, status: str, actor: User | None) -> Article:
    """Move an article through draft → in review → published → archived (and back to
    draft). Publishing needs a reviewer other than the author, unless a supervisor or
    an admin publishes; a future ``publish_at`` leaves it to the scheduler."""
    if actor is not None and not actor.is_staff_member:
        raise PermissionDenied()
    if status not in ArticleStatus.values:
        raise KnowledgeError(
            KnowledgeErrorCode.INVALID_STATUS_CHANGE,
            _("Unknown status %(status)s.") % {"status": status},
            field="status",
        )
    article = Article.objects.select_for_update().get(pk=article.pk)
    if status == ArticleStatus.PUBLISHED:
        if not _may_publish(actor, article):
            raise KnowledgeError(
                KnowledgeErrorCode.NOT_REVIEWER,
                _("Another member of staff reviews and publishes what you wrote."),
            )
        now = timezone.now()
        if article.publish_at is not None and article.publish_at > now:
            article.status = ArticleStatus.REVIEW  # waits for its time, reviewed
        else:
            article.status = ArticleStatus.PUBLISHED
            article.published_at = article.published_at or now
        if actor is not None:
            article.reviewer = actor
    else:
        article.status = status
    article.save()
    index_changed()
    return article


def articles_publish_due(*, now: dt.datetime | None = None) -> int:
    """Publish reviewed articles whose publish_at has come; returns how many."""
    now = now or timezone.now()
    due = Article.objects.filter(
        status=ArticleStatus.REVIEW, publish_at__lte=now, reviewer__isnull=False
    )
    index_changed()
    return due.update(status=ArticleStatus.PUBLISHED, published_at=now, updated_at=now)


def article_restore(*, article: Article, number: int, actor: User) -> Article:
    """Make an earlier version the current words again (as a new version)."""
    old = ArticleVersion.objects.filter(article=article, number=number).first()
    if old is None:
        raise KnowledgeError(
            KnowledgeErrorCode.NO_SUCH_VERSION,
            _("This article has no version %(n)s.") % {"n": number},
        )
    return article_update(
        article=article,
        fields=ArticleFields(
            title=old.title,
            body=old.body,
            keywords=list(old.keywords),
            questions=list(old.questions),
        ),
        actor=actor,
    )


def article_translation_done(*, article: Article, actor: User) -> Article:
    """The translator brought it up to date with its original."""
    if not actor.is_staff_member:
        raise PermissionDenied()
    Article.objects.filter(pk=article.pk).update(outdated=False)
    article.outdated = False
    return article


def article_delete(*, article: Article, actor: User) -> None:
    if actor.role not in (Role.SUPERVISOR, Role.ADMIN):
        raise PermissionDenied()
    search_entry_drop(kind=DocKind.ARTICLE, object_id=article.pk)
    article.delete()
    index_changed()


IMAGE_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
MAX_IMAGE_BYTES = 5 * 1024 * 1024


def article_image_add(*, article: Article, filename: str, data: bytes, actor: User) -> ArticleImage:
    """Store an image for an article (PNG, JPEG, GIF or WebP, checked by decoding it:
    never SVG, which can carry script); its Markdown is image_markdown()."""
    if not actor.is_staff_member:
        raise PermissionDenied()
    if not data or len(data) > MAX_IMAGE_BYTES:
        raise KnowledgeError(
            KnowledgeErrorCode.INVALID_IMAGE,
            _("An image must hold something and be at most %(mb)s MB.")
            % {"mb": MAX_IMAGE_BYTES // (1024 * 1024)},
            field="image",
        )
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format or ""
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        kind = ""
    if kind not in IMAGE_TYPES:
        raise KnowledgeError(
            KnowledgeErrorCode.INVALID_IMAGE,
            _("Only PNG, JPEG, GIF and WebP images can be added."),
            field="image",
        )
    blob = blob_store(data=data, namespace="kb-images")
    name = (filename or "image").replace("\\", "/").rsplit("/", 1)[-1][:250] or "image"
    return ArticleImage.objects.create(
        article=article,
        filename=name,
        content_type=IMAGE_TYPES[kind],
        size=blob.size,
        storage_path=blob.path,
    )


def image_markdown(image: ArticleImage) -> str:
    """What to write in an article's body to show the image."""
    alt = image.filename.rsplit(".", 1)[0].replace("[", "").replace("]", "")
    return f"![{alt}]({IMAGES_PATH}{image.pk})"


def place_get_or_create(path: str) -> Section | None:
    """The section of "Category / Section" (or a category's general section of
    "Category"), created when missing; empty gives none."""
    parts = [p.strip() for p in (path or "").split("/") if p.strip()]
    if not parts:
        return None
    name = parts[0][:120]
    slug = (slugify(name, allow_unicode=True) or "category")[:140]
    category, _created = Category.objects.get_or_create(slug=slug, defaults={"name": name})
    section_name = (parts[1] if len(parts) > 1 else _("General"))[:120]
    section_slug = (slugify(section_name, allow_unicode=True) or "section")[:140]
    section, _created = Section.objects.get_or_create(
        category=category, slug=section_slug, defaults={"name": section_name}
    )
    return section


def feedback_record(
    *, article: Article, helpful: bool, comment: str = "", session_key: str = ""
) -> ArticleFeedback:
    """A reader's "did this help?"; one per reader and article (a second replaces it)."""
    values: dict[str, Any] = {
        "helpful": helpful,
        "comment": comment.strip()[:2000],
        "at": timezone.now(),
    }
    if session_key:
        row, _created = ArticleFeedback.objects.update_or_create(
            article=article, session_key=session_key, defaults=values
        )
        return row
    return ArticleFeedback.objects.create(article=article, **values)


def view_record(*, article: Article, source: str, session_key: str = "") -> None:
    if source not in ViewSource.values:
        source = ViewSource.HELP
    ArticleView.objects.create(
        article=article, source=source, session_key=session_key, at=timezone.now()
    )
    Article.objects.filter(pk=article.pk).update(views=F("views") + 1)


def request_submitted(*, session_key: str) -> None:
    """The visitor submitted a request after all: what they opened did not deflect it."""
    if session_key:
        ArticleView.objects.filter(
            session_key=session_key, source=ViewSource.PORTAL, submitted=False
        ).update(submitted=True)
