from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "broadsheet.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from broadsheet.core.mail import mail_sender_register
        from broadsheet.discussion.forms import comment_form_followup_register
        from broadsheet.notifications.outbox import email_queue
        from broadsheet.notifications.services import comment_form_subscribe

        # Lower apps (accounts: allauth's emails, the personal-data link) send through here.
        mail_sender_register(email_queue)
        # The comment form's "Notify me" boxes start subscriptions.
        comment_form_followup_register(comment_form_subscribe)
