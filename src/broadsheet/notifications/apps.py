from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "broadsheet.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from broadsheet.core.mail import mail_sender_register
        from broadsheet.notifications.outbox import email_queue

        # Lower apps (accounts: allauth's emails, the personal-data link) send through here.
        mail_sender_register(email_queue)
