from django.contrib import admin

from caredesk.customers.models import (
    ContactPoint,
    CrmSettings,
    Customer,
    CustomerNote,
    Organization,
    Purchase,
    Segment,
)


class ContactInline(admin.TabularInline):  # type: ignore[type-arg]  # generic admin
    model = ContactPoint
    extra = 0


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "organization", "org_admin", "purchase_count", "lifetime_value")
    list_filter = ("org_admin",)
    search_fields = ("name", "contacts__value", "external_id")
    list_select_related = ("organization",)
    raw_id_fields = ("organization",)
    readonly_fields = ("first_purchase_at", "last_purchase_at", "purchase_count", "lifetime_value")
    inlines = [ContactInline]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "kind", "shared_tickets")
    list_filter = ("kind", "shared_tickets")
    search_fields = ("name", "external_id")


@admin.register(Purchase)
class PurchaseAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("product", "customer", "amount", "currency", "purchased_at")
    raw_id_fields = ("customer",)


admin.site.register(CustomerNote)
admin.site.register(Segment)
admin.site.register(CrmSettings)
