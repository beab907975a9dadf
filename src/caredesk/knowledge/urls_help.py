from django.urls import path

from caredesk.knowledge import help_views

app_name = "help"

urlpatterns = [
    path("", help_views.help_root, name="root"),
    path("sitemap.xml", help_views.help_sitemap, name="sitemap"),
    path("images/<int:image_id>", help_views.help_image, name="image"),
    path("suggest", help_views.help_suggest, name="suggest"),
    path("feedback/<int:article_id>", help_views.help_feedback, name="feedback"),
    path("<str:locale>/", help_views.help_home, name="home"),
    path("<str:locale>/ask", help_views.help_ask, name="ask"),
    path("<str:locale>/search", help_views.help_search, name="search"),
    path("<str:locale>/categories/<str:slug>/", help_views.help_category, name="category"),
    path(
        "<str:locale>/articles/<int:article_id>-<str:slug>/",
        help_views.help_article,
        name="article",
    ),
]
