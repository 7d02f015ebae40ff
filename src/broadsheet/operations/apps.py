from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    name = "broadsheet.operations"
    label = "operations"
    verbose_name = _("Operations")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from broadsheet.operations import signals, tasks

        tasks.register()  # the daily backup, run by the worker's schedule
        signals.register()  # comments counted by outcome for /metrics
