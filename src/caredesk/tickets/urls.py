from django.urls import path

from caredesk.tickets import views

app_name = "tickets"

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/bulk", views.inbox_bulk, name="bulk"),
    path("tickets/<int:ticket_id>/", views.ticket_detail, name="detail"),
    path("tickets/<int:ticket_id>/properties", views.ticket_properties, name="properties"),
    path("tickets/<int:ticket_id>/status", views.ticket_set_status, name="status"),
    path("tickets/<int:ticket_id>/reply", views.ticket_reply, name="reply"),
    path("tickets/<int:ticket_id>/merge", views.ticket_merge_view, name="merge"),
    path("tickets/<int:ticket_id>/commitments", views.ticket_commitment, name="commitment"),
    path("tickets/<int:ticket_id>/presence", views.ticket_presence, name="presence"),
    path("tickets/<int:ticket_id>/canned/<int:canned_id>", views.canned_render, name="canned"),
    path("commitments/<int:commitment_id>/resolve", views.commitment_done, name="commitment_done"),
    path("attachments/<int:attachment_id>/download", views.attachment_download, name="attachment"),
]
