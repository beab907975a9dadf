from django.contrib import admin

from caredesk.core.models import CustomField


@admin.register(CustomField)
class CustomFieldAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # generic admin
    list_display = ("entity", "key", "label", "field_type", "required")
    list_filter = ("entity",)
