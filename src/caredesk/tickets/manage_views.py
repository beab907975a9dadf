"""Admin screen for canned replies."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from caredesk.accounts.gates import admin_required
from caredesk.core.web import model_screen
from caredesk.tickets.canned import canned_reply_delete
from caredesk.tickets.forms import CannedReplyForm
from caredesk.tickets.models import CannedReply


@require_http_methods(["GET", "POST"])
@admin_required
def canned_replies(request: HttpRequest, object_id: int | None = None) -> HttpResponse:
    return model_screen(
        request,
        form_class=CannedReplyForm,
        objects=CannedReply.objects.select_related("team").order_by("title", "id"),
        object_id=object_id,
        title=_("Canned replies"),
        url_name="manage:canned",
        columns=["title", "team"],
        delete=lambda reply: canned_reply_delete(reply=reply),
    )
