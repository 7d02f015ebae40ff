from typing import Any

from django.apps import AppConfig


class DiscussionConfig(AppConfig):
    name = "broadsheet.discussion"
    label = "discussion"
    verbose_name = "Discussion"

    def ready(self) -> None:
        from django.db.models.signals import post_save, pre_delete

        from broadsheet.accounts.comment_login import draft_fields_register
        from broadsheet.accounts.models import Profile, User
        from broadsheet.discussion.services import MAX_BODY, MAX_EMAIL, MAX_NAME, MAX_URL
        from broadsheet.moderation.models import DiscussionSettings

        post_save.connect(_settings_saved, sender=DiscussionSettings, dispatch_uid="cards-settings")
        post_save.connect(_person_saved, sender=User, dispatch_uid="cards-user")
        post_save.connect(_person_saved, sender=Profile, dispatch_uid="cards-profile")
        pre_delete.connect(_person_deleted, sender=User, dispatch_uid="cards-user-deleted")
        # Signing in from the comment form keeps its draft, each field within the form's limit.
        draft_fields_register(
            {"comment": MAX_BODY, "author": MAX_NAME, "email": MAX_EMAIL, "url": MAX_URL}
        )


def _settings_saved(**kwargs: Any) -> None:
    """Avatars on/off or Gravatar: every stored card is stale (its key says so at once); the
    worker rebuilds them."""
    from django.db import transaction

    from broadsheet.discussion.tasks import rebuild_comment_cards

    transaction.on_commit(lambda: rebuild_comment_cards.enqueue())


def _person_saved(instance: Any, created: bool, **kwargs: Any) -> None:
    """A name, username or photo shown on an account holder's comment cards changed."""
    if created or kwargs.get("raw"):
        return
    user_id = getattr(instance, "user_id", None) or instance.pk
    _cards_stale(user_id, rebuild=(user_id,))


def _person_deleted(instance: Any, **kwargs: Any) -> None:
    """A deleted account's comments stay (their user set to none by the database, no save):
    their cards, with the profile link, must not. (After the deletion they are found as stale
    cards, not by their user.)"""
    _cards_stale(instance.pk, rebuild=())


def _cards_stale(user_id: int, *, rebuild: tuple[int, ...]) -> None:
    """Mark an account holder's cards stale at once (rendered in full until rebuilt) and have
    the worker rebuild them after the commit (`rebuild`: the task's arguments)."""
    from django.db import transaction

    from broadsheet.discussion.models import Comment
    from broadsheet.discussion.tasks import rebuild_comment_cards

    if Comment.objects.filter(user_id=user_id).exclude(card_key="").update(card_key=""):
        transaction.on_commit(lambda: rebuild_comment_cards.enqueue(*rebuild))
