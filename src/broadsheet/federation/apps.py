from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FederationConfig(AppConfig):
    name = "broadsheet.federation"
    label = "federation"
    verbose_name = _("Federation (ActivityPub)")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from broadsheet.federation import effects, published  # noqa: F401

        published.register()  # the Link header and <link rel="alternate"> on essays
        from broadsheet.core import periodic
        from broadsheet.federation.tasks import resume_deliveries

        periodic.each_tick(resume_deliveries)  # deliveries a stopped worker left
