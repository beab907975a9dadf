from django.urls import path

from caredesk.search import views

app_name = "search"

urlpatterns = [path("", views.search_page, name="page")]
