"""Admin screen for mailboxes; the inbound mail log, where supervisors retry or dismiss
held mail; the original of an emailed message for staff."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from caredesk.accounts.gates import admin_required, staff_required, supervisor_required, user_of
from caredesk.channels.mail.forms import MailboxForm
from caredesk.channels.mail.inbound import inbound_dismiss, inbound_retry
from caredesk.channels.mail.mailboxes import mailbox_delete
from caredesk.channels.models import InboundMail, Mailbox, MailOutcome
from caredesk.core.errors import DomainError
from caredesk.core.web import model_screen
from caredesk.tickets.downloads import download_response


@require_http_methods(["GET", "POST"])
@admin_required
def mailboxes(request: HttpRequest, object_id: int | None = None) -> HttpResponse:
    return model_screen(
        request,
        form_class=MailboxForm,
        objects=Mailbox.objects.select_related("team").order_by("name", "id"),
        object_id=object_id,
        title=_("Mailboxes"),
        url_name="manage:mailboxes",
        columns=["name", "address", "team", "imap_host", "active"],
        delete=lambda box: mailbox_delete(mailbox=box),
        extra={"aside_template": "channels/mailbox_aside.html"},
    )


@require_GET
@staff_required
def original(request: HttpRequest, message_id: int) -> FileResponse:
    """The raw .eml a message came from, as a download (never rendered)."""
    inbound = InboundMail.objects.filter(message_id=message_id).order_by("id").first()
    if inbound is None:
        raise Http404
    return download_response(path=inbound.storage_path, filename=f"message-{message_id}.eml")


LOG_SIZE = 200


@require_GET
@supervisor_required
def inbound_log(request: HttpRequest) -> HttpResponse:
    """Received mail, newest first, held mail by default: what became of each message
    and why, with its original."""
    by_outcome = InboundMail.objects.values("outcome").annotate(n=Count("id"))
    counts: dict[str, int] = {row["outcome"]: row["n"] for row in by_outcome}
    outcome = request.GET.get("outcome", MailOutcome.HELD)
    rows = InboundMail.objects.select_related("mailbox").order_by("-id")
    if outcome in MailOutcome.values:
        rows = rows.filter(outcome=outcome)
    else:
        outcome = ""
    tabs = [("", _("All"), sum(counts.values()))] + [
        (value, label, counts.get(value, 0)) for value, label in MailOutcome.choices
    ]
    context = {"rows": rows[:LOG_SIZE], "tabs": tabs, "outcome": outcome, "size": LOG_SIZE}
    return render(request, "channels/inbound.html", {"nav": "manage", **context})


def _held_or_404(inbound_id: int) -> InboundMail:
    row = InboundMail.objects.filter(pk=inbound_id).first()
    if row is None:
        raise Http404
    return row


@require_POST
@supervisor_required
def inbound_retry_view(request: HttpRequest, inbound_id: int) -> HttpResponse:
    row = _held_or_404(inbound_id)
    try:
        result = inbound_retry(inbound=row)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if result.outcome == MailOutcome.HELD:
            messages.error(request, _("Still held: %(reason)s") % {"reason": result.reason})
        else:
            where = f" (#{result.ticket})" if result.ticket else ""
            messages.success(
                request,
                _("Filed: %(label)s%(where)s.")
                % {"label": MailOutcome(result.outcome).label, "where": where},
            )
    return redirect(reverse("manage:inbound") + "?outcome=held")


@require_POST
@supervisor_required
def inbound_dismiss_view(request: HttpRequest, inbound_id: int) -> HttpResponse:
    row = _held_or_404(inbound_id)
    try:
        inbound_dismiss(inbound=row, actor=user_of(request))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Dismissed; the message is kept and marked ignored."))
    return redirect(reverse("manage:inbound") + "?outcome=held")


@require_GET
@supervisor_required
def inbound_original(request: HttpRequest, inbound_id: int) -> FileResponse:
    """A received message exactly as it came, as a download (never rendered)."""
    row = _held_or_404(inbound_id)
    return download_response(path=row.storage_path, filename=f"inbound-{row.pk}.eml")
