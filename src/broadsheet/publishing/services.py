"""Writes for publishing: render once at save, keep old permalinks answering."""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any

from django.utils import timezone, translation
from django.utils.html import escape, strip_tags

from broadsheet.accounts.models import User
from broadsheet.core import effects
from broadsheet.core.effects import action
from broadsheet.core.languages import interface_language, site_language
from broadsheet.core.markdown import render_inline_markdown
from broadsheet.core.sanitize import clean_post_html, without_nul
from broadsheet.media.figures import LibraryImages
from broadsheet.publishing.citations import reference_key, unique_key
from broadsheet.publishing.citing import render_essay
from broadsheet.publishing.effects import SEEN_ELSEWHERE, post_changed, post_seen_elsewhere
from broadsheet.publishing.models import (
    Category,
    Post,
    PostAuthor,
    PostRedirect,
    Reference,
    Revision,
    Tag,
)
from broadsheet.publishing.revisions import (
    EditConflict,
    references_csl,
    revision_refused,
    revision_take,
    revisions_publish,
    submitted_references,
)

EXCERPT_WORDS = 55
# Not written back from the instance: the comment count moves with atomic updates, and the
# revision and version numbers are kept by publishing.revisions under the row's lock.
_KEPT_ELSEWHERE = ("comment_count", "revision", "version", "version_at")
_EDITABLE_COLUMNS = [
    f.name
    for f in Post._meta.concrete_fields
    if not f.primary_key and f.name not in _KEPT_ELSEWHERE
]
_FIRST_PARAGRAPH = re.compile(r"<p[^>]*>(.*?)</p>", re.S)
_FOOTNOTE_REF = re.compile(r'<sup class="footnote-ref">.*?</sup>', re.S)


def post_render(*, post: Post, references: Sequence[Reference] | None = None) -> list[str]:
    """Fill the derived HTML fields from the Markdown source and the references; returns the
    problems found ("line N: message"). `references` (unsaved ones, e.g. the studio's
    preview) replace the post's stored references; without them the stored ones are read."""
    _without_nul(post)
    if references is None:
        references = list(post.references.all()) if post.pk else []
    images = LibraryImages(extra=[post.featured_image])  # one query for every library image
    language = post.language or site_language()
    with translation.override(interface_language(language)):  # its back-links' labels
        essay = render_essay(post.body, references, blocks=images.transform, language=language)
    rendered = essay.rendered
    post.featured_image_html = images.featured_html(post.featured_image)
    post.body_html = rendered.body_html
    post.footnotes_html = rendered.footnotes_html
    post.bibliography_html = clean_post_html(essay.bibliography_html)
    post.toc = [asdict(entry) for entry in rendered.toc]
    post.word_count = rendered.word_count
    if post.excerpt.strip():
        post.excerpt_html = render_inline_markdown(post.excerpt)
    else:
        post.excerpt_html = _first_paragraph(rendered.body_html)
    return [f"line {line}: {message}" for line, message in essay.problems()]


def _without_nul(post: Post) -> None:
    post.title, post.excerpt, post.body = (
        without_nul(t) for t in (post.title, post.excerpt, post.body)
    )


def _first_paragraph(html: str) -> str:
    """WordPress's automatic excerpt: the opening text, footnote markers removed, 55 words at most."""
    match = _FIRST_PARAGRAPH.search(html)
    if match is None:
        return ""
    text = html_lib.unescape(strip_tags(_FOOTNOTE_REF.sub("", match.group(1)))).split()
    if len(text) > EXCERPT_WORDS:
        text = [*text[:EXCERPT_WORDS], "[…]"]
    return f"<p>{escape(' '.join(text))}</p>" if text else ""


@action
def post_save(
    *,
    post: Post,
    authors: Sequence[User] | None = None,
    categories: Sequence[Category] | None = None,
    tags: Sequence[Tag] | None = None,
    references: Sequence[dict[str, Any]] | None = None,
    notify: bool = True,
    by: User | None = None,
    based_on: int | None = None,
    origin: str = Revision.Origin.SAVED,
    restored_from: int | None = None,
) -> Post:
    """Save a post or page: render its body, stamp dates, keep its old address redirecting,
    and take a revision of its text (publishing.revisions) by `by`.

    `based_on`: the revision number the editor loaded. If the post has moved on since, nothing
    is applied: the text is kept as a refused revision and `EditConflict` is raised once that
    has committed. `notify=False` (imports) never emails subscribers: an imported essay is not
    news."""
    previous_url = None
    was_public = False
    # Locked until the commit (PostgreSQL; SQLite's writers take turns already): two saves
    # based on the same revision cannot both see it as current.
    before = Post.objects.select_for_update().filter(pk=post.pk).first() if post.pk else None
    if before is not None and based_on is not None and based_on != before.revision:
        _refuse(post=post, before=before, by=by, based_on=based_on, references=references)
    post.revision = before.revision if before is not None else 0
    if before is not None and before.is_public:
        previous_url = before.get_absolute_url()
        was_public = True
    shown_before = (
        {name: getattr(before, name) for name in SEEN_ELSEWHERE} if before is not None else None
    )

    new_references = _unsaved_references(references) if references is not None else None
    post_render(post=post, references=new_references)
    now = timezone.now()
    if post.status in (Post.Status.PUBLISHED, Post.Status.PRIVATE) and post.published_at is None:
        post.published_at = now
    post.modified_at = now
    if before is not None:
        # The approved-comment count moves with atomic updates while an editor has the post
        # open; writing back the count read when the form was loaded would undo them.
        post.save(update_fields=_EDITABLE_COLUMNS)
    else:
        post.save()

    if authors is not None:
        PostAuthor.objects.filter(post=post).delete()
        PostAuthor.objects.bulk_create(
            PostAuthor(post=post, author=author, position=i) for i, author in enumerate(authors)
        )
    if categories is not None:
        post.categories.set(categories)
    if tags is not None:
        post.tags.set(tags)
    if new_references is not None:
        post.references.all().delete()
        for reference in new_references:  # save() renders each one's HTML
            reference.post = post
            reference.save()

    revision_take(
        post=post, by=by, origin=origin, based_on=based_on, restored_from=restored_from, at=now
    )
    post_redirects_update(post=post, previous_url=previous_url)
    post_changed(post_ids=[post.pk], seen_elsewhere=post_seen_elsewhere(shown_before, post))
    if notify and not was_public and post.is_public and not post.is_page:
        effects.post_public(post.pk)
    return post


def _refuse(
    *,
    post: Post,
    before: Post,
    by: User | None,
    based_on: int,
    references: Sequence[dict[str, Any]] | None,
) -> None:
    """A save based on an older revision: its text is kept as a refused revision, not applied."""
    _without_nul(post)
    submitted = (
        submitted_references(references)
        if references is not None
        else references_csl(list(before.references.all()))
    )
    kept = revision_refused(post=post, by=by, based_on=based_on, references=submitted)
    raise EditConflict(kept)


def _unsaved_references(references: Sequence[dict[str, Any]]) -> list[Reference]:
    """Each a Reference's fields, in the writer's order; empty keys made from the reference,
    unique within the essay."""
    made = [Reference(position=position, **fields) for position, fields in enumerate(references)]
    taken = {r.key for r in made if r.key}
    for reference in made:
        if not reference.key:
            reference.key = unique_key(reference_key(reference), taken)
            taken.add(reference.key)
    return made


RENDERED_COLUMNS = [
    "body_html", "footnotes_html", "bibliography_html", "excerpt_html", "toc", "word_count",
    "featured_image_html",
]  # fmt: skip


@action
def post_rerender(*, post: Post) -> list[str]:
    """Render a saved post again from its stored references, after they were changed apart
    from `post_save` (the admin's reference rows, imports); returns the problems found."""
    problems = post_render(post=post)
    Post.objects.filter(pk=post.pk).update(**{c: getattr(post, c) for c in RENDERED_COLUMNS})
    post_changed(post_ids=[post.pk], seen_elsewhere=False)
    return problems


@action
def posts_publish_due(*, now: datetime | None = None) -> int:
    """Scheduled posts whose time has come become published (WordPress's "future" →
    "publish"); returns how many."""
    now = now or timezone.now()
    due = Post.objects.filter(status=Post.Status.SCHEDULED, published_at__lte=now)
    published = []
    for post in due.only("pk", "kind"):
        # Only if still scheduled: another worker's round may have published it meanwhile.
        scheduled = Post.objects.filter(pk=post.pk, status=Post.Status.SCHEDULED)
        if not scheduled.update(status=Post.Status.PUBLISHED):
            continue
        published.append(post.pk)
        if post.kind == Post.Kind.POST:
            effects.post_public(post.pk)
    revisions_publish(post_ids=published, at=now)
    if published:  # new posts on the home page, archives, neighbours, the archive list
        post_changed(post_ids=published, seen_elsewhere=True)
    return len(published)


def post_redirects_update(*, post: Post, previous_url: str | None) -> None:
    current = post.get_absolute_url()
    # The current address must never redirect, even if an older post once lived there.
    PostRedirect.objects.filter(old_path=current).delete()
    if previous_url and previous_url != current:
        PostRedirect.objects.update_or_create(old_path=previous_url, defaults={"post": post})
