from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from caredesk.config.api import api
from caredesk.core import views as core_views

admin.site.site_header = "caredesk administration"
admin.site.site_title = "caredesk"

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("login/", auth_views.LoginView.as_view(template_name="core/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]
