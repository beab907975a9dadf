from django.contrib import admin

from caredesk.surveys.models import SurveyResponse


@admin.register(SurveyResponse)
class SurveyResponseAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # generic admin
    list_display = ("kind", "score", "customer", "responded_at")
    list_filter = ("kind",)
    raw_id_fields = ("customer", "ticket")
