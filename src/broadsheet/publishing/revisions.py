"""Revisions of a post: taken by every save (`post_save`), capped, compared and restored.

A revision holds the text a save left: title, excerpt, body and the references as CSL-JSON
items. Revisions are numbered per post; `Post.revision` is the number of the one the post's
text is. An editor's save names the revision it started from (`based_on`): when someone else
saved in between, the submitted text is kept as a refused revision and `EditConflict` is
raised after that revision commits (decision 0038). Saves that leave a public post make its
published versions 1, 2, 3 …, each with a permanent address (decision 0039).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import F, Q
from django.utils import timezone

from broadsheet.accounts.models import User
from broadsheet.core import effects
from broadsheet.core.effects import CommittedRefusal, action
from broadsheet.core.worddiff import word_changes
from broadsheet.publishing.csl_json import reference_to_csl
from broadsheet.publishing.models import Post, Reference, Revision

Snapshot = tuple[str, str, str, list[dict[str, Any]]]


class EditConflict(CommittedRefusal):
    """Someone saved the post after the editor loaded it: the editor's text was not applied
    and is kept as `revision` (origin "refused", `based_on` the number they loaded)."""

    def __init__(self, revision: Revision) -> None:
        self.revision = revision
        super().__init__(
            f"Post {revision.post_id} was saved by someone else after revision "
            f"{revision.based_on}; this text was kept as a revision, not applied."
        )


def references_csl(references: Sequence[Reference]) -> list[dict[str, Any]]:
    return [reference_to_csl(ref) for ref in references]


def submitted_references(fields: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Reference field dicts (as post_save takes them) as CSL-JSON items, without saving."""
    from broadsheet.publishing.citations import reference_key

    items = []
    for entry in fields:
        ref = Reference(**entry)
        ref.key = ref.key or reference_key(ref)
        items.append(reference_to_csl(ref))
    return items


def _snapshot(post: Post, references: list[dict[str, Any]]) -> Snapshot:
    return (post.title, post.excerpt, post.body, references)


def _text(snapshot: Snapshot) -> str:
    return "\n".join(snapshot[:3])


def revision_refused(
    *, post: Post, by: User | None, based_on: int, references: list[dict[str, Any]]
) -> Revision:
    """Keep a save that was not applied (an edit conflict). Never pruned by the cap."""
    return Revision.objects.create(
        post_id=post.pk,
        number=None,
        origin=Revision.Origin.REFUSED,
        based_on=based_on,
        title=post.title,
        excerpt=post.excerpt,
        body=post.body,
        references=references,
        author=by,
    )


def latest_revision(post: Post) -> Revision | None:
    if not post.revision:
        return None
    return Revision.objects.filter(post_id=post.pk, number=post.revision).first()


def revision_take(
    *,
    post: Post,
    by: User | None,
    origin: str = Revision.Origin.SAVED,
    based_on: int | None = None,
    restored_from: int | None = None,
    at: datetime | None = None,
    amend_at: datetime | None = None,
) -> Revision | None:
    """After a save (the post row locked by it): a new revision if the text differs from the
    current one, and a new published version if the post is public. Returns the revision the
    post's text now is (None when the cap keeps none).

    `amend_at`: the admin and the importers write references after post_save: the revision
    that save took (stamped `amend_at`) is corrected instead of followed by another."""
    at = at or timezone.now()
    references = references_csl(list(post.references.all()))
    snapshot = _snapshot(post, references)
    latest = latest_revision(post)
    if latest is not None and latest.snapshot == snapshot:
        if latest.version is None and post.is_public:
            _publish(post, latest, at)
        return latest
    if amend_at is not None and latest is not None and latest.created_at == amend_at:
        latest.references = references
        latest.save(update_fields=["references"])
        return latest
    previous: Snapshot = latest.snapshot if latest is not None else ("", "", "", [])
    added, removed = word_changes(_text(previous), _text(snapshot))
    post.revision += 1
    revision = Revision(
        post_id=post.pk,
        number=post.revision,
        origin=origin,
        based_on=based_on,
        restored_from=restored_from,
        title=post.title,
        excerpt=post.excerpt,
        body=post.body,
        references=references,
        author=by,
        created_at=at,
        words_added=added,
        words_removed=removed,
    )
    revision.save()
    Post.objects.filter(pk=post.pk).update(revision=post.revision)
    if post.is_public:
        _publish(post, revision, at)
    revisions_prune(post=post)
    return revision


def _publish(post: Post, revision: Revision, at: datetime) -> None:
    """The revision becomes the post's next published version (the post row is locked)."""
    current = Post.objects.filter(pk=post.pk).values_list("version", flat=True).get()
    revision.version = current + 1
    revision.save(update_fields=["version"])
    post.version, post.version_at = revision.version, at
    Post.objects.filter(pk=post.pk).update(version=post.version, version_at=at)
    effects.post_versioned(post.pk)


def revisions_publish(*, post_ids: Sequence[int], at: datetime) -> None:
    """Scheduled posts went live: each one's current text is its next published version."""
    for post in Post.objects.filter(pk__in=post_ids).only("pk", "revision", "version"):
        latest = latest_revision(post)
        if latest is not None and latest.version is None:
            _publish(post, latest, at)


def revisions_prune(*, post: Post) -> int:
    """WordPress's WP_POST_REVISIONS: keep the last N (−1 all, 0 none). Published versions
    and refused saves are never deleted here (decision 0038)."""
    cap = settings.POST_REVISIONS
    if cap < 0:
        return 0
    prunable = Revision.objects.filter(
        Q(post_id=post.pk) & Q(version__isnull=True) & ~Q(origin=Revision.Origin.REFUSED)
    )
    kept = list(
        Revision.objects.filter(post_id=post.pk, number__isnull=False)
        .exclude(origin=Revision.Origin.REFUSED)
        .order_by("-number")
        .values_list("pk", flat=True)[:cap]
    )
    deleted, _ = prunable.exclude(pk__in=kept).delete()
    return deleted


def revisions_imported(*, posts: Sequence[Post], references: dict[int, list[Reference]]) -> None:
    """Posts an import wrote in bulk: each one's text is its revision 1, "imported", and a
    public one's version 1 dated as first published (decision 0038)."""
    rows = [
        Revision(
            post_id=post.pk,
            number=1,
            version=1 if post.is_public else None,
            origin=Revision.Origin.IMPORTED,
            title=post.title,
            excerpt=post.excerpt,
            body=post.body,
            references=references_csl(references.get(post.pk, [])),
            created_at=post.modified_at,
            words_added=len(_text((post.title, post.excerpt, post.body, [])).split()),
        )
        for post in posts
    ]
    Revision.objects.bulk_create(rows)
    Post.objects.filter(pk__in=[post.pk for post in posts]).update(revision=1)
    public = [post.pk for post in posts if post.is_public]
    Post.objects.filter(pk__in=public).update(version=1, version_at=F("published_at"))


def current_version(post: Post) -> Revision | None:
    """The post's current published version (what its page shows), if it has one."""
    if not post.version:
        return None
    return Revision.objects.filter(post_id=post.pk, version=post.version).first()


def version_url(post: Post, version: int) -> str:
    """The permanent address of published version `version` of a public post."""
    return f"{post.get_absolute_url()}v/{version}/"


def history_url(post: Post) -> str:
    """The public list of a post's published versions."""
    return f"{post.get_absolute_url()}v/"


def changes_url(post: Post, version: int) -> str:
    """What changed between published version `version` and the current one."""
    return f"{version_url(post, version)}changes/"


@action
def revision_restore(*, revision: Revision, by: User | None) -> Revision:
    """Make the post's text that of `revision` again: a new revision (origin "restored"), as
    WordPress restores. `by` must be allowed to edit the post (None: the system, e.g. tests
    and the command line)."""
    from broadsheet.publishing.csl_json import reference_fields
    from broadsheet.publishing.services import post_save

    post = Post.objects.select_for_update().get(pk=revision.post_id)
    if by is not None and not post.is_editable_by(by):
        raise PermissionDenied("You may not edit this post.")
    post.title, post.excerpt, post.body = revision.title, revision.excerpt, revision.body
    references = [reference_fields(item)[0] for item in revision.references]
    post_save(
        post=post,
        references=references,
        by=by,
        origin=Revision.Origin.RESTORED,
        restored_from=revision.number,
    )
    return latest_revision(post) or revision  # none kept with POST_REVISIONS=0
