from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "broadsheet.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from broadsheet.accounts import signals  # noqa: F401
