from django.contrib import admin

from caredesk.surveys.models import (
    FollowUp,
    NpsCampaign,
    SurveyInvitation,
    SurveyResponse,
    SurveySettings,
)


@admin.register(SurveyResponse)
class SurveyResponseAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # generic admin
    list_display = ("kind", "score", "customer", "responded_at")
    list_filter = ("kind",)
    raw_id_fields = ("customer", "ticket")


@admin.register(SurveyInvitation)
class SurveyInvitationAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # generic admin
    list_display = ("kind", "customer", "ticket", "status", "created_at", "response")
    list_filter = ("kind", "status")
    raw_id_fields = ("customer", "ticket", "response", "campaign")


@admin.register(NpsCampaign)
class NpsCampaignAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # generic admin
    list_display = ("name", "segment", "every_days", "next_run_at", "active")


@admin.register(FollowUp)
class FollowUpAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # generic admin
    list_display = ("response", "ticket", "team", "due_at", "status")
    list_filter = ("status",)
    raw_id_fields = ("response", "ticket", "done_by")


admin.site.register(SurveySettings)
