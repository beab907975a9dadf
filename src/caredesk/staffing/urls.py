from django.urls import path

from caredesk.staffing import views

app_name = "staffing"

urlpatterns = [
    path("", views.staffing_home, name="home"),
    path("queues/<int:queue_id>/plan", views.plan_new, name="plan_new"),
    path("queues/<int:queue_id>/today/", views.queue_today, name="today"),
    path("plans/<int:plan_id>/", views.plan_detail, name="plan"),
]
