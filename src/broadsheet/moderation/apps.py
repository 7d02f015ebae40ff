from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    name = "broadsheet.moderation"
    label = "moderation"
    verbose_name = _("Moderation")

    def ready(self) -> None:
        # The public log's notices in threads: the discussion (a lower layer) keeps a registry
        # of notice sources, which this fills.
        from broadsheet.core.warm import warm_register
        from broadsheet.discussion.gate import comment_gate_register
        from broadsheet.moderation import (
            log,  # noqa: F401
            privacy,
        )
        from broadsheet.moderation.bans import barred_message
        from broadsheet.moderation.rules import decide

        privacy.register()  # an account's likes and reports, in personal-data requests
        warm_register(_warm_spam_filter)
        # Every new comment is decided by the bans and the rules here (discussion asks).
        comment_gate_register(barred=barred_message, decide=decide)


def _warm_spam_filter() -> None:
    """The spam filter's tokenizer, compiled before a worker's first comment."""
    from broadsheet.moderation.spam import comment_tokens

    comment_tokens(
        body="A *warm* start, with a link: https://example.org/ and “quotes”.",
        author_name="Reader", author_email="reader@example.org", author_url="https://example.org",
    )  # fmt: skip
