from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "broadsheet.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from broadsheet.accounts.providers.config import sign_in_origins
        from broadsheet.core.middleware import form_action_register

        # The comment form's provider icons are redirected to the providers: the CSP allows them.
        form_action_register(sign_in_origins)
