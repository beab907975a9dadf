"""What every server-rendered page shares: who may open it, htmx-aware rendering, and
domain errors shown to people instead of becoming 500s."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from caredesk.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed


def problem_response(status: int, code: str, detail: str, field: str | None = None) -> JsonResponse:
    """An RFC 9457 problem body for the plain views outside the NinjaAPI (the chat
    visitor's calls, the messaging channels' webhooks), shaped as the API's are."""
    body: dict[str, Any] = {
        "type": f"urn:caredesk:problem:{code}", "title": detail, "status": status,
        "detail": detail, "code": code,
    }  # fmt: skip
    if field:
        body["errors"] = [{"field": field, "message": detail}]
    return JsonResponse(body, status=status, content_type="application/problem+json")


def render_page(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    partial: str | None = None,
    status: int = 200,
) -> HttpResponse:
    """The full page, or only ``partial`` when htmx asks for it."""
    name = partial if partial and getattr(request, "htmx", False) else template
    return render(request, name, context, status=status)


def back(request: HttpRequest, fallback: str) -> HttpResponse:
    """Redirect to the page the form was on (same host only), else to ``fallback``."""
    target = request.POST.get("next") or request.headers.get("Referer", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(fallback)


class DomainErrorMiddleware:
    """A DomainError that a view did not handle: 404/403 pages, or the message shown on
    the page the user came from (htmx gets it as an alert fragment)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if request.path.startswith("/api/") or not isinstance(exc, DomainError):
            return None
        if isinstance(exc, NotFound):
            raise Http404(exc.message)
        if isinstance(exc, PermissionDenied):
            raise DjangoPermissionDenied(exc.message)
        if getattr(request, "htmx", False):
            return render(request, "partials/alert.html", {"text": exc.message}, status=exc.status)
        messages.error(request, exc.message)
        return back(request, "/")


def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return value


def model_screen(
    request: HttpRequest,
    *,
    form_class: type[ModelForm[Any]],
    objects: QuerySet[Any],
    object_id: int | None,
    title: str,
    url_name: str,
    columns: list[str],
    delete: Callable[[Any], None] | None = None,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    """An admin screen for a model: its list, and a form to add one or change the one
    chosen (``object_id``). Model validation decides, or the domain service the form's
    save() calls (its ValidationFailed lands on the form); errors stay on the form.
    ``delete`` replaces a plain delete (a service that also clears caches, say)."""
    instance = objects.filter(pk=object_id).first() if object_id else None
    if object_id and instance is None:
        raise Http404
    form = form_class(request.POST or None, instance=instance)
    if request.method == "POST":
        if request.POST.get("delete") and instance is not None:
            (delete or (lambda obj: obj.delete()))(instance)
            messages.success(request, _("Deleted %(instance)s.") % {"instance": instance})
            return redirect(url_name)
        if form.is_valid():
            try:
                saved = form.save()
            except ValidationFailed as exc:  # a service-backed form: the service said no
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, getattr(form, "saved_message", f"Saved {saved}."))
                return redirect(url_name)
    rows = [(obj, [_cell(getattr(obj, c)) for c in columns]) for obj in objects]
    context = {
        "nav": "manage",
        "title": title,
        "form": form,
        "instance": instance,
        "rows": rows,
        "columns": [form_class._meta.model._meta.get_field(c).verbose_name for c in columns],
        "url_name": url_name,
        **(extra or {}),
    }
    return render(
        request, "partials/model_screen.html", context, status=422 if form.errors else 200
    )


def secret_rotated(
    request: HttpRequest,
    *,
    objects: QuerySet[Any],
    object_id: int,
    rotate: Callable[[Any], Any],
    url_name: str,
) -> HttpResponse:
    """A new signing secret for the object (a webhook, a messaging channel), shown once
    in a message on its page; 404 when there is no such object."""
    found = objects.filter(pk=object_id).first()
    if found is None:
        raise Http404
    rotated = rotate(found)
    messages.success(
        request,
        _("New signing secret for %(rotated)s (shown once): %(secret)s")
        % {"rotated": rotated, "secret": rotated.secret},
    )
    return redirect(url_name, object_id=object_id)
