from django.urls import path

from caredesk.chat import views, visitor_http

app_name = "chat"

urlpatterns = [
    path("", views.console, name="console"),
    path("queue", views.queue, name="queue"),
    path("live/", views.supervise, name="supervise"),
    path("demo/", views.demo, name="demo"),
    path("<int:conversation_id>/", views.conversation, name="conversation"),
    path("<int:conversation_id>/accept", views.accept, name="accept"),
    path("<int:conversation_id>/end", views.end, name="end"),
    path("<int:conversation_id>/transfer", views.transfer, name="transfer"),
]

# the visitor's side, mounted at /api/v1/chat/ ahead of the NinjaAPI
api_patterns = [
    path("sessions", visitor_http.sessions, name="chat_sessions"),
    path("messages", visitor_http.messages, name="chat_messages"),
    path("events", visitor_http.events, name="chat_events"),
    path("<str:name>", visitor_http.action, name="chat_action"),
]
