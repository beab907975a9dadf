"""The messaging channels' inbound webhook (``POST /api/v1/channels/{key}/inbound``, no
session: the signature is the proof) and their admin screen."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from caredesk.accounts.gates import admin_required
from caredesk.channels.errors import ChannelErrorCode
from caredesk.channels.messaging.forms import MessagingChannelForm
from caredesk.channels.messaging.inbound import (
    Received,
    StatusRecorded,
    channel_by_key,
    inbound_receive,
)
from caredesk.channels.messaging.outbound import inbound_url
from caredesk.channels.messaging.setup import channel_rotate_secret
from caredesk.channels.models import ChannelOutbound, MessagingAdapter, MessagingChannel
from caredesk.core.errors import DomainError
from caredesk.core.web import model_screen, problem_response, secret_rotated

# an SMS gateway waits for TwiML: an empty answer sends nothing back by itself
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


@csrf_exempt
def inbound(request: HttpRequest, key: str) -> HttpResponse:
    """A provider's post: 200 with what it became, or a problem body saying why not."""
    if request.method != "POST":
        refused = problem_response(405, ChannelErrorCode.METHOD_NOT_ALLOWED, _("Use POST."))
        refused["Allow"] = "POST"
        return refused
    try:
        channel = channel_by_key(key)
        sms = channel.adapter == MessagingAdapter.SMS_FORM
        result = inbound_receive(
            channel=channel,
            body=request.body,
            headers=request.headers,
            form={k: request.POST.get(k, "") for k in request.POST} if sms else None,
            url=f"{settings.CAREDESK_BASE_URL}{request.get_full_path()}",
        )
    except DomainError as exc:
        return problem_response(exc.status, str(exc.code), exc.message, exc.field)
    if sms:
        return HttpResponse(EMPTY_TWIML, content_type="text/xml")
    if isinstance(result, Received):
        return JsonResponse(
            {
                "ticket_id": result.ticket_id,
                "message_id": result.message_id,
                "duplicate": result.duplicate,
            }
        )
    known = isinstance(result, StatusRecorded) and result.known
    return JsonResponse({"status": "recorded" if known else "unknown_message"})


RECENT = 20


@require_http_methods(["GET", "POST"])
@admin_required
def channels(request: HttpRequest, object_id: int | None = None) -> HttpResponse:
    channel = MessagingChannel.objects.filter(pk=object_id).first() if object_id else None
    recent = (
        ChannelOutbound.objects.filter(channel=channel).select_related("message").order_by("-id")
        if channel is not None
        else ChannelOutbound.objects.none()
    )
    return model_screen(
        request, form_class=MessagingChannelForm,
        objects=MessagingChannel.objects.select_related("team").order_by("name", "id"),
        object_id=object_id, title=_("Messaging channels"),
        url_name="manage:messaging_channels",
        columns=["name", "adapter", "outbound_url", "team", "active"],
        extra={
            "channel": channel, "inbound_url": inbound_url(channel) if channel else "",
            "recent": recent[:RECENT], "aside_template": "channels/messaging_aside.html",
        },
    )  # fmt: skip


@require_POST
@admin_required
def rotate(request: HttpRequest, object_id: int) -> HttpResponse:
    return secret_rotated(
        request,
        objects=MessagingChannel.objects.all(),
        object_id=object_id,
        rotate=lambda found: channel_rotate_secret(channel=found),
        url_name="manage:messaging_channel",
    )
