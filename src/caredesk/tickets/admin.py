from django.contrib import admin

from caredesk.core.forms import ServiceAdmin
from caredesk.tickets.canned import canned_reply_delete
from caredesk.tickets.forms import CannedReplyForm
from caredesk.tickets.models import CannedReply, Commitment, Tag, Ticket


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # generic admin
    """Read-mostly: changes belong in the API or the agent workspace, where the event log
    records them."""

    list_display = ("id", "subject", "status", "priority", "assignee", "updated_at")
    list_filter = ("status", "priority", "type", "channel")
    list_select_related = ("assignee",)
    search_fields = ("subject", "external_id")
    show_full_result_count = False  # no COUNT(*) over a million rows per page
    readonly_fields = [f.name for f in Ticket._meta.fields]
    raw_id_fields = ("requester", "assignee", "team", "organization")


admin.site.register(Tag)


@admin.register(Commitment)
class CommitmentAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("description", "ticket", "due_at", "status")
    list_filter = ("status",)
    raw_id_fields = ("ticket", "made_by", "resolved_by")


@admin.register(CannedReply)
class CannedReplyAdmin(ServiceAdmin):
    """Canned replies in Django admin, checked and saved by the same service as the admin
    screen and the API."""

    form = CannedReplyForm
    list_display = ("title", "team")

    def service_delete(self, obj: CannedReply) -> None:
        canned_reply_delete(reply=obj)
