"""The post page's reads are written out as short statements (decision 0019): they must give
exactly what the ORM's querysets give, on both engines."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils import timezone

from broadsheet.accounts.models import Profile
from broadsheet.publishing import selectors
from broadsheet.publishing.models import Post, PostAuthor, Reference
from tests.factories import (
    READERS,
    AuthorFactory,
    CategoryFactory,
    PostFactory,
    ReferenceFactory,
    TagFactory,
    reader_of,
)

pytestmark = pytest.mark.django_db


def _reads(links: Any, categories: Any, tags: Any, references: Any) -> dict[str, Any]:
    """What the page shows of a post's authors, categories, tags and references."""
    return {
        "authors": [
            (
                link.pk,
                link.position,
                link.author.pk,
                link.author.username,
                link.author.display_name,
                _profile(link.author),
            )
            for link in links
        ],
        "categories": [(c.pk, c.name, c.path) for c in categories],
        "tags": [(t.pk, t.name, t.slug) for t in tags],
        "references": [(r.pk, r.key, r.title, r.contributors, r.html) for r in references],
    }


def _as_orm_reads(post: Post) -> dict[str, Any]:
    links = PostAuthor.objects.filter(post=post).select_related("author__profile")
    return _reads(
        links.order_by("position", "id"),
        post.categories.order_by("name", "id"),
        post.tags.order_by("name", "id"),
        post.references.all(),
    )


def _as_page_reads(post: Post) -> dict[str, Any]:
    links = post.author_links  # type: ignore[attr-defined]
    return _reads(links, post.categories.all(), post.tags.all(), post.references.all())


def _profile(user: Any) -> tuple[Any, ...] | None:
    try:
        profile = user.profile
    except Profile.DoesNotExist:
        return None
    return (profile.pk, profile.display_name, profile.bio_html, profile.website,
            profile.avatar_url)  # fmt: skip


def test_the_post_pages_reads_give_what_the_orm_gives(django_assert_num_queries: Any) -> None:
    second, first = AuthorFactory(username="second"), AuthorFactory(username="first")
    third = AuthorFactory(username="third", first_name="Nan", last_name="Shepherd")
    Profile.objects.filter(user=third).delete()  # an account whose profile was never made
    post = PostFactory(
        slug="bundle",
        authors=[first, second, third],
        categories=[CategoryFactory(name=n) for n in ("Zoology", "Archives", "Maps")],
        tags=[TagFactory(name=n) for n in ("tides", "ports")],
    )
    PostAuthor.objects.filter(post=post, author=first).update(position=5)  # order by position
    for title in ("Second", "First"):
        ReferenceFactory(post=post, title=title)
    Reference.objects.filter(post=post, title="Second").update(position=9)
    expected = _as_orm_reads(Post.objects.get(pk=post.pk))

    local = timezone.localdate(post.published_at)
    with django_assert_num_queries(
        5
    ):  # the post, authors with profiles, categories, tags, references
        found = selectors.post_for_permalink(
            user=AnonymousUser(), year=local.year, month=local.month, day=local.day, slug="bundle"
        ).post
        assert found is not None
        shown = _as_page_reads(found)
    assert shown == expected
    assert [a[3] for a in shown["authors"]] == ["second", "third", "first"]
    assert shown["authors"][1][4:] == ("Nan Shepherd", None)
    assert [c[1] for c in shown["categories"]] == ["Archives", "Maps", "Zoology"]
    assert [r[2] for r in shown["references"]] == ["First", "Second"]
    for name in Post._meta.concrete_fields:  # the post itself, every column converted alike
        assert getattr(found, name.attname) == getattr(post, name.attname), name


@pytest.mark.parametrize("status", list(Post.Status))
@pytest.mark.parametrize("when", ["past", "future"])
@pytest.mark.parametrize("reader_kind", READERS)
def test_the_permalink_shows_what_visible_would(status: str, when: str, reader_kind: str) -> None:
    writer = AuthorFactory(username="writer")
    post = PostFactory(slug="maybe", status=status, authors=[AuthorFactory(), writer])
    published = timezone.now() + timedelta(days=-1 if when == "past" else 1)
    Post.objects.filter(pk=post.pk).update(published_at=published)
    reader = reader_of(writer, reader_kind)
    local = timezone.localdate(published)

    def found() -> Post | None:
        return selectors.post_for_permalink(
            user=reader, year=local.year, month=local.month, day=local.day, slug="maybe"
        ).post

    if Post.objects.visible(reader).filter(pk=post.pk).exists():
        assert getattr(found(), "pk", None) == post.pk
    else:
        with pytest.raises(Http404):
            found()


def _orm_neighbours(post: Post) -> tuple[int | None, int | None]:
    base = Post.objects.public().posts().exclude(pk=post.pk)
    assert post.published_at is not None
    before = base.filter(published_at__lte=post.published_at).order_by("-published_at", "-id")
    after = base.filter(published_at__gte=post.published_at).order_by("published_at", "id")
    return (getattr(before.first(), "pk", None), getattr(after.first(), "pk", None))


def test_previous_and_next_are_those_public_would_give() -> None:
    now = timezone.now()
    made = []
    for hours, status, kind in [
        (-50, Post.Status.PUBLISHED, Post.Kind.POST),
        (-40, Post.Status.PRIVATE, Post.Kind.POST),
        (-30, Post.Status.DRAFT, Post.Kind.POST),
        (-30, Post.Status.PUBLISHED, Post.Kind.POST),  # the same moment as the draft
        (-30, Post.Status.PUBLISHED, Post.Kind.POST),  # and as each other: the id decides
        (-20, Post.Status.PUBLISHED, Post.Kind.PAGE),
        (-10, Post.Status.SCHEDULED, Post.Kind.POST),  # due: shown
        (10, Post.Status.SCHEDULED, Post.Kind.POST),  # not yet
        (20, Post.Status.PUBLISHED, Post.Kind.POST),
    ]:
        post = PostFactory(status=status, kind=kind)
        Post.objects.filter(pk=post.pk).update(published_at=now + timedelta(hours=hours))
        made.append(post.pk)
    for post in Post.objects.filter(pk__in=made, kind=Post.Kind.POST):
        found = selectors.post_neighbours(post=post)
        shown = (getattr(found.previous, "pk", None), getattr(found.next, "pk", None))
        assert shown == _orm_neighbours(post), post.pk
        for neighbour in (found.previous, found.next):
            if neighbour is not None:
                assert (
                    neighbour.get_absolute_url()
                    == Post.objects.get(pk=neighbour.pk).get_absolute_url()
                )
