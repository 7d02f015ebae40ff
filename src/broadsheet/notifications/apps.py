from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "broadsheet.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from broadsheet.notifications import signals  # noqa: F401
