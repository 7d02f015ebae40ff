from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotesConfig(AppConfig):
    name = "broadsheet.notes"
    label = "notes"
    verbose_name = _("Context notes")

    def ready(self) -> None:
        # Personal data: accounts.privacy (a lower layer) exports and erases what we register;
        # the post page (publishing, a lower layer) shows what the apps above it register.
        from broadsheet.notes import privacy, published

        privacy.register()  # a reader's notes and ratings
        published.register()  # shown notes on the essay
