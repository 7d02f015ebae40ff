"""The way to the moderation queue from the admin's pages (its home, the posts, the Discussion
settings): WordPress shows "Comments (3)" in its menu on every screen."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from broadsheet.discussion.models import Comment

register = template.Library()


@register.inclusion_tag("moderation/_queue_link.html", takes_context=True)
def moderation_queue_link(context: dict[str, Any], style: str = "tool") -> dict[str, Any]:
    """A link to the queue with the number of comments waiting, for those who moderate."""
    user = context.get("user")
    allowed = bool(user is not None and user.has_perm("discussion.change_comment"))
    return {
        "allowed": allowed,
        "style": style,
        "url": reverse("moderation:queue"),
        "waiting": Comment.objects.filter(status=Comment.Status.PENDING, removed=False).count()
        if allowed
        else 0,
    }
