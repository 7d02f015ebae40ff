"""A commenter's public page (/people/<username>/): who they are, and what they wrote here."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from broadsheet.accounts.models import User
from broadsheet.core.cache import cache_policy
from broadsheet.discussion.models import Comment


@require_safe
@cache_policy("public")
def person(request: HttpRequest, username: str) -> HttpResponse:
    """A commenter's public page: name, photo, bio, website and their approved comments."""
    user = get_object_or_404(
        User.objects.select_related("profile"), username=username, is_active=True
    )
    comments = (
        Comment.objects.filter(
            user=user, status=Comment.Status.APPROVED, removed=False, post__status="published"
        )
        .select_related("post")
        .order_by("-created_at")
    )
    page = Paginator(comments, 20).get_page(request.GET.get("page"))
    return render(request, "accounts/person.html", {"person": user, "page_obj": page})
