from django.apps import AppConfig


class StaffingConfig(AppConfig):
    """Workforce management: queue statistics, forecasts, requirements and schedules."""

    name = "caredesk.staffing"
    verbose_name = "Staffing"
