from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "broadsheet.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from broadsheet.accounts import signals  # noqa: F401
        from broadsheet.accounts.roles import ensure_roles

        post_migrate.connect(ensure_roles, dispatch_uid="broadsheet-roles")
