"""Read a user's notifications."""

from __future__ import annotations

from django.db.models import QuerySet

from caredesk.accounts.models import User
from caredesk.notifications.models import Notification


def notifications_for(*, user: User, unread_only: bool = False) -> QuerySet[Notification]:
    rows = Notification.objects.filter(user=user)
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    return rows.select_related("ticket").order_by("-created_at", "-id")


def notifications_unread_count(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
