from django.contrib import admin

from caredesk.core.forms import ServiceAdmin
from caredesk.routing.forms import SkillForm
from caredesk.routing.models import Skill


@admin.register(Skill)
class SkillAdmin(ServiceAdmin):
    """Skills in Django admin, checked and saved by the same service as the admin screen
    and the API."""

    form = SkillForm
    list_display = ("name", "kind")
    list_filter = ("kind",)
