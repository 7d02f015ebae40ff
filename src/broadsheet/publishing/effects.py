"""What a change to posts, their parts and their labels makes stale: declared once here, used
by publishing's actions and by its signals (admin writes). Publishing also does the
navigation effect (the footer's archive list and the header's menu)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from broadsheet.core import effects

# A post's fields that other pages show (menu, archive list, previous/next, listings of
# pages): a change to them reaches every page and the navigation.
SEEN_ELSEWHERE = ("title", "slug", "status", "published_at", "kind", "menu_order", "parent_id")


def post_seen_elsewhere(before: dict[str, Any] | None, post: Any) -> bool:
    """Whether a save changes what pages other than the post's own show of it (a new post
    always does)."""
    return before is None or any(before[name] != getattr(post, name) for name in SEEN_ELSEWHERE)


def post_changed(*, post_ids: Iterable[int], seen_elsewhere: bool) -> None:
    """A post or page, or one of its parts (authors, references, labels), changed."""
    ids = list(post_ids)
    effects.pages(posts=ids, listings=True, site=seen_elsewhere)
    effects.search(posts=ids)
    if seen_elsewhere:
        effects.navigation()


def label_changed(*, post_ids: Iterable[int]) -> None:
    """A category or tag was renamed, moved or deleted: every page lists them (the sidebar,
    the post meta), and the posts it labels are searched by its name."""
    effects.pages(site=True)
    effects.search(posts=post_ids)


@effects.handles(effects.NAVIGATION)
def _navigation(keys: set[Any]) -> None:
    from broadsheet.publishing.selectors import archive_months_forget

    archive_months_forget()


@effects.handles(effects.MEDIA)
def _media_changed(names: set[Any]) -> None:
    """`names`: the images' storage names (the row of a deleted one is gone). Posts showing a
    changed library image (in the text or as the featured image) are
    rendered again, then their pages refreshed like any other change to them."""
    from django.db import transaction
    from django.db.models import Q

    from broadsheet.publishing.models import Post
    from broadsheet.publishing.services import RENDERED_COLUMNS, post_render

    showing = Q()
    for name in names:
        showing |= Q(body__contains=name) | Q(featured_image__contains=name)
    changed = []
    with transaction.atomic():
        for post in Post.objects.filter(showing).select_for_update():
            post_render(post=post)
            post.save(update_fields=RENDERED_COLUMNS)
            changed.append(post.pk)
    if changed:
        post_changed(post_ids=changed, seen_elsewhere=False)


@effects.handles(effects.SETTINGS)
def _settings(labels: set[str]) -> None:
    """A new citation style: the worker renders every post with references again."""
    if "publishing.citationsettings" in labels:
        from django.db import transaction

        from broadsheet.publishing.tasks import rerender_cited_posts

        transaction.on_commit(lambda: rerender_cited_posts.enqueue())
