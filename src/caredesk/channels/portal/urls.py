from django.urls import path

from caredesk.channels.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.request_list, name="requests"),
    path("new/", views.request_new, name="new"),
    path("requests/<int:ticket_id>/", views.request_detail, name="detail"),
    path("requests/<int:ticket_id>/reply", views.request_reply, name="reply"),
    path("requests/<int:ticket_id>/close", views.request_close, name="close"),
    path("sign-in-link/", views.magic_request, name="magic"),
    path("sign-in-link/open", views.magic_login, name="magic_login"),
]
