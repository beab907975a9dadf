from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from caredesk.accounts.models import ApiToken, Team, User


@admin.register(User)
class CaredeskUserAdmin(UserAdmin):  # type: ignore[type-arg]  # generic admin
    list_display = ("email", "username", "role", "is_active", "last_login")
    list_filter = ("role", "is_active")
    search_fields = ("email", "username", "first_name", "last_name")
    fieldsets = (*UserAdmin.fieldsets, ("caredesk", {"fields": ("role", "customer")}))  # type: ignore[misc]
    raw_id_fields = ("customer",)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name",)
    filter_horizontal = ("members",)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("prefix", "user", "name", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "key_hash", "last_used_at")
