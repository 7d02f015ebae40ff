from django.apps import AppConfig


class NotesConfig(AppConfig):
    name = "broadsheet.notes"
    label = "notes"
    verbose_name = "Context notes"
