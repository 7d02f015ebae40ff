"""What only the studio keeps: each writer's autosave of a post, and reviewers' private notes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from broadsheet.publishing.models import Post


class Autosave(models.Model):
    """The text a writer had in the editor, saved as they type: one per post and writer (and
    one per writer for a post not yet saved, `post` empty). Never the post's own text, never
    a revision; the editor offers it back when it is newer than the post."""

    post = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(max_length=300, blank=True)
    excerpt = models.TextField(blank=True)
    body = models.TextField(blank=True)
    saved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["post", "user"], name="autosave_once_per_post_and_user"
            ),
            models.UniqueConstraint(
                fields=["user"], condition=Q(post__isnull=True), name="autosave_once_per_new_post"
            ),
        ]

    def __str__(self) -> str:
        return f"Autosave of {self.title or 'an untitled post'} by {self.user_id}"


class ReviewNote(models.Model):
    """A private note by a reviewer (Editor, Administrator) on a post; its authors and the
    reviewers read it, readers never do."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="review_notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Note on {self.post_id} by {self.author_id}"
