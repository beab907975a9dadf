"""The customer portal: a customer's own requests (and their organisation's where it
shares them), new requests, replies, closing, and magic-link sign-in."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from sesame.utils import get_user

from caredesk.accounts.gates import customer_required, user_of
from caredesk.accounts.models import User
from caredesk.channels.portal.forms import MagicLinkForm, PortalReplyForm, RequestForm
from caredesk.channels.portal.services import magic_link_eligible, magic_link_send
from caredesk.core.errors import DomainError, PermissionDenied
from caredesk.knowledge.services import request_submitted
from caredesk.tickets.enums import Channel, TicketStatus
from caredesk.tickets.forms import attachments_from
from caredesk.tickets.models import Ticket
from caredesk.tickets.selectors import (
    TicketFilters,
    ticket_get_for_user,
    ticket_list,
    ticket_messages,
)
from caredesk.tickets.services import message_add, ticket_create, ticket_update

PAGE_SIZE = 25


@require_GET
@customer_required
def request_list(request: HttpRequest) -> HttpResponse:
    page = ticket_list(
        user=user_of(request),
        filters=TicketFilters(),
        cursor=request.GET.get("cursor") or None,
        limit=PAGE_SIZE,
    )
    return render(request, "portal/list.html", {"page": page})


@require_http_methods(["GET", "POST"])
@customer_required
def request_new(request: HttpRequest) -> HttpResponse:
    initial = {"subject": request.GET.get("subject", "")[:250]}  # from the bot's hand-over
    form = RequestForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            customer = user_of(request).customer
            assert customer is not None  # customer_required: a customer account has one
            ticket = ticket_create(
                requester=customer,
                subject=d["subject"],
                text=d["description"],
                actor=user_of(request),
                channel=Channel.PORTAL,
                attachments=attachments_from(d["attachments"]),
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            request_submitted(session_key=request.session.session_key or "")
            messages.success(request, _("Thank you. We received your request."))
            return redirect("portal:detail", ticket_id=ticket.pk)
    return render(request, "portal/new.html", {"form": form})


def _detail(
    request: HttpRequest, ticket_id: int, form: PortalReplyForm, status: int = 200
) -> HttpResponse:
    ticket = ticket_get_for_user(user=user_of(request), ticket_id=ticket_id)
    return render(
        request,
        "portal/detail.html",
        {
            "ticket": ticket,
            "messages_list": ticket_messages(user=user_of(request), ticket=ticket),
            "form": form,
            "may_close": _may_close(user_of(request), ticket),
        },
        status=status,
    )


def _may_close(user: User, ticket: Ticket) -> bool:
    """Their own request, or any of the organisation's for an organisation admin."""
    customer = user.customer
    return customer is not None and (
        ticket.requester_id == customer.pk
        or (customer.org_admin and ticket.organization_id == customer.organization_id)
    )


@require_GET
@customer_required
def request_detail(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Another customer's request answers 404, exactly like a missing one."""
    return _detail(request, ticket_id, PortalReplyForm())


@require_POST
@customer_required
def request_reply(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = ticket_get_for_user(user=user_of(request), ticket_id=ticket_id)
    form = PortalReplyForm(request.POST, request.FILES)
    if not form.is_valid():
        return _detail(request, ticket_id, form, status=422)
    message_add(
        ticket=ticket,
        author=user_of(request),
        text=form.cleaned_data["text"],
        channel=Channel.PORTAL,
        attachments=attachments_from(form.cleaned_data["attachments"]),
    )
    messages.success(request, _("Your reply was sent."))
    return redirect("portal:detail", ticket_id=ticket.pk)


@require_POST
@customer_required
def request_close(request: HttpRequest, ticket_id: int) -> HttpResponse:
    user = user_of(request)
    ticket = ticket_get_for_user(user=user, ticket_id=ticket_id)
    if not _may_close(user, ticket):
        raise PermissionDenied(_("Only the requester or the organisation's admin may close it."))
    ticket_update(ticket=ticket, actor=user, changes={"status": TicketStatus.CLOSED})
    messages.success(request, _("Your request is closed. Thank you."))
    return redirect("portal:detail", ticket_id=ticket.pk)


@require_http_methods(["GET", "POST"])
def magic_request(request: HttpRequest) -> HttpResponse:
    form = MagicLinkForm(request.POST or None)
    sent = False
    if request.method == "POST" and form.is_valid():
        magic_link_send(
            email=form.cleaned_data["email"], base_url=request.build_absolute_uri("/")[:-1]
        )
        sent = True
    return render(request, "portal/magic.html", {"form": form, "sent": sent})


@require_GET
def magic_login(request: HttpRequest) -> HttpResponse:
    user = get_user(request, update_last_login=False)  # type: ignore[no-untyped-call]  # untyped
    if not magic_link_eligible(user):
        messages.error(
            request, _("This sign-in link is invalid, used or expired. Ask for a new one.")
        )
        return redirect("portal:magic")
    login(request, user, backend="sesame.backends.ModelBackend")
    return redirect("portal:requests")
