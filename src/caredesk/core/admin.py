from django.contrib import admin

from caredesk.core.custom_fields import custom_field_delete
from caredesk.core.forms import CustomFieldForm, ServiceAdmin
from caredesk.core.models import CustomField


@admin.register(CustomField)
class CustomFieldAdmin(ServiceAdmin):
    """Custom fields in Django admin, checked and saved by the same service as the admin
    screen and the API."""

    form = CustomFieldForm
    list_display = ("entity", "key", "label", "field_type", "required")
    list_filter = ("entity",)

    def service_delete(self, obj: CustomField) -> None:
        custom_field_delete(field=obj)
