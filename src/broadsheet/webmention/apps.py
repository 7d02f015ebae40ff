from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebmentionConfig(AppConfig):
    name = "broadsheet.webmention"
    label = "webmention"
    verbose_name = _("Webmention")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from broadsheet.webmention import privacy, published

        published.register()  # the endpoint in every post's head, and the faces under essays
        privacy.register()  # the mentions of a person's website, in personal-data requests
