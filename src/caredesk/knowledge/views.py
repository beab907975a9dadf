"""The agent screens of the knowledge base: the list with its figures, writing and
editing, review and publishing, versions with their diff and restore, and an article
started from a ticket reply."""

from __future__ import annotations

import datetime as dt
import difflib

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from caredesk.accounts.gates import staff_required, user_of
from caredesk.accounts.models import User
from caredesk.core.errors import DomainError, NotFound
from caredesk.knowledge.enums import ArticleStatus, Audience, ViewSource
from caredesk.knowledge.forms import ArticleForm, ArticleImageForm
from caredesk.knowledge.kpis import knowledge_figures
from caredesk.knowledge.links import article_url
from caredesk.knowledge.models import ArticleVersion
from caredesk.knowledge.search import kb_search
from caredesk.knowledge.selectors import article_get_for_staff, articles_for_staff
from caredesk.knowledge.services import (
    ArticleFields,
    article_create,
    article_image_add,
    article_restore,
    article_set_status,
    article_translation_done,
    article_update,
    image_markdown,
    place_get_or_create,
)
from caredesk.tickets.models import Message
from caredesk.tickets.selectors import ticket_get_for_user


@require_GET
@staff_required
def article_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    articles = articles_for_staff(
        user=user_of(request),
        q=request.GET.get("q", "").strip(),
        status=status if status in ArticleStatus.values else "",
    )
    end = timezone.now()
    figures = knowledge_figures(start=end - dt.timedelta(days=30), end=end)
    return render(
        request,
        "knowledge/list.html",
        {
            "articles": articles[:200],
            "figures": figures,
            "statuses": ArticleStatus.choices,
            "status": status,
            "nav": "knowledge",
        },
    )


def _fields(form: ArticleForm) -> ArticleFields:
    d = form.cleaned_data
    return ArticleFields(
        title=d["title"],
        body=d["body"],
        questions=form.question_list(),
        keywords=form.keyword_list(),
        locale=d["locale"],
        visibility=d["visibility"],
        section=place_get_or_create(d["category"]),
        translation_of=d["translation_of"],
        publish_at=d["publish_at"],
        related=d["related"],
    )


@require_http_methods(["GET", "POST"])
@staff_required
def article_new(request: HttpRequest) -> HttpResponse:
    initial: dict[str, object] = {"locale": "en", "visibility": "public"}
    message_id = request.GET.get("from_message", "")
    if message_id.isdigit():  # an article from a ticket reply
        message = _reply(request, int(message_id))
        if message is not None:
            initial.update(
                title=message.ticket.subject, body=message.text, questions=message.ticket.subject
            )
    form = ArticleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            article = article_create(fields=_fields(form), author=user_of(request))
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Draft saved."))
            return redirect("knowledge:edit", article_id=article.pk)
    return render(
        request, "knowledge/edit.html", {"form": form, "article": None, "nav": "knowledge"}
    )


def _reply(request: HttpRequest, message_id: int) -> Message | None:
    message = Message.objects.select_related("ticket").filter(pk=message_id).first()
    if message is None:
        return None
    try:
        ticket_get_for_user(user=user_of(request), ticket_id=message.ticket_id)
    except NotFound:
        return None
    return message


@require_http_methods(["GET", "POST"])
@staff_required
def article_edit(request: HttpRequest, article_id: int) -> HttpResponse:
    article = article_get_for_staff(user=user_of(request), article_id=article_id)
    category = ""
    if article.section is not None:
        category = f"{article.section.category.name} / {article.section.name}"
    initial = {
        "title": article.title,
        "body": article.body,
        "questions": "\n".join(article.questions),
        "keywords": ", ".join(article.keywords),
        "category": category,
        "locale": article.locale,
        "visibility": article.visibility,
        "translation_of": article.translation_of,
        "publish_at": article.publish_at,
        "related": ", ".join(str(pk) for pk in article.related.values_list("pk", flat=True)),
    }
    form = ArticleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            article = article_update(article=article, fields=_fields(form), actor=user_of(request))
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Saved as version %(n)s.") % {"n": article.version})
            return redirect("knowledge:edit", article_id=article.pk)
    versions = list(article.versions.select_related("author")[:20])
    return render(
        request,
        "knowledge/edit.html",
        {
            "form": form,
            "article": article,
            "versions": versions,
            "public_url": article_url(article),
            "nav": "knowledge",
            "translations": list(article.translations.all()),
            "related": list(article.related.order_by("title")),
            "images": [(i, image_markdown(i)) for i in article.images.order_by("-id")],
            "image_form": ArticleImageForm(),
        },
    )


@require_POST
@staff_required
def article_image_upload(request: HttpRequest, article_id: int) -> HttpResponse:
    """An image for the article; the page then offers its Markdown to insert."""
    article = article_get_for_staff(user=user_of(request), article_id=article_id)
    upload = request.FILES.get("image")
    if upload is None:
        messages.error(request, _("Choose an image to add."))
        return redirect("knowledge:edit", article_id=article.pk)
    try:
        image = article_image_add(
            article=article, filename=upload.name or "", data=upload.read(), actor=user_of(request)
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Image added. Write %(markdown)s where it belongs, or insert it below.")
            % {"markdown": image_markdown(image)},
        )
    return redirect("knowledge:edit", article_id=article.pk)


@require_POST
@staff_required
def article_status(request: HttpRequest, article_id: int) -> HttpResponse:
    article = article_get_for_staff(user=user_of(request), article_id=article_id)
    try:
        if request.POST.get("status") == "translated":
            article_translation_done(article=article, actor=user_of(request))
        else:
            article = article_set_status(
                article=article, status=request.POST.get("status", ""), actor=user_of(request)
            )
            messages.success(
                request, _("Now: %(status)s.") % {"status": article.get_status_display()}
            )
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("knowledge:edit", article_id=article.pk)


@require_GET
@staff_required
def article_diff(request: HttpRequest, article_id: int, number: int) -> HttpResponse:
    """What changed from the version before ``number`` to it."""
    article = article_get_for_staff(user=user_of(request), article_id=article_id)
    version = article.versions.filter(number=number).first()
    if version is None:
        raise NotFound("version", number)
    before = article.versions.filter(number__lt=number).order_by("-number").first()

    def text(v: ArticleVersion | None) -> list[str]:
        if v is None:
            return []
        return [f"# {v.title}", "", *v.body.splitlines(), "", *[f"? {q}" for q in v.questions]]

    diff = difflib.unified_diff(
        text(before),
        text(version),
        lineterm="",
        fromfile=f"v{before.number}" if before else "—",
        tofile=f"v{version.number}",
    )
    return render(
        request,
        "knowledge/diff.html",
        {"article": article, "version": version, "diff": list(diff), "nav": "knowledge"},
    )


@require_POST
@staff_required
def article_restore_view(request: HttpRequest, article_id: int, number: int) -> HttpResponse:
    article = article_get_for_staff(user=user_of(request), article_id=article_id)
    try:
        article = article_restore(article=article, number=number, actor=user_of(request))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Version %(n)s restored as version %(m)s.") % {"n": number, "m": article.version},
        )
    return redirect("knowledge:edit", article_id=article.pk)


@require_GET
@staff_required
def ticket_suggestions(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Articles for a ticket, from its subject and the customer's last words: only
    those its requester may read, so a link inserted into a reply opens for them."""
    ticket = ticket_get_for_user(user=user_of(request), ticket_id=ticket_id)
    last = (
        ticket.messages.filter(author_role="customer", is_public=True)
        .order_by("-created_at", "-id")
        .values_list("text", flat=True)
        .first()
    )
    q = f"{ticket.subject} {(last or '')[:300]}".strip()
    account = User.objects.filter(customer_id=ticket.requester_id, is_active=True).exists()
    audience = Audience.CUSTOMER if account else Audience.ANONYMOUS  # can they sign in?
    try:
        hits = kb_search(q=q, audience=audience, limit=3, source=ViewSource.AGENT, log=False)
    except DomainError:
        hits = []
    links = [(h.article, request.build_absolute_uri(article_url(h.article))) for h in hits]
    return render(request, "knowledge/partials/ticket_suggestions.html", {"links": links})
