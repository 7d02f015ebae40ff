"""Threads of pages elsewhere: the discussion of a page on an allowed origin (a static site that
embeds Broadsheet's thread) is a Post of kind `thread` with that page's address.

A thread is never listed on the site (`Post.objects.public()` leaves threads out, as do search
and the feeds); its own page here, `/thread/<id>/`, shows the discussion and links to the page
it belongs to. A thread starts with the first comment on its page (`thread_for_url(…,
create=True)`); the address of one of our own posts names that post.
"""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from broadsheet.core import effects
from broadsheet.core.cache import cache_policy
from broadsheet.core.effects import action
from broadsheet.core.pagecache import page_shows_post
from broadsheet.core.sanitize import without_nul
from broadsheet.publishing import selectors
from broadsheet.publishing.models import Post

MAX_URL = 500
MAX_TITLE = 300


class NotAThreadAddress(ValueError):
    """The address is not a web page of an allowed origin (or is too long to keep)."""


def _origin(scheme: str, netloc: str) -> str:
    return f"{scheme.lower()}://{netloc.lower()}"


def thread_address(url: str) -> str:
    """The address a thread is kept under: scheme and host in lower case, without the query
    and the fragment (a page's thread is the same whichever link led to it)."""
    parts = urlsplit(without_nul(url).strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise NotAThreadAddress(gettext("The address must start with https:// or http://."))
    address = urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", "", ""))
    if len(address) > MAX_URL:
        raise NotAThreadAddress(
            gettext("The address is longer than %(count)s characters.") % {"count": MAX_URL}
        )
    return address


def origin_allowed(url: str) -> bool:
    parts = urlsplit(url)
    return _origin(parts.scheme, parts.netloc) in {
        origin.lower() for origin in settings.EMBED_ALLOWED_ORIGINS
    }


def _on_this_site(address: str) -> bool:
    site, parts = urlsplit(settings.SITE_URL), urlsplit(address)
    return _origin(parts.scheme, parts.netloc) == _origin(site.scheme, site.netloc)


def _own_post(address: str) -> Post | None:
    """One of our own public posts or pages, named by its address on this site."""
    try:
        match = resolve(urlsplit(address).path)
    except Resolver404:
        return None
    try:
        if match.view_name == "publishing:post":
            kwargs = {k: match.kwargs[k] for k in ("year", "month", "day", "slug")}
            return selectors.post_for_permalink(user=None, **kwargs).post
        if match.view_name == "publishing:page":
            return selectors.page_for_path(user=None, path=match.kwargs["path"])
    except Http404:
        return None
    return None


def thread_for_url(url: str, *, title: str = "", create: bool = False) -> Post | None:
    """The thread of the page at `url` (an allowed origin's, or one of our own posts), or None.
    `create`: start it when there is none yet, titled `title` (the page's own title)."""
    try:
        address = thread_address(url)
    except NotAThreadAddress:
        return None
    if _on_this_site(address):
        return _own_post(address)  # never a thread of our own address
    if not origin_allowed(address):
        return None
    found = Post.objects.filter(kind=Post.Kind.THREAD, external_url=address).first()
    if found is not None or not create:
        return found
    return thread_create(url=address, title=title)


@action
def thread_create(*, url: str, title: str) -> Post:
    """A new thread for the page at `url` (already checked: `thread_address`). Two first
    comments at once start one thread: the second finds the first's."""
    title = " ".join(without_nul(title).split())[:MAX_TITLE] or url[:MAX_TITLE]
    digest = hashlib.sha256(url.encode()).hexdigest()[:40]
    try:
        with transaction.atomic():
            post = Post.objects.create(
                kind=Post.Kind.THREAD,
                external_url=url,
                title=title,
                slug=f"thread-{digest}",
                status=Post.Status.PUBLISHED,
                published_at=timezone.now(),
            )
    except IntegrityError:
        return Post.objects.get(kind=Post.Kind.THREAD, external_url=url)
    # Only its own page shows it (no listing does): nothing else is stale.
    effects.pages(posts=[post.pk])
    return post


@require_safe
@cache_policy("public")
def thread_page(request: HttpRequest, pk: int, cpage: int | None = None) -> HttpResponse:
    """`/thread/<id>/`: the discussion of a page elsewhere, linking to it (the embed's link for
    readers without JavaScript)."""
    from broadsheet.publishing.views import render_post

    thread = Post.objects.filter(kind=Post.Kind.THREAD, pk=pk).first()
    if thread is None or not thread.is_public:
        raise Http404("No such thread.")
    page_shows_post(thread.pk)
    return render_post(request, selectors.post_for_comments(pk=thread.pk, user=None) or thread)
