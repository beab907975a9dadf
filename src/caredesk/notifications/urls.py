from django.urls import path

from caredesk.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("read", views.mark_read, name="read"),
    path("email", views.email_set, name="email"),
]
