from django.apps import AppConfig


class NotesConfig(AppConfig):
    name = "broadsheet.notes"
    label = "notes"
    verbose_name = "Context notes"

    def ready(self) -> None:
        # Personal data: accounts.privacy (a lower layer) exports and erases what we register.
        from broadsheet.notes import privacy

        privacy.register()  # a reader's notes and ratings
