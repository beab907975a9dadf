from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """What staff are told: SLA warnings and breaches, reminders, assignments, rules."""

    name = "caredesk.notifications"
    verbose_name = "Notifications"
