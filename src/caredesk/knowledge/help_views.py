"""The help centre at /help/: server-rendered, one look of its own, per locale, with
SEO-friendly addresses, a sitemap, "did this help?" and search as you type. What a
reader sees is decided by selectors.visible_articles (their audience) only."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST

from caredesk.core.errors import DomainError, NotFound
from caredesk.core.storage import blob_open
from caredesk.knowledge.enums import Audience, ViewSource
from caredesk.knowledge.links import article_url
from caredesk.knowledge.models import Article, ArticleImage, Category
from caredesk.knowledge.rendering import excerpt, markdown_html
from caredesk.knowledge.search import kb_answer, kb_search
from caredesk.knowledge.selectors import (
    article_get_visible,
    audience_of,
    translations_of,
    visible_articles,
)
from caredesk.knowledge.services import feedback_record, view_record

LOCALES = {code for code, _name in settings.LANGUAGES}


def _locale(locale: str) -> str:
    if locale not in LOCALES:
        raise Http404
    return locale


def _session(request: HttpRequest) -> str:
    """A stable key for this visitor (anonymous ones too), to count votes and views."""
    if not request.session.session_key:
        request.session.save()
    return request.session.session_key or ""


@dataclass
class Group:
    category: Category
    articles: list[Article] = field(default_factory=list)


@require_GET
def help_root(request: HttpRequest) -> HttpResponse:
    language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return redirect("help:home", locale=language if language in LOCALES else "en")


@require_GET
def help_home(request: HttpRequest, locale: str) -> HttpResponse:
    locale = _locale(locale)
    audience = audience_of(request.user)
    articles = visible_articles(audience=audience, locale=locale).select_related(
        "section__category"
    )
    categories: dict[int, Group] = {}
    loose = []
    for article in articles.order_by("-views", "title")[:500]:
        if article.section is None:
            loose.append(article)
            continue
        category = article.section.category
        categories.setdefault(category.pk, Group(category)).articles.append(article)
    ordered = sorted(categories.values(), key=lambda g: (g.category.position, g.category.name))
    return render(
        request, "help/home.html", {"locale": locale, "categories": ordered, "loose": loose}
    )


@require_GET
def help_category(request: HttpRequest, locale: str, slug: str) -> HttpResponse:
    locale = _locale(locale)
    category = Category.objects.filter(slug=slug).first()
    if category is None:
        raise Http404
    articles = (
        visible_articles(audience=audience_of(request.user), locale=locale)
        .filter(section__category=category)
        .select_related("section")
        .order_by("section__position", "section__name", "title")
    )
    sections: dict[int, dict[str, object]] = {}
    for article in articles:
        assert article.section is not None
        sections.setdefault(article.section.pk, {"section": article.section, "articles": []})
        sections[article.section.pk]["articles"].append(article)  # type: ignore[attr-defined]
    if not sections:
        raise Http404  # nothing this reader may see: as if it were not there
    return render(
        request,
        "help/category.html",
        {"locale": locale, "category": category, "sections": list(sections.values())},
    )


@require_GET
def help_article(request: HttpRequest, locale: str, article_id: int, slug: str) -> HttpResponse:
    audience = audience_of(request.user)
    try:
        article = article_get_visible(audience=audience, article_id=article_id)
    except NotFound:
        raise Http404 from None
    if article.locale != locale or article.slug != slug:
        return redirect(article_url(article), permanent=True)
    source = request.GET.get("from", ViewSource.HELP)
    view_record(article=article, source=source, session_key=_session(request))
    related = list(visible_articles(audience=audience).filter(related=article)[:5])
    return render(
        request,
        "help/article.html",
        {
            "locale": locale,
            "article": article,
            "html": markdown_html(article.body),
            "description": excerpt(article.body, length=155),
            "related": related,
            "translations": translations_of(article, audience=audience),
            "voted": request.GET.get("voted"),
        },
    )


@require_POST
def help_feedback(request: HttpRequest, article_id: int) -> HttpResponse:
    try:
        article = article_get_visible(audience=audience_of(request.user), article_id=article_id)
    except NotFound:
        raise Http404 from None
    helpful = request.POST.get("helpful")
    if helpful not in ("yes", "no"):
        return HttpResponse(_("Choose yes or no."), status=400)
    feedback_record(
        article=article,
        helpful=helpful == "yes",
        comment=request.POST.get("comment", ""),
        session_key=_session(request),
    )
    if request.htmx:  # type: ignore[attr-defined]
        return render(
            request, "help/partials/thanks.html", {"article": article, "helpful": helpful == "yes"}
        )
    return redirect(f"{article_url(article)}?voted={helpful}")


@require_GET
def help_search(request: HttpRequest, locale: str) -> HttpResponse:
    locale = _locale(locale)
    q = request.GET.get("q", "").strip()
    source = request.GET.get("from", ViewSource.HELP)
    source = source if source in ViewSource.values else ViewSource.HELP
    hits = []
    if q:
        try:
            hits = kb_search(
                q=q,
                audience=audience_of(request.user),
                locale=locale,
                limit=8,
                source=source,
                session_key=_session(request),
            )
        except DomainError:
            hits = []
    context = {"locale": locale, "q": q, "hits": hits, "source": source}
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "help/partials/results.html", context)
    return render(request, "help/search.html", context)


@require_GET
@cache_control(max_age=3600, public=True)
def help_sitemap(request: HttpRequest) -> HttpResponse:
    """Every public, published article: nothing a visitor may not open."""
    articles = (
        visible_articles(audience=Audience.ANONYMOUS)
        .order_by("id")
        .only("id", "slug", "locale", "updated_at")
    )
    base = request.build_absolute_uri("/")[:-1]
    return render(
        request,
        "help/sitemap.xml",
        {"articles": articles, "base": base},
        content_type="application/xml",
    )


@require_GET
def help_image(request: HttpRequest, image_id: int) -> HttpResponse:
    """An article's image, for those who may read the article."""
    image = ArticleImage.objects.filter(pk=image_id, article__isnull=False).first()
    if image is None or image.article_id is None:
        raise Http404
    audience = audience_of(request.user)
    if audience != Audience.AGENT:
        try:
            article_get_visible(audience=audience, article_id=image.article_id)
        except NotFound:
            raise Http404 from None
    response = HttpResponse(blob_open(image.storage_path), content_type=image.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    return response


@require_GET
def help_suggest(request: HttpRequest) -> HttpResponse:
    """Articles for what a customer is typing on the request form (htmx): opening
    one and then not submitting is a deflection (see services.request_submitted)."""
    q = " ".join([request.GET.get("subject", ""), request.GET.get("description", "")]).strip()
    hits = []
    if len(q) >= 3:
        language = (get_language() or "en").split("-")[0]
        try:
            hits = kb_search(
                q=q[:300],
                audience=audience_of(request.user),
                locale=language if language in LOCALES else None,
                limit=5,
                source=ViewSource.PORTAL,
                session_key=_session(request),
            )
        except DomainError:
            hits = []
    return render(request, "help/partials/suggestions.html", {"hits": hits})


@require_GET
def help_ask(request: HttpRequest, locale: str) -> HttpResponse:
    """The answer bot in the help centre: an article when it is sure, otherwise a
    request form filled in with the question."""
    locale = _locale(locale)
    question = request.GET.get("question", "").strip()
    answer = None
    if question:
        try:
            answer = kb_answer(
                question=question,
                audience=audience_of(request.user),
                locale=locale,
                session_key=_session(request),
            )
        except DomainError:
            answer = None
    context = {"locale": locale, "question": question, "answer": answer}
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "help/partials/answer.html", context)
    return render(request, "help/ask.html", context)
