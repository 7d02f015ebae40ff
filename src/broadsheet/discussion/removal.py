"""Changes to a comment's words that every editor shares (its writer in the window, a
moderator at any time, the API): the earlier text kept, and deletion leaving a tombstone.
Below moderation, which calls these from its own actions."""

from __future__ import annotations

from django.utils import timezone

from broadsheet.core.sql import add_to
from broadsheet.discussion.effects import comment_changed
from broadsheet.discussion.models import Comment, CommentRevision
from broadsheet.publishing.models import Post


def keep_earlier_text(*, comment: Comment, editor_id: int | None) -> None:
    """The words about to be replaced, kept for the moderators (an edit by its writer or by a
    moderator)."""
    CommentRevision.objects.create(
        comment=comment, body=comment.body, replaced_at=timezone.now(), replaced_by_id=editor_id
    )


def comment_remove(*, comment: Comment, shown: bool = False) -> Comment | None:
    """Delete a comment for good inside the caller's action: with replies, a tombstone stays
    ("This comment was deleted."), holding them in place. `shown`: readers see the change
    even if the comment was not approved (a notice of the public log stood in its place)."""
    locked = Comment.objects.select_for_update().get(pk=comment.pk)
    if locked.counts_on_post():  # a like or repost from elsewhere is not counted
        add_to(Post, locked.post_id, "comment_count", -1)
    answered = locked.replies.exists()
    shown = shown or answered or locked.status == Comment.Status.APPROVED
    comment_changed(comment_id=locked.pk, post_id=locked.post_id, shown=shown)
    if not answered:
        locked.delete()
        return None
    locked.removed = True
    locked.status = Comment.Status.APPROVED  # the tombstone holds its replies in place
    locked.previous_status = ""
    locked.body = locked.body_html = ""
    locked.author_name = locked.author_email = locked.author_url = locked.user_agent = ""
    locked.ip_address = None
    locked.user = None
    locked.pinned_at, locked.pinned_as = None, ""
    locked.save()
    locked.revisions.all().delete()  # the earlier words go with the last ones
    return locked
