from django.contrib import admin
from django.urls import include, path

from caredesk.accounts import views as account_views
from caredesk.analytics import views as analytics_views
from caredesk.automation import views as automation_views
from caredesk.channels.mail import views as mail_views
from caredesk.channels.messaging import views as messaging_views
from caredesk.chat import views as chat_views
from caredesk.chat.urls import api_patterns as chat_api_patterns
from caredesk.config import views as config_views
from caredesk.config.api import api
from caredesk.core import views as core_views
from caredesk.routing import views as routing_views
from caredesk.sla import views as sla_views
from caredesk.surveys import views as survey_views
from caredesk.tickets import manage_views as ticket_manage

admin.site.site_header = "caredesk administration"
admin.site.site_title = "caredesk"

manage_patterns = (
    [
        path("", account_views.manage_index, name="index"),
        path("users/", account_views.users, name="users"),
        path("users/<int:user_id>/", account_views.user_edit, name="user"),
        path("teams/", account_views.teams, name="teams"),
        path("teams/<int:team_id>/", account_views.teams, name="team"),
        path("canned-replies/", ticket_manage.canned_replies, name="canned"),
        path("canned-replies/<int:object_id>/", ticket_manage.canned_replies, name="canned_one"),
        path("custom-fields/", config_views.custom_fields, name="custom_fields"),
        path("custom-fields/<int:object_id>/", config_views.custom_fields, name="custom_field"),
        path("settings/", config_views.settings_page, name="settings"),
        path("business-hours/", sla_views.calendars, name="calendars"),
        path("business-hours/<int:object_id>/", sla_views.calendars, name="calendar"),
        path("sla-policies/", sla_views.policies, name="policies"),
        path("sla-policies/<int:object_id>/", sla_views.policies, name="policy"),
        path("rules/", automation_views.rules, name="rules"),
        path("rules/<int:object_id>/", automation_views.rules, name="rule"),
        path("webhooks/", automation_views.webhooks, name="webhooks"),
        path("webhooks/<int:object_id>/", automation_views.webhooks, name="webhook"),
        path(
            "webhooks/<int:object_id>/rotate",
            automation_views.webhook_rotate,
            name="webhook_rotate",
        ),
        path(
            "webhooks/<int:object_id>/deliveries/",
            automation_views.deliveries,
            name="deliveries",
        ),
        path(
            "deliveries/<int:delivery_id>/redeliver", automation_views.redeliver, name="redeliver"
        ),
        path("routing/", routing_views.routing_page, name="routing"),
        path("routing/teams/<int:team_id>", routing_views.team_save, name="routing_team"),
        path("routing/agents/<int:user_id>", routing_views.agent_save, name="routing_agent"),
        path("chat-widgets/", chat_views.widgets, name="chat_widgets"),
        path("chat-widgets/<int:object_id>/", chat_views.widgets, name="chat_widget"),
        path("messaging-channels/", messaging_views.channels, name="messaging_channels"),
        path(
            "messaging-channels/<int:object_id>/",
            messaging_views.channels,
            name="messaging_channel",
        ),
        path(
            "messaging-channels/<int:object_id>/rotate",
            messaging_views.rotate,
            name="messaging_channel_rotate",
        ),
        path("mailboxes/", mail_views.mailboxes, name="mailboxes"),
        path("mailboxes/<int:object_id>/", mail_views.mailboxes, name="mailbox"),
        path("follow-ups/", survey_views.follow_ups, name="follow_ups"),
        path("reports/", analytics_views.scheduled_reports, name="reports"),
        path("reports/<int:object_id>/", analytics_views.scheduled_reports, name="report"),
        path(
            "follow-ups/<int:follow_up_id>/done", survey_views.follow_up_done, name="follow_up_done"
        ),
        path("mail/", mail_views.inbound_log, name="inbound"),
        path("mail/<int:inbound_id>/retry", mail_views.inbound_retry_view, name="inbound_retry"),
        path(
            "mail/<int:inbound_id>/dismiss", mail_views.inbound_dismiss_view, name="inbound_dismiss"
        ),
        path(
            "mail/<int:inbound_id>/original", mail_views.inbound_original, name="inbound_original"
        ),
        path("skills/", routing_views.skills, name="skills"),
        path("skills/<int:object_id>/", routing_views.skills, name="skill"),
    ],
    "manage",
)

urlpatterns = [
    path("", account_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("language", config_views.language_set, name="language"),
    path("shortcuts/", account_views.shortcuts, name="shortcuts"),
    path("me/status", routing_views.my_status, name="my_status"),
    path("notifications/", include("caredesk.notifications.urls")),
    path("mail/messages/<int:message_id>/original", mail_views.original, name="mail_original"),
    path("s/<str:token>/", survey_views.answer, name="survey"),
    path("dashboard/", analytics_views.mine, name="dashboard"),
    path("dashboard/team/", analytics_views.team, name="dashboard_team"),
    path("dashboard/manager/", analytics_views.manager, name="dashboard_manager"),
    path("dashboard/tickets/", analytics_views.drill, name="dashboard_drill"),
    path("dashboard/export/", analytics_views.export, name="dashboard_export"),
    path("accounts/", include("allauth.urls")),
    path("", include("caredesk.tickets.urls")),
    path("customers/", include("caredesk.customer360.urls")),
    path("search/", include("caredesk.tickets.search_urls")),
    path("portal/", include("caredesk.channels.portal.urls")),
    path("help/", include("caredesk.knowledge.urls_help")),
    path("knowledge/", include("caredesk.knowledge.urls")),
    path("staffing/", include("caredesk.staffing.urls")),
    path("manage/", include(manage_patterns)),
    path("admin/", admin.site.urls),
    path("chat/", include("caredesk.chat.urls")),
    path("api/v1/chat/", include(chat_api_patterns)),
    path("api/v1/channels/<str:key>/inbound", messaging_views.inbound, name="channel_inbound"),
    path("api/v1/", api.urls),
]
