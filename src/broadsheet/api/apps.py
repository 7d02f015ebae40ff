from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "broadsheet.api"
    label = "api"
    verbose_name = "API"

    def ready(self) -> None:
        from broadsheet.core.middleware import JSON_ERROR_PREFIXES

        JSON_ERROR_PREFIXES.append("/api/")
