from django.apps import AppConfig


class AutomationConfig(AppConfig):
    """Rules that act on ticket events, and signed webhooks out."""

    name = "caredesk.automation"
    verbose_name = "Automation"
