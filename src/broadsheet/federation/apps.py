from django.apps import AppConfig


class FederationConfig(AppConfig):
    name = "broadsheet.federation"
    label = "federation"
    verbose_name = "Federation (ActivityPub)"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from broadsheet.federation import effects, published  # noqa: F401

        published.register()  # the Link header and <link rel="alternate"> on essays
        from broadsheet.federation.tasks import resume_deliveries
        from broadsheet.notifications.tasks import ALSO_EVERY_TICK

        if resume_deliveries not in ALSO_EVERY_TICK:
            ALSO_EVERY_TICK.append(resume_deliveries)
