from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "broadsheet.api"
    label = "api"
    verbose_name = _("API")

    def ready(self) -> None:
        from broadsheet.api.gate import hit_refusal
        from broadsheet.core.middleware import JSON_ERROR_PREFIXES
        from broadsheet.core.pagecache import hit_guard_register

        JSON_ERROR_PREFIXES.append("/api/")
        hit_guard_register("/api/", hit_refusal)  # the rate limits count cached answers too
