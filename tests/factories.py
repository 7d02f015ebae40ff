from __future__ import annotations

from datetime import timedelta
from typing import Any

import factory
from django.utils import timezone

from broadsheet.accounts.models import User
from broadsheet.publishing.models import Category, Post, PostAuthor, Reference, Tag
from broadsheet.publishing.services import post_save


class AuthorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"author{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    is_staff = True

    @factory.post_generation
    def profile(obj: User, create: bool, extracted: Any, **kwargs: Any) -> None:
        if not create:
            return
        profile = obj.profile  # type: ignore[attr-defined]
        profile.display_name = kwargs.get("display_name", obj.username.title())
        profile.bio = kwargs.get(
            "bio", f"{obj.username.title()} is a researcher studying harbours."
        )
        profile.save()


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.LazyAttribute(lambda o: o.name.lower().replace(" ", "-"))


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag

    name = factory.Sequence(lambda n: f"tag{n}")
    slug = factory.LazyAttribute(lambda o: o.name)


class PostFactory(factory.django.DjangoModelFactory):
    """Posts go through the publishing service, so their HTML is rendered as in production."""

    class Meta:
        model = Post

    title = factory.Sequence(lambda n: f"Essay number {n}")
    slug = factory.Sequence(lambda n: f"essay-number-{n}")
    body = "An opening paragraph.\n\n## First section\n\nA paragraph with a note.[^1]\n\n[^1]: The note.\n"
    status = Post.Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))

    @classmethod
    def _create(cls, model_class: type[Post], *args: Any, **kwargs: Any) -> Post:
        authors = kwargs.pop("authors", None)
        categories = kwargs.pop("categories", None)
        tags = kwargs.pop("tags", None)
        post = model_class(*args, **kwargs)
        if authors is None:
            authors = [AuthorFactory()]
        return post_save(post=post, authors=authors, categories=categories, tags=tags)


class ReferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reference
        skip_postgeneration_save = True

    post = factory.SubFactory(PostFactory)
    kind = Reference.Kind.BOOK
    title = factory.Sequence(lambda n: f"A History of Harbours, Volume {n}")
    contributors = factory.LazyFunction(lambda: {"author": [{"family": "Marsh", "given": "Edith"}]})
    publisher = "Harbour Press"
    place = "Bristol"
    issued = "1998"
    # Listed although the test's body does not cite it; its post is rendered again after.
    uncited = True

    @factory.post_generation
    def rerender(obj: Reference, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            from broadsheet.publishing.services import post_rerender

            post_rerender(post=obj.post)


def role_member(role: str, username: str) -> User:
    """An account in one of WordPress's roles (accounts.roles), read back fresh so no
    permission is cached on it."""
    from django.contrib.auth.models import Group

    user = User.objects.create_user(username, f"{username}@example.org", "correct horse battery")
    user.groups.add(Group.objects.get(name=role))
    return User.objects.get(pk=user.pk)


# The readers whose rules differ (decision 0022): none, every private post, own ones, others'.
READERS = ["anonymous", "Editor", "own Author", "own Subscriber", "another Author"]


def reader_of(post_author: User, kind: str) -> Any:
    """Someone reading a post by `post_author`, as one of READERS; an "own" reader is
    `post_author` given that role."""
    from django.contrib.auth.models import AnonymousUser, Group

    if kind == "anonymous":
        return AnonymousUser()
    if kind.startswith("own "):
        post_author.groups.add(Group.objects.get(name=kind.removeprefix("own ")))
        return User.objects.get(pk=post_author.pk)
    return role_member(kind.split()[-1], f"reader-{kind.split()[-1].lower()}")


__all__ = [
    "READERS",
    "AuthorFactory",
    "CategoryFactory",
    "PostAuthor",
    "PostFactory",
    "ReferenceFactory",
    "TagFactory",
    "reader_of",
    "role_member",
]


def approved_comment(
    post: Post,
    *,
    parent: Any = None,
    name: str = "Ada Reader",
    body: str = "A fair point.",
    **fields: Any,
) -> Any:
    """An approved comment written straight to the database, counted on its post."""
    from datetime import timedelta

    from django.db.models import F
    from django.utils import timezone

    from broadsheet.discussion.models import Comment

    fields.setdefault("created_at", timezone.now() - timedelta(hours=1))
    comment = Comment.objects.create(
        post=post,
        parent=parent,
        thread=parent.thread if parent is not None else None,
        depth=parent.depth + 1 if parent is not None else 0,
        status=fields.pop("status", Comment.Status.APPROVED),
        author_name=name,
        author_email=fields.pop("author_email", f"{name.split()[0].lower()}@example.org"),
        body=body,
        body_html=f"<p>{body}</p>",
        **fields,
    )
    if parent is None:
        comment.thread_id = comment.pk  # as the database set it (discussion migration 0012)
    if comment.counts_on_post():  # approved, and not a Webmention like or repost
        Post.objects.filter(pk=post.pk).update(comment_count=F("comment_count") + 1)
    return comment


def anchored_comment(post: Post, exact: str, *, passage: str | None = None, **fields: Any) -> Any:
    """An approved comment responding to `exact`, a quote from the post's current text (in
    the first paragraph holding it unless `passage` says which), its anchor written straight
    to the database as the comment form stores one (made on the current version, intact)."""
    from broadsheet.discussion.models import Anchor
    from broadsheet.publishing.passages import post_passages

    found = {p.id: p.text for p in post_passages(post)}
    passage = passage or next(pid for pid, text in found.items() if exact in text)
    text = found[passage]
    start = text.index(exact)
    fields.setdefault("post_version", post.version)
    comment = approved_comment(post, **fields)
    Anchor.objects.create(
        comment=comment,
        post=post,
        passage=passage,
        exact=exact,
        prefix=text[max(0, start - 32) : start],
        suffix=text[start + len(exact) : start + len(exact) + 32],
        start=start,
        end=start + len(exact),
        revision=post.revision,
        version=post.version,
        current_passage=passage,
        current_exact=exact,
        current_start=start,
        current_end=start + len(exact),
        located_version=post.version,
    )
    return comment


def verified_reader(username: str, *, days: int = 30, verified: bool = True) -> User:
    """A reader's account `days` old with its address verified (or not), as context notes
    ask of writers and raters (notes.eligibility)."""
    from allauth.account.models import EmailAddress

    email = f"{username}@example.org"
    user = User.objects.create_user(username, email, "correct horse battery")
    User.objects.filter(pk=user.pk).update(date_joined=timezone.now() - timedelta(days=days))
    EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
    return User.objects.get(pk=user.pk)
