from django.urls import path

from caredesk.knowledge import views

app_name = "knowledge"

urlpatterns = [
    path("", views.article_list, name="list"),
    path("new/", views.article_new, name="new"),
    path("<int:article_id>/", views.article_edit, name="edit"),
    path("for-ticket/<int:ticket_id>", views.ticket_suggestions, name="ticket_suggestions"),
    path("<int:article_id>/status", views.article_status, name="status"),
    path("<int:article_id>/images", views.article_image_upload, name="image_upload"),
    path("<int:article_id>/versions/<int:number>/", views.article_diff, name="diff"),
    path(
        "<int:article_id>/versions/<int:number>/restore", views.article_restore_view, name="restore"
    ),
]
