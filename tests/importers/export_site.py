"""A small site with a bit of everything an export must carry, for the export tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth.models import Group

from broadsheet.accounts.models import User
from broadsheet.core.markdown import render_comment_markdown
from broadsheet.core.models import SiteSettings
from broadsheet.discussion.models import Comment, DiscussionSettings
from broadsheet.notifications.models import Subscription
from broadsheet.publishing.models import Category, Post, PostRedirect
from tests.factories import (
    AuthorFactory,
    CategoryFactory,
    PostFactory,
    ReferenceFactory,
    TagFactory,
    approved_comment,
)

# Text no XML parser accepts as is: a CDATA end, control characters, a lone surrogate.
AWKWARD = "Ünïcödé — “quotes” ]]> end\x01\x0b\x1f\ufffe done"
AWKWARD_CLEAN = "Ünïcödé — “quotes” ]]> end done"


@dataclass
class Site:
    hale: User
    thornton: User
    reader: User
    essay: Post
    draft: Post
    scheduled: Post
    private: Post
    about: Post
    team: Post
    history: Category
    history_modern: Category
    art_modern: Category
    comments: dict[str, Comment]


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2024, 5, day, hour, 30, tzinfo=UTC)


def build_site() -> Site:
    SiteSettings(title="Harbour Essays", tagline="Long reads on ports & <trade>").save()
    DiscussionSettings(comment_moderation=True, thread_comments_depth=4).save()
    hale = AuthorFactory(
        username="mhale",
        first_name="Margaret",
        last_name="Hale",
        profile__display_name="Margaret Hale",
    )
    hale.groups.add(Group.objects.get(name="Author"))
    thornton = AuthorFactory(username="jthornton", profile__display_name="John Thornton")
    reader = User.objects.create_user(username="reader", email="reader@example.net")
    reader.profile.display_name = "Rita Reader"
    reader.profile.bio = "Reads *everything*."
    reader.profile.save()
    EmailAddress.objects.create(
        user=reader, email="reader@example.net", verified=True, primary=True
    )
    SocialAccount.objects.create(
        user=reader, provider="github", uid="4242", extra_data={"token": "x"}
    )

    history = CategoryFactory(name="History", slug="history")
    history_modern = CategoryFactory(name="Modern history", slug="modern", parent=history)
    art = CategoryFactory(name="Art", slug="art")
    art_modern = CategoryFactory(name="Modern art", slug="modern", parent=art)
    sources = TagFactory(name="sources", slug="sources")
    books = TagFactory(name="Bücher", slug="bücher")

    essay = PostFactory(
        title=f"Harbours {AWKWARD}",
        slug="harbours",
        excerpt="A *short* summary.",
        body=(
            "An opening paragraph about Bristol.\n\n## Docks\n\nA claim with a note.[^1] "
            f"And a tricky bit: {AWKWARD}\n\n[^1]: The note, with ]]> inside.\n"
        ),
        published_at=at(1, 9),
        authors=[hale, thornton],
        categories=[history_modern, art_modern],
        tags=[sources, books],
        sticky=True,
        featured_image="https://cdn.example.org/harbour.jpg",
    )
    ReferenceFactory(post=essay, position=0, title="A History of Harbours")
    ReferenceFactory(
        post=essay,
        position=1,
        kind="webpage",
        title="Port statistics",
        contributors={"author": [{"literal": "Port Authority"}]},
        url="https://example.org/stats",
        accessed=date(2024, 4, 2),
        issued="2023-11",
    )
    draft = PostFactory(
        title="Unfinished", slug="unfinished", status=Post.Status.DRAFT, published_at=None
    )
    scheduled = PostFactory(
        title="Coming soon",
        slug="coming-soon",
        status=Post.Status.SCHEDULED,
        published_at=datetime(2031, 1, 1, 8, 0, tzinfo=UTC),
        comments_open=False,
    )
    private = PostFactory(title="Staff only", slug="staff-only", status=Post.Status.PRIVATE)
    about = PostFactory(
        kind=Post.Kind.PAGE, title="About", slug="about", body="About us.", menu_order=1
    )
    team = PostFactory(
        kind=Post.Kind.PAGE, title="Team", slug="team", body="Who we are.", menu_order=2
    )
    Post.objects.filter(pk=team.pk).update(parent=about)
    team.refresh_from_db()
    PostRedirect.objects.create(old_path="/2024/04/30/harbours/", post=essay)

    c: dict[str, Comment] = {}
    c["guest"] = approved_comment(
        essay,
        name="Ann Guest",
        body=f"First!\n\nSecond paragraph {AWKWARD}",
        author_url="https://ann.example.net/",
        ip_address="203.0.113.7",
        user_agent="Mozilla/5.0",
        created_at=at(2),
    )
    c["account"] = approved_comment(
        essay, parent=c["guest"], name="Rita Reader", body="A reply.", created_at=at(3)
    )
    # An account's comment is shown under the account's name and address.
    Comment.objects.filter(pk=c["account"].pk).update(user=reader, author_email="", author_name="")
    c["pending"] = approved_comment(
        essay,
        parent=c["account"],
        name="Pat Pending",
        body="Held for moderation.",
        status=Comment.Status.PENDING,
        moderation_reason="First comment from this address.",
        created_at=at(4),
    )
    c["spam"] = approved_comment(
        essay,
        name="Cheap Pills",
        body="Buy now",
        status=Comment.Status.SPAM,
        spam_score=0.97,
        created_at=at(5),
    )
    c["trash"] = approved_comment(
        essay, name="Tom Trash", body="Rude.", status=Comment.Status.TRASH, created_at=at(6)
    )
    c["pingback"] = approved_comment(
        essay,
        name="Other Blog",
        body="[…] a mention […]",
        kind=Comment.Kind.PINGBACK,
        author_url="https://blog.example.com/post/",
        created_at=at(7),
    )
    c["removed"] = approved_comment(essay, name="Gone", body="", created_at=at(8))
    Comment.objects.filter(pk=c["removed"].pk).update(
        removed=True, author_name="", author_email="", body_html=""
    )
    Post.objects.filter(pk=essay.pk).update(comment_count=3)  # guest, account, pingback
    c["under_removed"] = approved_comment(
        essay, parent=c["removed"], name="Still Here", body="Reply kept.", created_at=at(9)
    )
    c["on_page"] = approved_comment(about, name="Page Reader", body="Nice page.", created_at=at(10))
    for comment in c.values():
        # Stored as the comment form stores it (the helper writes unrendered HTML).
        html = render_comment_markdown(comment.body) if comment.body else ""
        Comment.objects.filter(pk=comment.pk, removed=False).update(body_html=html)
        comment.refresh_from_db()
    Subscription.objects.create(
        email="ann@example.org", kind=Subscription.Kind.COMMENTS, post=essay, status="active"
    )
    Subscription.objects.create(
        email="reader@example.net", kind=Subscription.Kind.POSTS, user=reader, status="pending"
    )
    essay.refresh_from_db()
    return Site(
        hale=hale,
        thornton=thornton,
        reader=reader,
        essay=essay,
        draft=draft,
        scheduled=scheduled,
        private=private,
        about=about,
        team=team,
        history=history,
        history_modern=history_modern,
        art_modern=art_modern,
        comments=c,
    )
