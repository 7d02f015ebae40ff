from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "broadsheet.search"
    label = "search"
    verbose_name = "Search"

    def ready(self) -> None:
        from broadsheet.search import signals  # noqa: F401
