"""Mailboxes: the one service that checks and saves them (the admin screen, Django admin
and the API all go through it)."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from caredesk.accounts.selectors import team_id_checked
from caredesk.channels.errors import ChannelErrorCode
from caredesk.channels.models import Mailbox, UnprovenReplies
from caredesk.core.errors import ValidationFailed
from caredesk.core.validation import save_unique

SECURITY = ("ssl", "starttls", "none")
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

MAILBOX_FIELDS = (
    "name", "address", "team_id", "active", "imap_host", "imap_port", "imap_security",
    "imap_user", "imap_password_env", "imap_folder", "processed_folder", "smtp_host",
    "smtp_port", "smtp_security", "smtp_user", "smtp_password_env", "signature",
    "auto_acknowledge", "authserv_id", "unproven_replies",
)  # fmt: skip


def mailbox_check(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` checked and normalised (the address in lower case, the team by id)."""
    checked = team_id_checked(data, ChannelErrorCode.UNKNOWN_TEAM)
    name = " ".join(str(checked.get("name") or "").split())
    if not name:
        raise ValidationFailed(
            ChannelErrorCode.INVALID_NAME, _("A mailbox needs a name."), field="name"
        )
    checked["name"] = name
    address = str(checked.get("address") or "").strip().lower()
    try:
        validate_email(address)
    except ValidationError:
        raise ValidationFailed(
            ChannelErrorCode.INVALID_ADDRESS, _("Not a valid email address."), field="address"
        ) from None
    checked["address"] = address
    for key in ("imap_security", "smtp_security"):
        if key in checked and checked[key] not in SECURITY:
            raise ValidationFailed(
                ChannelErrorCode.INVALID_SECURITY,
                _("%(key)s must be ssl, starttls or none.") % {"key": key},
                field=key,
            )
    for key in ("imap_password_env", "smtp_password_env"):
        value = str(checked.get(key) or "")
        if value and not ENV_NAME.match(value):
            raise ValidationFailed(
                ChannelErrorCode.INVALID_ENV_NAME,
                _("Give the name of an environment variable (letters, digits and _)."),
                field=key,
            )
    if checked.get("unproven_replies", UnprovenReplies.NEW) not in UnprovenReplies.values:
        raise ValidationFailed(
            ChannelErrorCode.INVALID_UNPROVEN_REPLIES,
            _("unproven_replies must be new or hold."),
            field="unproven_replies",
        )
    return checked


def mailbox_save(*, mailbox: Mailbox | None, data: dict[str, Any]) -> Mailbox:
    """Create a mailbox (``mailbox`` None) or change one; the fields not in ``data`` keep
    their values."""
    checked = mailbox_check(data)
    box = mailbox or Mailbox()
    for key in MAILBOX_FIELDS:
        if key in checked:
            setattr(box, key, checked[key])
    return save_unique(
        box,
        taken=lambda: ValidationFailed(
            ChannelErrorCode.ADDRESS_TAKEN,
            _("A mailbox for %(address)s exists.") % {"address": box.address},
            field="address",
        ),
    )


def mailbox_delete(*, mailbox: Mailbox) -> None:
    mailbox.delete()
