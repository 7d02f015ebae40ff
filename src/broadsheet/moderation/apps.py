from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    name = "broadsheet.moderation"
    label = "moderation"
    verbose_name = _("Moderation")

    def ready(self) -> None:
        # The public log's notices in threads: the discussion (a lower layer) keeps a registry
        # of notice sources, which this fills.
        from broadsheet.moderation import (
            log,  # noqa: F401
            privacy,
        )

        privacy.register()  # an account's likes and reports, in personal-data requests
