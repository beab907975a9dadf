from django.urls import path

from caredesk.customer360 import views

app_name = "customers"

urlpatterns = [
    path("", views.customer_index, name="list"),
    path("<int:customer_id>/", views.customer_detail, name="detail"),
    path("<int:customer_id>/notes", views.customer_note, name="note"),
    path("<int:customer_id>/language", views.customer_language, name="language"),
]
