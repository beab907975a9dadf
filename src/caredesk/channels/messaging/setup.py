"""Messaging channels: the one service that checks and saves them (the admin screen and
Django admin both go through it)."""

from __future__ import annotations

import os
import secrets
from typing import Any

from django.utils.translation import gettext as _

from caredesk.accounts.selectors import team_id_checked
from caredesk.channels.errors import ChannelErrorCode
from caredesk.channels.mail.mailboxes import ENV_NAME
from caredesk.channels.models import MessagingAdapter, MessagingChannel
from caredesk.core.errors import ValidationFailed
from caredesk.core.webhook_http import AddressRefused, resolve, url_check

CHANNEL_FIELDS = (
    "name", "adapter", "outbound_url", "allow_private", "sender", "account", "token_env",
    "team_id", "active",
)  # fmt: skip


def channel_check(data: dict[str, Any], *, actor_is_admin: bool = True) -> dict[str, Any]:
    """``data`` checked: a name, a known adapter, an outbound URL caredesk may call
    (private addresses only when allowed, by an admin), an SMS channel's token named by
    an environment variable."""
    checked = team_id_checked(data, ChannelErrorCode.UNKNOWN_TEAM)
    name = " ".join(str(checked.get("name") or "").split())
    if not name or len(name) > 100:
        raise ValidationFailed(
            ChannelErrorCode.INVALID_NAME, _("A channel needs a name."), field="name"
        )
    checked["name"] = name
    adapter = checked.get("adapter") or MessagingAdapter.GENERIC
    if adapter not in MessagingAdapter.values:
        raise ValidationFailed(
            ChannelErrorCode.INVALID_BODY,
            _("adapter must be one of: %(choices)s.")
            % {"choices": ", ".join(MessagingAdapter.values)},
            field="adapter",
        )
    checked["adapter"] = adapter
    if checked.get("allow_private") and not actor_is_admin:
        raise ValidationFailed(
            ChannelErrorCode.INVALID_URL,
            _("Only an admin may allow private addresses."),
            field="allow_private",
        )
    url = str(checked.get("outbound_url") or "").strip()
    if url:
        try:
            _scheme, host, port = url_check(url)
            resolve(host, port, allow_private=bool(checked.get("allow_private")))
        except AddressRefused as exc:
            raise ValidationFailed(
                ChannelErrorCode.INVALID_URL, str(exc), field="outbound_url"
            ) from None
    checked["outbound_url"] = url
    token_env = str(checked.get("token_env") or "").strip()
    if token_env and not ENV_NAME.match(token_env):
        raise ValidationFailed(
            ChannelErrorCode.INVALID_ENV_NAME,
            _("Give the name of an environment variable (letters, digits and _)."),
            field="token_env",
        )
    if adapter == MessagingAdapter.SMS_FORM and not token_env:
        raise ValidationFailed(
            ChannelErrorCode.INVALID_ENV_NAME,
            _("An SMS channel checks the gateway's signature with its auth token: name "
              "the environment variable that holds it."),
            field="token_env",
        )  # fmt: skip
    checked["token_env"] = token_env
    return checked


def channel_save(
    *, channel: MessagingChannel | None, data: dict[str, Any], actor_is_admin: bool = True
) -> MessagingChannel:
    """Create a channel (with a new key and secret) or change one; the fields not in
    ``data`` keep their values."""
    checked = channel_check(dict(data), actor_is_admin=actor_is_admin)
    if channel is None:
        channel = MessagingChannel(
            key="mc_" + secrets.token_urlsafe(12), secret=secrets.token_hex(32)
        )
    for name in CHANNEL_FIELDS:
        if name in checked:
            setattr(channel, name, checked[name])
    channel.save()
    return channel


def channel_rotate_secret(*, channel: MessagingChannel) -> MessagingChannel:
    """A new signing secret: the old one stops working at once, both ways."""
    channel.secret = secrets.token_hex(32)
    channel.save(update_fields=["secret", "updated_at"])
    return channel


def gateway_token(channel: MessagingChannel) -> str:
    """The SMS gateway's auth token, read from the environment at each use."""
    return os.environ.get(channel.token_env, "") if channel.token_env else ""
