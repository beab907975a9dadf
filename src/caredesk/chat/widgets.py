"""Chat widgets: checked and saved in one place (the admin screen and Django admin)."""

from __future__ import annotations

import re
import secrets
from typing import Any

from django.utils.translation import gettext as _

from caredesk.chat.errors import ChatErrorCode
from caredesk.chat.identity import origin_normalize
from caredesk.chat.models import ChatWidget
from caredesk.core.errors import ValidationFailed

_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
FIELDS = (
    "name", "is_active", "allowed_origins", "identity_secret", "bot_enabled", "ask_name",
    "ask_email", "email_required", "topics", "greeting", "color", "team", "calendar",
)  # fmt: skip


def widget_check(data: dict[str, Any]) -> dict[str, Any]:
    """Origins as scheme://host[:port] (or "*"), a colour as #rrggbb, topics as short
    strings."""
    origins = data.get("allowed_origins") or []
    if isinstance(origins, str):
        origins = [o for o in re.split(r"[\s,]+", origins) if o]
    if not isinstance(origins, list):
        raise ValidationFailed(
            ChatErrorCode.INVALID_ORIGINS, _("Origins are a list."), field="allowed_origins"
        )
    clean = []
    for origin in origins:
        normal = "*" if origin == "*" else origin_normalize(str(origin))
        if not normal:
            raise ValidationFailed(
                ChatErrorCode.INVALID_ORIGINS,
                _("%(origin)s is not an origin such as https://www.example.com.")
                % {"origin": origin},
                field="allowed_origins",
            )
        clean.append(normal)
    data["allowed_origins"] = clean
    if data.get("color") and not _COLOR.match(str(data["color"])):
        raise ValidationFailed(
            ChatErrorCode.INVALID_COLOR, _("A colour is #rrggbb."), field="color"
        )
    topics = data.get("topics") or []
    if isinstance(topics, str):
        topics = [t.strip() for t in topics.split(",") if t.strip()]
    if not isinstance(topics, list) or any(not isinstance(t, str) or len(t) > 100 for t in topics):
        raise ValidationFailed(
            ChatErrorCode.INVALID_TOPICS, _("Topics are short texts."), field="topics"
        )
    data["topics"] = topics
    return data


def widget_save(*, widget: ChatWidget | None, data: dict[str, Any]) -> ChatWidget:
    data = widget_check(dict(data))
    if widget is None:
        widget = ChatWidget(key="cw_" + secrets.token_urlsafe(12))
    for name in FIELDS:
        if name in data:
            setattr(widget, name, data[name])
    widget.save()
    return widget
