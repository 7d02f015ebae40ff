from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CorrectionsConfig(AppConfig):
    name = "broadsheet.corrections"
    label = "corrections"
    verbose_name = _("Corrections")

    def ready(self) -> None:
        # The post page (publishing, a lower layer) shows what the apps above it register.
        from broadsheet.corrections import privacy, published

        published.register()
        privacy.register()  # a proposer's name and address, in personal-data requests
