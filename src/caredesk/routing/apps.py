from django.apps import AppConfig


class RoutingConfig(AppConfig):
    """Agents' skills, capacity and availability; who gets which ticket."""

    name = "caredesk.routing"
    verbose_name = "Routing"
