"""Admin screen for mailboxes, and the original of an emailed message for staff."""

from __future__ import annotations

from django import forms
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET, require_http_methods

from caredesk.channels.models import InboundMail, Mailbox
from caredesk.core.web import admin_required, model_screen, staff_required
from caredesk.tickets.downloads import download_response


class MailboxForm(forms.ModelForm):  # type: ignore[type-arg]  # not subscriptable at run time
    class Meta:
        model = Mailbox
        fields = [
            "name", "address", "team", "active", "imap_host", "imap_port", "imap_security",
            "imap_user", "imap_password_env", "imap_folder", "processed_folder", "smtp_host",
            "smtp_port", "smtp_security", "smtp_user", "smtp_password_env", "signature",
            "auto_acknowledge",
        ]  # fmt: skip


@require_http_methods(["GET", "POST"])
@admin_required
def mailboxes(request: HttpRequest, object_id: int | None = None) -> HttpResponse:
    return model_screen(
        request,
        form_class=MailboxForm,
        objects=Mailbox.objects.select_related("team").order_by("name", "id"),
        object_id=object_id,
        title="Mailboxes",
        url_name="manage:mailboxes",
        columns=["name", "address", "team", "imap_host", "active"],
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
