from django.apps import AppConfig


class SlaConfig(AppConfig):
    """Business hours, SLA policies and the clocks they put on tickets."""

    name = "caredesk.sla"
    verbose_name = "Service levels"

    def ready(self) -> None:
        from caredesk.core.cache import clear_when_changed
        from caredesk.sla.models import BusinessCalendar, SlaPolicy
        from caredesk.sla.services import POLICIES_CACHE_KEY

        clear_when_changed(SlaPolicy, BusinessCalendar, keys=lambda: [POLICIES_CACHE_KEY])
