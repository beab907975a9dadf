from django.contrib import admin

from caredesk.core.forms import ServiceAdmin
from caredesk.sla.forms import CalendarForm, PolicyForm
from caredesk.sla.models import BusinessCalendar, SlaPolicy, TicketSla


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(ServiceAdmin):
    form = CalendarForm
    list_display = ("name", "timezone")


@admin.register(SlaPolicy)
class SlaPolicyAdmin(ServiceAdmin):
    form = PolicyForm
    list_display = ("name", "position", "active", "calendar", "first_response_minutes",
                    "next_response_minutes", "resolution_minutes")  # fmt: skip
    list_editable = ("position", "active")


@admin.register(TicketSla)
class TicketSlaAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("ticket", "policy", "first_response_due", "resolution_due")
    raw_id_fields = ("ticket",)
