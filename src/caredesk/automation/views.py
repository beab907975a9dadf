"""Admin screens: rules (supervisors and admins), webhooks and their deliveries (admins)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from caredesk.accounts.gates import admin_required, supervisor_required
from caredesk.automation.forms import RuleForm, WebhookForm
from caredesk.automation.models import Rule, RuleRun, WebhookDelivery, WebhookSubscription
from caredesk.automation.services.rules import rule_delete
from caredesk.automation.services.webhooks import (
    delivery_redeliver,
    subscription_delete,
    subscription_rotate_secret,
)
from caredesk.core.web import model_screen, secret_rotated


@require_http_methods(["GET", "POST"])
@supervisor_required
def rules(request: HttpRequest, object_id: int | None = None) -> HttpResponse:
    runs = RuleRun.objects.filter(rule_id=object_id or 0).order_by("-at", "-id")
    return model_screen(
        request,
        form_class=RuleForm,
        objects=Rule.objects.order_by("position", "id"),
        object_id=object_id,
        title=_("Automation rules"),
        url_name="manage:rules",
        columns=["name", "trigger", "position", "active"],
        delete=lambda rule: rule_delete(rule=rule),
        extra={
            "aside_template": "automation/rule_runs.html",
            "runs": runs.values_list("ticket_id", "at", "done")[:50] if object_id else [],
        },
    )


@require_http_methods(["GET", "POST"])
@admin_required
def webhooks(request: HttpRequest, object_id: int | None = None) -> HttpResponse:
    return model_screen(
        request,
        form_class=WebhookForm,
        objects=WebhookSubscription.objects.order_by("name", "id"),
        object_id=object_id,
        title=_("Webhooks"),
        url_name="manage:webhooks",
        columns=["name", "url", "active", "allow_private"],
        delete=lambda s: subscription_delete(subscription=s),
        extra={"aside_template": "automation/webhook_aside.html"},
    )


@require_POST
@admin_required
def webhook_rotate(request: HttpRequest, object_id: int) -> HttpResponse:
    return secret_rotated(
        request,
        objects=WebhookSubscription.objects.all(),
        object_id=object_id,
        rotate=lambda found: subscription_rotate_secret(subscription=found),
        url_name="manage:webhook",
    )


@require_GET
@admin_required
def deliveries(request: HttpRequest, object_id: int) -> HttpResponse:
    subscription = WebhookSubscription.objects.filter(pk=object_id).first()
    if subscription is None:
        raise Http404
    rows = subscription.deliveries.order_by("-created_at", "-id")[:200]
    return render(
        request,
        "automation/deliveries.html",
        {"nav": "manage", "subscription": subscription, "rows": rows},
    )


@require_POST
@admin_required
def redeliver(request: HttpRequest, delivery_id: int) -> HttpResponse:
    found = WebhookDelivery.objects.select_related("subscription").filter(pk=delivery_id).first()
    if found is None:
        raise Http404
    delivery_redeliver(delivery=found)
    messages.success(request, _("Queued delivery %(pk)s again.") % {"pk": found.pk})
    return redirect("manage:deliveries", object_id=found.subscription_id)
