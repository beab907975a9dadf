from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "caredesk.customers"
    label = "customers"
    verbose_name = "Customers"

    def ready(self) -> None:
        from caredesk.core.cache import clear_when_changed
        from caredesk.customers.models import Organization
        from caredesk.customers.services import ORG_DOMAINS_CACHE_KEY

        clear_when_changed(Organization, keys=lambda: [ORG_DOMAINS_CACHE_KEY])
