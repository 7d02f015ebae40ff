from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "broadsheet.search"
    label = "search"
    verbose_name = _("Search")

    def ready(self) -> None:
        from broadsheet.publishing.views import home_query_register
        from broadsheet.search.views import search

        home_query_register("s", search)  # WordPress's search address, /?s=words
