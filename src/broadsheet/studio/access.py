"""Who works in the studio: Contributors, Authors, Editors and Administrators (WordPress's
roles that write). Guests are sent to sign in; Subscribers are refused with a 403.

Views in the studio (this app's own and the ones other features add: references, revisions,
media) are decorated with `studio_user`; a view on one post gets it with `editable_post`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase

from broadsheet.core.cache import cache_policy
from broadsheet.publishing.models import Post

View = Callable[..., HttpResponseBase]


def is_studio_user(user: Any) -> bool:
    """A signed-in writer: staff (a writing role, see accounts.roles) who may write posts."""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.is_staff
        and user.has_perm("publishing.change_post")
    )


def may_publish(user: Any) -> bool:
    """Authors, Editors and Administrators publish; Contributors submit for review."""
    return bool(user.has_perm("publishing.publish_post"))


def may_review(user: Any) -> bool:
    """Editors and Administrators review others' pending posts and leave notes on them."""
    return bool(user.has_perm("publishing.edit_others_posts"))


def studio_user(view: View) -> View:
    """The studio's door: never cached, guests to sign-in (back here after), others 403."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_studio_user(request.user):
            raise PermissionDenied("The studio is for the site's writers.")
        return view(request, *args, **kwargs)

    return cache_policy("never")(wrapped)


# The columns a check and a preview need, without the stored text and HTML (an essay's are
# hundreds of kilobytes): for the editor's frequent requests, autosave and preview.
TEXT_COLUMNS = ("body", "body_html", "footnotes_html", "bibliography_html", "excerpt_html", "toc")


def editable_post(request: HttpRequest, pk: int, *, without_text: bool = False) -> Post:
    """The post `pk` if this writer may edit it; a 404 for one they may not even see (a
    forged id tells nothing), a 403 for one they see but may not change. `without_text`:
    the stored text and HTML are not read (the caller has the text from the editor)."""
    posts = Post.objects.defer(*TEXT_COLUMNS) if without_text else Post.objects.all()
    post = posts.filter(pk=pk).order_by().first()
    if post is None:
        raise Http404("No such post.")
    if not post.is_editable_by(request.user):
        if post.is_visible_to(request.user) or may_review(request.user):
            raise PermissionDenied("You may not edit this post.")
        raise Http404("No such post.")
    return post
