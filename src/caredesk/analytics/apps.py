from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    """The service KPIs, defined once, and the reports built on them."""

    name = "caredesk.analytics"
    label = "analytics"
    verbose_name = "Analytics"
