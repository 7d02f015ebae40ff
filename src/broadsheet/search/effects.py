"""Search does the search effects that the actions of lower layers declare (core.effects).

A post's rows are written after the commit, from the post as committed (its tags and
references are set after the post row). A comment's row is written in the comment's own
transaction once the action has made its writes (decision 0132): it commits with the comment
or not at all, and publishing a comment costs one commit, not two."""

from __future__ import annotations

from broadsheet.accounts.models import User
from broadsheet.core import effects
from broadsheet.search import services


@effects.handles(effects.SEARCH_POSTS)
def _posts(post_ids: set[int]) -> None:
    for post_id in sorted(post_ids):
        services.search_index_post(post_id=post_id)


@effects.handles(effects.SEARCH_COMMENTS, with_write=True)
def _comments(comment_ids: set[int]) -> None:
    for comment_id in sorted(comment_ids):
        services.search_index_comment(comment_id=comment_id)


@effects.handles(effects.SEARCH_PEOPLE)
def _people(user_ids: set[int]) -> None:
    """Their shown name is in their comments' rows: one statement per person, however many
    comments they wrote."""
    for user in User.objects.filter(pk__in=user_ids).select_related("profile"):
        services.search_rename_person(user_id=user.pk, name=user.display_name)
