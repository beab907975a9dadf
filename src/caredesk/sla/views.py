"""Admin screens for business-hours calendars and SLA policies."""

from __future__ import annotations

from django.contrib import messages
from django.db.models.deletion import ProtectedError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from caredesk.accounts.gates import admin_required
from caredesk.core.web import model_screen
from caredesk.sla.forms import CalendarForm, PolicyForm
from caredesk.sla.models import BusinessCalendar, SlaPolicy


@require_http_methods(["GET", "POST"])
@admin_required
def calendars(request: HttpRequest, object_id: int | None = None) -> HttpResponse:
    try:
        return model_screen(
            request,
            form_class=CalendarForm,
            objects=BusinessCalendar.objects.order_by("name"),
            object_id=object_id,
            title=_("Business hours"),
            url_name="manage:calendars",
            columns=["name", "timezone"],
        )
    except ProtectedError:
        messages.error(request, _("Policies use this calendar; change them first."))
        return redirect("manage:calendar", object_id=object_id)


@require_http_methods(["GET", "POST"])
@admin_required
def policies(request: HttpRequest, object_id: int | None = None) -> HttpResponse:
    return model_screen(
        request,
        form_class=PolicyForm,
        objects=SlaPolicy.objects.select_related("calendar").order_by("position", "id"),
        object_id=object_id,
        title=_("SLA policies"),
        url_name="manage:policies",
        columns=["name", "position", "active", "calendar", "first_response_minutes"],
        extra={"aside_template": "sla/policy_aside.html"},
    )
