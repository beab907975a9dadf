from django.contrib import admin

from caredesk.staffing.models import AgentContract, CallQueue, CallRecord, Plan, ShiftTemplate


@admin.register(CallQueue)
class CallQueueAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "channel", "team", "target_level", "target_seconds", "patience_seconds")


@admin.register(ShiftTemplate)
class ShiftTemplateAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "length_minutes", "break_minutes", "break_after_minutes")


@admin.register(AgentContract)
class AgentContractAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("user", "weekly_minutes", "cost_per_hour")
    raw_id_fields = ("user",)


@admin.register(CallRecord)
class CallRecordAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("call_id", "queue", "queued_at", "answered_at", "abandoned_at", "ended_at")
    list_filter = ("queue",)
    raw_id_fields = ("customer", "ticket", "agent")


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("queue", "start_date", "days", "cost", "created_at")
    readonly_fields = ("forecast", "requirement", "schedule", "coverage")
