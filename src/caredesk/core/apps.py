from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "caredesk.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from caredesk.core.cache import clear_when_changed
        from caredesk.core.custom_fields import definitions_cache_keys
        from caredesk.core.models import CustomField

        clear_when_changed(CustomField, keys=definitions_cache_keys)
