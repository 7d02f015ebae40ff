from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "broadsheet.core"
    label = "core"
    verbose_name = _("Broadsheet core")

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        # Each app's effects.py registers the effects it does (core.effects), and its
        # signals.py declares them for writes outside the actions: found here, as the admin
        # finds admin.py, so no app wires its own.
        autodiscover_modules("effects", "signals")
