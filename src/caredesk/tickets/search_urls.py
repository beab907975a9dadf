from django.urls import path

from caredesk.tickets import search_views as views

app_name = "search"

urlpatterns = [path("", views.search_page, name="page")]
