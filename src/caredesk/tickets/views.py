"""The agent's inbox and ticket screens. Thin: forms parse, selectors read, services
write; domain errors become messages on the page (core.web)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from caredesk.accounts.gates import staff_required, user_of
from caredesk.accounts.selectors import staff_list, team_list
from caredesk.core.errors import Conflict, DomainError, ValidationFailed
from caredesk.core.web import render_page
from caredesk.tickets import presence
from caredesk.tickets.canned import canned_for_agent, canned_values
from caredesk.tickets.clocks import next_clocks, ticket_clocks
from caredesk.tickets.downloads import attachment_response
from caredesk.tickets.enums import TicketStatus
from caredesk.tickets.forms import (
    BulkForm,
    CommitmentForm,
    ComposerForm,
    InboxFilterForm,
    MergeForm,
    TicketPropertiesForm,
    attachments_from,
)
from caredesk.tickets.inbox import VIEW_KEYS, VIEWS, inbox_counts, inbox_view_filters
from caredesk.tickets.models import Ticket
from caredesk.tickets.placeholders import fill
from caredesk.tickets.rows import inbox_rows
from caredesk.tickets.selectors import (
    attachment_get_for_user,
    commitment_get_for_user,
    ticket_commitments,
    ticket_events,
    ticket_extras,
    ticket_get_for_user,
    ticket_list,
    ticket_messages,
    tickets_by_ids,
)
from caredesk.tickets.services import (
    commitment_create,
    commitment_resolve,
    message_add,
    ticket_merge,
    ticket_update,
)

PAGE_SIZE = 50
SELECTED = mark_safe(" selected")  # a constant, no user input


@require_GET
@staff_required
def inbox(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    view = request.GET.get("view", "mine")
    if view not in VIEW_KEYS:
        view = "mine"
    form = InboxFilterForm(request.GET)
    filters = inbox_view_filters(user=user, view=view)
    order = "-updated_at"
    if form.is_valid():
        d = form.cleaned_data
        filters = replace(
            filters,
            status=[d["status"]] if d["status"] else filters.status,
            priority=d["priority"] or None,
            type=d["type"] or None,
            channel=d["channel"] or None,
            team_id=d["team"].pk if d["team"] else None,
            assignee_id=d["assignee"].pk if d["assignee"] else filters.assignee_id,
            tag=d["tag"] or None,
        )
        order = d["sort"] or order
    page = ticket_list(
        user=user,
        filters=filters,
        order=order,
        cursor=request.GET.get("cursor") or None,
        limit=PAGE_SIZE,
    )
    extras = ticket_extras(tickets=page.items)
    counts = inbox_counts(user=user)
    agents = [
        (str(pk), f"{first} {last}".strip() or email)
        for pk, first, last, email in staff_list().values_list(
            "pk", "first_name", "last_name", "email"
        )
    ]
    teams = [(str(pk), name) for pk, name in team_list().values_list("pk", "name")]
    query = request.GET.copy()
    query.pop("cursor", None)
    context: dict[str, Any] = {
        "nav": "inbox",
        "views": VIEWS,
        "view": view,
        "counts": counts,
        "view_counts": [
            {"key": v.key, "label": v.label, "count": counts.get(v.key, 0)} for v in VIEWS
        ],
        "filtered": any(request.GET.get(k) for k in InboxFilterForm.base_fields if k != "sort"),
        "form": form,
        "page": page,
        "rows": inbox_rows(
            page.items, extras, timezone.now(), next_clocks([t.pk for t in page.items])
        ),
        "query": query.urlencode(),
        "filters": _filter_fields(form, agents, teams),
        "agent_options": _options([("", _("Nobody")), *agents]),
        "status_options": _options(
            [("", _("Any")), *((value, str(label)) for value, label in TicketStatus.choices)]
        ),
    }
    return render_page(
        request, "tickets/inbox.html", context, partial="tickets/partials/_list.html"
    )


def _options(choices: list[tuple[str, str]], selected: str = "") -> SafeString:
    """<option> elements, escaped, built in Python: a page has about 250 of them and
    the template engine would spend milliseconds on what this does in microseconds."""
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((v, SELECTED if v == selected else "", label) for v, label in choices),
    )


def _filter_fields(
    form: InboxFilterForm, agents: list[tuple[str, str]], teams: list[tuple[str, str]]
) -> list[tuple[str, str, SafeString]]:
    """The filter selects as (name, label, options HTML)."""
    choices = {
        name: [(str(v), str(label)) for v, label in form.fields[name].choices]  # type: ignore[attr-defined]
        for name in ("status", "priority", "type", "channel", "sort")
    }
    choices["team"] = [("", _("Any")), *teams]
    choices["assignee"] = [("", _("Anyone")), *agents]
    order = ("status", "priority", "type", "channel", "team", "assignee", "sort")
    return [
        (
            name,
            str(form.fields[name].label or name.capitalize()),
            _options(choices[name], str(form.data.get(name, ""))),
        )
        for name in order
    ]


@require_POST
@staff_required
def inbox_bulk(request: HttpRequest) -> HttpResponse:
    """Assign, set the status of, or tag the selected tickets; each change is logged."""
    form = BulkForm(request.POST)
    target = reverse("tickets:inbox") + "?" + request.POST.get("query", "")
    if not form.is_valid():
        messages.error(request, _("Select tickets and an action."))
        return redirect(target)
    d = form.cleaned_data
    changes: dict[str, Any]
    if d["action"] == "assign":
        changes = {"assignee": d["assignee"]}
    elif d["action"] == "status" and d["status"]:
        changes = {"status": d["status"]}
    elif d["action"] == "tag" and d["tag"].strip():
        changes = {}
    else:
        messages.error(request, _("Choose what to change."))
        return redirect(target)
    done = 0
    for ticket in tickets_by_ids(user=user_of(request), ids=d["ids"]):
        these = changes or {"tags": [*ticket.tags.values_list("name", flat=True), d["tag"]]}
        ticket_update(ticket=ticket, actor=user_of(request), changes=these)
        done += 1
    messages.success(
        request,
        ngettext("Updated %(done)s ticket.", "Updated %(done)s tickets.", done) % {"done": done},
    )
    return redirect(target)


def _ticket_context(request: HttpRequest, ticket: Ticket, **forms: Any) -> dict[str, Any]:
    user = user_of(request)
    extras = ticket_extras(tickets=[ticket])
    tags = extras.tags_of(ticket)
    return {
        "nav": "inbox",
        "ticket": ticket,
        "requester_email": extras.email_of(ticket.requester_id),
        "messages_list": ticket_messages(user=user, ticket=ticket),
        "events": ticket_events(user=user, ticket=ticket),
        "commitments": ticket_commitments(user=user, ticket=ticket),
        "canned": list(canned_for_agent(user=user)),
        "properties": forms.get("properties") or TicketPropertiesForm(ticket=ticket, tags=tags),
        "composer": forms.get("composer")
        or ComposerForm(initial={"kind": "reply", "version": ticket.version}),
        "merge_form": forms.get("merge_form") or MergeForm(),
        "commitment_form": forms.get("commitment_form") or CommitmentForm(),
        "conflict": forms.get("conflict"),
        "sla_clocks": ticket_clocks(ticket.pk),
        "now": timezone.now(),
    }


def _load(request: HttpRequest, ticket_id: int) -> Ticket:
    return ticket_get_for_user(user=user_of(request), ticket_id=ticket_id)


@require_GET
@staff_required
def ticket_detail(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = _load(request, ticket_id)
    return render(request, "tickets/detail.html", _ticket_context(request, ticket))


def _detail_again(request: HttpRequest, ticket: Ticket, status: int, **forms: Any) -> HttpResponse:
    """The ticket page again, with the form that failed and its errors."""
    context = _ticket_context(request, ticket, **forms)
    return render(request, "tickets/detail.html", context, status=status)


def _conflict_page(
    request: HttpRequest, ticket: Ticket, exc: Conflict, **forms: Any
) -> HttpResponse:
    ticket.refresh_from_db()
    return _detail_again(request, ticket, 409, conflict=exc.message, **forms)


@require_POST
@staff_required
def ticket_properties(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = _load(request, ticket_id)
    tags = ticket_extras(tickets=[ticket]).tags_of(ticket)
    form = TicketPropertiesForm(request.POST, ticket=ticket, tags=tags)
    if not form.is_valid():
        return _detail_again(request, ticket, 422, properties=form)
    try:
        ticket_update(
            ticket=ticket,
            actor=user_of(request),
            changes=form.changes(),
            expected_version=form.cleaned_data["version"],
        )
    except Conflict as exc:
        return _conflict_page(request, ticket, _stale(exc))
    except ValidationFailed as exc:
        form.add_error(None, exc.message)
        return _detail_again(request, ticket, 422, properties=form)
    messages.success(request, _("Ticket updated."))
    return redirect("tickets:detail", ticket_id=ticket.pk)


@require_POST
@staff_required
def ticket_set_status(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """One-key status change (s solves), refused on a stale version like every save."""
    ticket = _load(request, ticket_id)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = -1
    try:
        ticket_update(
            ticket=ticket,
            actor=user_of(request),
            changes={"status": request.POST.get("status", "")},
            expected_version=version,
        )
    except Conflict as exc:
        return _conflict_page(request, ticket, _stale(exc))
    messages.success(
        request,
        _("Status set to %(ticket_get_status_display_lowe)s.")
        % {"ticket_get_status_display_lowe": ticket.get_status_display().lower()},
    )
    return redirect("tickets:detail", ticket_id=ticket.pk)


def _stale(exc: Conflict) -> Conflict:
    if exc.code == "stale_version":
        return Conflict(
            exc.code,
            _(
                "Someone else changed this ticket while you had it open. Your change was "
                "not saved; the ticket below shows their change. Make yours again if it "
                "still applies."
            ),
        )
    return exc


@require_POST
@staff_required
def ticket_reply(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = _load(request, ticket_id)
    form = ComposerForm(request.POST, request.FILES)
    if not form.is_valid():
        return _detail_again(request, ticket, 422, composer=form)
    d = form.cleaned_data
    try:
        message_add(
            ticket=ticket,
            author=user_of(request),
            text=d["text"],
            is_public=d["kind"] == "reply",
            attachments=attachments_from(d["attachments"]),
            status_after=d["status_after"] or None,
            expected_version=d["version"],
        )
    except Conflict as exc:
        return _conflict_page(request, ticket, _stale(exc), composer=form)
    presence.presence_leave(ticket_id=ticket.pk, user=user_of(request))
    messages.success(request, "Reply sent." if d["kind"] == "reply" else "Note added.")
    return redirect("tickets:detail", ticket_id=ticket.pk)


@require_POST
@staff_required
def ticket_merge_view(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = _load(request, ticket_id)
    form = MergeForm(request.POST)
    if not form.is_valid():
        return _detail_again(request, ticket, 422, merge_form=form)
    try:
        target = _load(request, form.cleaned_data["target"])
        ticket_merge(source=ticket, target=target, actor=user_of(request))
    except DomainError as exc:
        form.add_error("target", exc.message)
        return _detail_again(request, ticket, exc.status, merge_form=form)
    messages.success(
        request, _("Merged #%(pk)s into #%(pk2)s.") % {"pk": ticket.pk, "pk2": target.pk}
    )
    return redirect("tickets:detail", ticket_id=target.pk)


@require_POST
@staff_required
def ticket_commitment(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = _load(request, ticket_id)
    form = CommitmentForm(request.POST)
    if not form.is_valid():
        return _detail_again(request, ticket, 422, commitment_form=form)
    commitment_create(
        ticket=ticket,
        actor=user_of(request),
        description=form.cleaned_data["description"],
        due_at=form.cleaned_data["due_at"],
    )
    messages.success(request, _("Commitment recorded."))
    return redirect("tickets:detail", ticket_id=ticket.pk)


@require_POST
@staff_required
def commitment_done(request: HttpRequest, commitment_id: int) -> HttpResponse:
    commitment = commitment_get_for_user(user=user_of(request), commitment_id=commitment_id)
    status = request.POST.get("status", "")
    commitment_resolve(commitment=commitment, actor=user_of(request), status=status)
    messages.success(request, _("Commitment marked %(status)s.") % {"status": status})
    return redirect("tickets:detail", ticket_id=commitment.ticket_id)


@require_POST
@staff_required
def ticket_presence(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """htmx, every few seconds: report ourselves, show the others."""
    ticket = _load(request, ticket_id)
    others = presence.presence_report(
        ticket_id=ticket.pk,
        user=user_of(request),
        state=request.POST.get("state", "viewing"),
    )
    stale = request.POST.get("version", "") not in ("", str(ticket.version))
    return render(
        request,
        "tickets/partials/_presence.html",
        {"others": others, "stale": stale, "ticket": ticket},
    )


@require_GET
@staff_required
def canned_render(request: HttpRequest, ticket_id: int, canned_id: int) -> HttpResponse:
    ticket = _load(request, ticket_id)
    canned = canned_for_agent(user=user_of(request)).filter(pk=canned_id).first()
    if canned is None:
        return HttpResponse("", status=404, content_type="text/plain")
    values = canned_values(ticket=ticket, agent=user_of(request))
    return HttpResponse(fill(canned.body, values), content_type="text/plain; charset=utf-8")


@require_GET
@login_required
def attachment_download(request: HttpRequest, attachment_id: int) -> FileResponse:
    """For agents and for customers who may see the message (portal links here too)."""
    return attachment_response(
        attachment_get_for_user(user=user_of(request), attachment_id=attachment_id)
    )
