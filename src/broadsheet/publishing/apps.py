from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublishingConfig(AppConfig):
    name = "broadsheet.publishing"
    label = "publishing"
    verbose_name = _("Publishing")

    def ready(self) -> None:
        from broadsheet.accounts.privacy import erasure_refusal_register
        from broadsheet.publishing.privacy import credited_author_refusal

        # An essay's author erases their account through the editors, not the privacy page.
        erasure_refusal_register(credited_author_refusal)
