from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "caredesk.search"
    label = "search"
    verbose_name = "Search"
