"""Search does the search effects that the actions of lower layers declare (core.effects):
rows written after the commit, so a rolled-back edit never reaches search, from the post or
comment as committed (tags and references set after the post row included)."""

from __future__ import annotations

from broadsheet.accounts.models import User
from broadsheet.core import effects
from broadsheet.search import services


@effects.handles(effects.SEARCH_POSTS)
def _posts(post_ids: set[int]) -> None:
    for post_id in sorted(post_ids):
        services.search_index_post(post_id=post_id)


@effects.handles(effects.SEARCH_COMMENTS)
def _comments(comment_ids: set[int]) -> None:
    for comment_id in sorted(comment_ids):
        services.search_index_comment(comment_id=comment_id)


@effects.handles(effects.SEARCH_PEOPLE)
def _people(user_ids: set[int]) -> None:
    """Their shown name is in their comments' rows: one statement per person, however many
    comments they wrote."""
    for user in User.objects.filter(pk__in=user_ids).select_related("profile"):
        services.search_rename_person(user_id=user.pk, name=user.display_name)
