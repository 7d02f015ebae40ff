"""Which cached pages a change makes stale (see pagecache): connected when the apps are ready.

- a post's own page and its discussion: `post:<id>`, for any change to the post, its
  references, authors, labels, or any of its comments that readers see (approved now, or
  approved until this change: a held comment is shown only to its writer, who is not served
  from the cache);
- home, archives, feeds, search, sitemaps: `listings`, for any post change or any comment
  change as above (they show titles, excerpts and comment counts);
- every page: `site`, when what every page shows changes — settings, the menu (pages), the
  footer's archive list and the previous/next links (a post appearing, disappearing or moving
  in time), categories, tags, profiles.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from broadsheet.core.pagecache import LISTINGS, SITE, pages_changed, post_dependency

# A post's fields that other pages show: a change to them reaches every page.
_SEEN_ELSEWHERE = ("title", "slug", "status", "published_at", "kind", "menu_order", "parent_id")


def _remember_before(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if raw or not instance.pk:
        instance._page_cache_before = None
        return
    instance._page_cache_before = (
        type(instance).objects.filter(pk=instance.pk).values(*_SEEN_ELSEWHERE).first()
    )


def _post_saved(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return
    before = getattr(instance, "_page_cache_before", None)
    now = {name: getattr(instance, name) for name in _SEEN_ELSEWHERE}
    changed = [post_dependency(instance.pk), LISTINGS]
    if before is None or before != now:
        changed.append(SITE)
    pages_changed(*changed)


def _post_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    pages_changed(post_dependency(instance.pk), LISTINGS, SITE)


def _part_of_post(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if not raw and instance.post_id:
        pages_changed(post_dependency(instance.post_id), LISTINGS)


def _comment_before(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    """Whether the comment was approved before this save, looked up only when it matters: an
    update that may change the status of a comment not approved now."""
    instance._page_cache_was_approved = False
    if raw or instance.pk is None or instance._state.adding:
        return
    if instance.status == instance.Status.APPROVED:
        return  # shown now: the pages change whatever it was
    update_fields = kwargs.get("update_fields")
    if update_fields is not None and "status" not in update_fields:
        return  # the status is not written: it stays what it is, not approved
    before = type(instance).objects.filter(pk=instance.pk).values_list("status", flat=True)
    instance._page_cache_was_approved = before.first() == instance.Status.APPROVED


def _comment_saved(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    """Readers see approved comments only: a held, spam or trashed comment that never was
    approved changes no cached page (and a new one of them is most comments a form posts)."""
    if raw:
        return
    if instance.status == instance.Status.APPROVED or getattr(
        instance, "_page_cache_was_approved", False
    ):
        pages_changed(post_dependency(instance.post_id), LISTINGS)


def _comment_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    if instance.status == instance.Status.APPROVED:
        pages_changed(post_dependency(instance.post_id), LISTINGS)


def _labels(sender: Any, instance: Any, action: str, **kwargs: Any) -> None:
    """A post's categories or tags changed: its page and the listings (archives) show them."""
    if not action.startswith("post_"):
        return
    from broadsheet.publishing.models import Post

    ids = [instance.pk] if isinstance(instance, Post) else list(kwargs.get("pk_set") or ())
    pages_changed(LISTINGS, *(post_dependency(pk) for pk in ids))


def _everywhere(sender: Any, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        pages_changed(SITE)


def connect() -> None:
    from broadsheet.accounts.models import Profile
    from broadsheet.core.models import SiteSettings
    from broadsheet.discussion.models import Comment
    from broadsheet.moderation.models import DiscussionSettings
    from broadsheet.publishing.models import Category, Post, PostAuthor, Reference, Tag

    pre_save.connect(_remember_before, sender=Post, dispatch_uid="pagecache-post-before")
    post_save.connect(_post_saved, sender=Post, dispatch_uid="pagecache-post")
    post_delete.connect(_post_deleted, sender=Post, dispatch_uid="pagecache-post-delete")
    pre_save.connect(_comment_before, sender=Comment, dispatch_uid="pagecache-comment-before")
    post_save.connect(_comment_saved, sender=Comment, dispatch_uid="pagecache-Comment")
    post_delete.connect(_comment_deleted, sender=Comment, dispatch_uid="pagecache-del-Comment")
    for model in (Reference, PostAuthor):
        post_save.connect(_part_of_post, sender=model, dispatch_uid=f"pagecache-{model.__name__}")
        post_delete.connect(
            _part_of_post, sender=model, dispatch_uid=f"pagecache-del-{model.__name__}"
        )
    for through in (Post.tags.through, Post.categories.through):
        m2m_changed.connect(_labels, sender=through, dispatch_uid=f"pagecache-{through.__name__}")
    for shown_everywhere in (SiteSettings, DiscussionSettings, Category, Tag, Profile):
        name = shown_everywhere.__name__
        post_save.connect(_everywhere, sender=shown_everywhere, dispatch_uid=f"pagecache-{name}")
        post_delete.connect(
            _everywhere, sender=shown_everywhere, dispatch_uid=f"pagecache-del-{name}"
        )
