"""Admin screen for canned replies."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_http_methods

from caredesk.accounts.gates import admin_required
from caredesk.core.web import model_screen
from caredesk.tickets.models import CannedReply
from caredesk.tickets.placeholders import KNOWN


class CannedReplyForm(forms.ModelForm):  # type: ignore[type-arg]  # not subscriptable at run time
    class Meta:
        model = CannedReply
        fields = ["title", "body", "team"]
        help_texts = {
            "body": "Placeholders: " + ", ".join("{{" + k + "}}" for k in KNOWN),
        }


@require_http_methods(["GET", "POST"])
@admin_required
def canned_replies(request: HttpRequest, object_id: int | None = None) -> HttpResponse:
    return model_screen(
        request,
        form_class=CannedReplyForm,
        objects=CannedReply.objects.select_related("team").order_by("title", "id"),
        object_id=object_id,
        title="Canned replies",
        url_name="manage:canned",
        columns=["title", "team"],
    )
