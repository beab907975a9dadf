"""A member of staff's notifications page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from caredesk.accounts.gates import staff_required, user_of
from caredesk.accounts.services import user_email_notifications_set
from caredesk.notifications.selectors import notifications_for
from caredesk.notifications.services import notifications_mark_read


@require_GET
@staff_required
def notification_list(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    rows = list(notifications_for(user=user)[:100])
    return render(
        request,
        "notifications/list.html",
        {"nav": "notifications", "rows": rows, "emailed": user.email_notifications},
    )


@require_POST
@staff_required
def mark_read(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    raw = request.POST.get("id")
    ids = [int(raw)] if raw and raw.isdigit() else None
    notifications_mark_read(user=user, ids=ids)
    return redirect("notifications:list")


@require_POST
@staff_required
def email_set(request: HttpRequest) -> HttpResponse:
    """Turn the emails of customers' messages on one's tickets on or off."""
    user_email_notifications_set(user=user_of(request), enabled=request.POST.get("enabled") == "on")
    return redirect("notifications:list")
