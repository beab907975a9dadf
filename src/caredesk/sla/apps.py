from django.apps import AppConfig


class SlaConfig(AppConfig):
    """Business hours, SLA policies and the clocks they put on tickets."""

    name = "caredesk.sla"
    verbose_name = "Service levels"
