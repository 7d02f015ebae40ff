from django.apps import AppConfig


class StudioConfig(AppConfig):
    name = "broadsheet.studio"
    label = "studio"
    verbose_name = "Studio"
