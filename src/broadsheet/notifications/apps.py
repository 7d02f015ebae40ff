from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "broadsheet.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from broadsheet.core.mail import mail_sender_register
        from broadsheet.notifications.outbox import email_queue

        # Lower apps (accounts: allauth's emails, the personal-data link) send through here.
        mail_sender_register(email_queue)
