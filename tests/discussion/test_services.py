"""comment_submit: every WordPress rule, in WordPress's order, each test failing without its rule."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from broadsheet.discussion.models import Comment, DiscussionSettings
from broadsheet.discussion.services import Commenter, CommentRejected, comment_submit
from broadsheet.publishing.models import Post
from tests.factories import AuthorFactory, PostFactory, approved_comment

pytestmark = pytest.mark.django_db

GUEST = Commenter(name="Ada Reader", email="ada@example.org", url="https://ada.example.org")


def guest(n: int) -> Commenter:
    """Another reader, from another address: no flood check between them."""
    return Commenter(name=f"Reader {n}", email=f"reader{n}@example.org")


def _settings(**changes: Any) -> DiscussionSettings:
    settings = DiscussionSettings.current()
    for name, value in changes.items():
        setattr(settings, name, value)
    settings.save()
    return settings


@pytest.fixture
def post(author: Any) -> Post:
    return PostFactory(authors=[author])


def submit(
    post: Post, commenter: Commenter = GUEST, body: str = "A thoughtful reply.", **kwargs: Any
) -> Comment:
    kwargs.setdefault("seconds_on_page", 30.0)
    kwargs.setdefault("ip_address", "203.0.113.7")
    return comment_submit(post=post, commenter=commenter, body=body, **kwargs)


def rejected(
    post: Post, commenter: Commenter = GUEST, body: str = "A thoughtful reply.", **kwargs: Any
) -> CommentRejected:
    with pytest.raises(CommentRejected) as caught:
        submit(post, commenter, body, **kwargs)
    return caught.value


# --- what is refused ------------------------------------------------------------------


def test_reply_to_pending_comment_is_refused(post: Post) -> None:
    pending = approved_comment(post, status=Comment.Status.PENDING)
    error = rejected(post, parent_id=pending.pk)
    assert (error.status, error.message) == (
        403,
        "Sorry, replies to unapproved comments are not allowed.",
    )


def test_reply_to_a_comment_of_another_post_is_refused(post: Post, author: Any) -> None:
    foreign = approved_comment(PostFactory(authors=[author]))
    error = rejected(post, parent_id=foreign.pk)
    assert error.message == "The comment you are replying to does not exist."
    assert rejected(post, parent_id=999_999).code == "parent"


def test_comments_closed_on_the_post_are_refused(post: Post) -> None:
    post.comments_open = False
    post.save()
    error = rejected(post)
    assert (error.status, error.message) == (403, "Sorry, comments are closed for this item.")


def test_comments_close_automatically_on_old_posts(post: Post) -> None:
    _settings(close_comments_for_old_posts=True, close_comments_days_old=14)
    Post.objects.filter(pk=post.pk).update(published_at=timezone.now() - timedelta(days=15))
    post.refresh_from_db()
    assert rejected(post).code == "closed"
    Post.objects.filter(pk=post.pk).update(published_at=timezone.now() - timedelta(days=13))
    post.refresh_from_db()
    assert submit(post).pk


def test_comments_on_drafts_are_refused(author: Any) -> None:
    draft = PostFactory(status=Post.Status.DRAFT, published_at=None, authors=[author])
    assert rejected(draft).code == "closed"


def test_only_registered_users_may_comment_when_required(post: Post) -> None:
    _settings(comment_registration=True)
    error = rejected(post)
    assert (error.status, error.message) == (403, "Sorry, you must be logged in to comment.")
    assert submit(post, Commenter(user=AuthorFactory(username="reader", is_staff=False))).pk


@pytest.mark.parametrize(
    ("name", "email", "field"), [("", "ada@example.org", "author"), ("Ada", "", "email")]
)
def test_name_and_email_are_required(post: Post, name: str, email: str, field: str) -> None:
    error = rejected(post, Commenter(name=name, email=email))
    assert (error.field, error.message) == (field, "Please fill the required fields.")


def test_name_and_email_may_be_optional(post: Post) -> None:
    _settings(require_name_email=False)
    comment = submit(post, Commenter())
    assert comment.display_name == "Anonymous"


def test_an_invalid_email_is_refused(post: Post) -> None:
    error = rejected(post, Commenter(name="Ada", email="not-an-address"))
    assert (error.field, error.message) == ("email", "Please enter a valid email address.")


@pytest.mark.parametrize("body", ["", "   \n\t  "])
def test_an_empty_comment_is_refused(post: Post, body: str) -> None:
    error = rejected(post, body=body)
    assert (error.field, error.message) == ("comment", "Please type your comment text.")


@pytest.mark.parametrize(
    ("commenter", "body", "field", "message"),
    [
        (
            Commenter(name="A" * 246, email="a@example.org"),
            "Hi",
            "author",
            "Your name is too long.",
        ),
        (
            Commenter(name="A", email="a" * 90 + "@example.org"),
            "Hi",
            "email",
            "Your email address is too long.",
        ),
        (
            Commenter(name="A", email="a@example.org", url="https://example.org/" + "x" * 190),
            "Hi",
            "url",
            "Your URL is too long.",
        ),
        (
            Commenter(name="A", email="a@example.org"),
            "x" * 65_526,
            "comment",
            "Your comment is too long.",
        ),
    ],
)
def test_field_limits_are_wordpress_column_sizes(
    post: Post, commenter: Commenter, body: str, field: str, message: str
) -> None:
    error = rejected(post, commenter, body)
    assert (error.field, error.message) == (field, message)


def test_the_limits_themselves_are_accepted(post: Post) -> None:
    _settings(comment_previously_approved=False)
    commenter = Commenter(
        name="A" * 245, email="a" * 88 + "@example.org", url="https://example.org/" + "x" * 180
    )
    assert submit(post, commenter, "x" * 65_525).pk


def test_a_duplicate_comment_is_refused(post: Post) -> None:
    submit(post)
    error = rejected(post, ip_address="198.51.100.1", seconds_on_page=60)
    assert (error.status, error.message) == (
        409,
        "Duplicate comment detected; it looks as though you’ve already said that!",
    )


def test_a_duplicate_from_the_same_address_in_another_case_is_refused(post: Post) -> None:
    submit(post)
    shouting = Commenter(name=GUEST.name, email=GUEST.email.upper())
    assert rejected(post, shouting, ip_address="198.51.100.1", seconds_on_page=60).status == 409


def test_a_duplicate_reply_is_refused_and_the_same_words_from_another_account_are_not(
    post: Post,
) -> None:
    parent = approved_comment(post)
    first, second = AuthorFactory(username="first"), AuthorFactory(username="second")
    submit(post, Commenter(user=first), parent_id=parent.pk)
    error = rejected(post, Commenter(user=first), parent_id=parent.pk, ip_address="198.51.100.3")
    assert error.status == 409
    assert submit(post, Commenter(user=second), parent_id=parent.pk, ip_address="198.51.100.4").pk


def test_words_once_trashed_may_be_said_again(post: Post) -> None:
    earlier = timezone.now() - timedelta(seconds=16)  # not a flood either
    Comment.objects.filter(pk=submit(post).pk).update(
        status=Comment.Status.TRASH, created_at=earlier
    )
    assert submit(post).pk


def test_the_same_words_elsewhere_are_not_duplicates(post: Post) -> None:
    parent = approved_comment(post)
    submit(post)
    assert submit(post, guest(2), parent_id=parent.pk, ip_address="198.51.100.2").pk


@pytest.mark.parametrize(
    "second",
    [
        {
            "commenter": Commenter(name="Other", email="other@example.org"),
            "ip_address": "203.0.113.7",
        },  # same IP
        {
            "commenter": Commenter(name="Ada again", email="ada@example.org"),
            "ip_address": "198.51.100.9",
        },  # same email
        {
            "commenter": Commenter(name="Ada again", email="ADA@Example.org"),
            "ip_address": "198.51.100.9",
        },  # same email, in another case
    ],
)
def test_flooding_is_refused_with_429(post: Post, second: dict[str, Any]) -> None:
    submit(post)
    error = rejected(post, body="Another thought.", **second)
    assert (error.status, error.message) == (
        429,
        "You are posting comments too quickly. Slow down.",
    )


def test_flooding_is_allowed_after_fifteen_seconds(post: Post) -> None:
    first = submit(post)
    Comment.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(seconds=16))
    assert submit(post, body="Another thought.").pk


def test_moderators_are_exempt_from_the_flood_check(post: Post) -> None:
    moderator = Commenter(user=AuthorFactory(username="mod"), is_moderator=True)
    submit(post, moderator)
    assert submit(post, moderator, body="And another.").status == Comment.Status.APPROVED


# --- what is held, approved, trashed or spammed --------------------------------------------


def test_a_first_time_guest_is_held_when_previously_approved_is_on(post: Post) -> None:
    comment = submit(post)
    assert comment.status == Comment.Status.PENDING
    assert "First comment" in comment.moderation_reason


def test_a_previously_approved_guest_is_approved(post: Post) -> None:
    approved_comment(post, name="Ada Reader", author_email="ada@example.org")
    assert submit(post).status == Comment.Status.APPROVED


def test_a_previously_approved_address_counts_in_any_case(post: Post) -> None:
    approved_comment(post, name="Ada Reader", author_email="Ada@Example.ORG")
    assert submit(post).status == Comment.Status.APPROVED


@pytest.mark.parametrize(
    "earlier",
    [
        {"status": Comment.Status.PENDING},
        {"status": Comment.Status.SPAM},
        {"removed": True},
        {"name": "Someone Else"},  # the same address under another name, as WordPress asks
    ],
)
def test_only_an_approved_comment_under_the_same_name_counts_as_previously_approved(
    post: Post, earlier: dict[str, Any]
) -> None:
    approved_comment(post, **{"name": "Ada Reader", "author_email": "ada@example.org", **earlier})
    assert submit(post).status == Comment.Status.PENDING


def test_an_account_with_an_approved_comment_is_approved(post: Post) -> None:
    reader = AuthorFactory(username="regular")
    approved_comment(post, user=reader)
    assert submit(post, Commenter(user=reader)).status == Comment.Status.APPROVED


def test_the_checks_of_a_guest_comment_find_their_rows_through_an_index(post: Post) -> None:
    """The previously-approved, duplicate and flood checks compare addresses in any case; on
    SQLite a scan here cost milliseconds per comment on a site with a few thousand comments."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if connection.vendor != "sqlite":
        pytest.skip("reads SQLite's query plans")
    with CaptureQueriesContext(connection) as queries:
        submit(post)
    checks = [q["sql"] for q in queries if "lower(author_email)" in q["sql"]]
    assert len(checks) == 2  # previously approved; duplicate and flood in one statement
    with connection.cursor() as cursor:
        for sql in checks:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
            uses = plan.count("comment_author_email_ci")
            assert uses == sql.count("lower(author_email)"), (sql, plan)


def test_previously_approved_off_approves_new_guests(post: Post) -> None:
    _settings(comment_previously_approved=False)
    assert submit(post).status == Comment.Status.APPROVED


def test_manual_approval_holds_everyone_but_moderators(post: Post, author: Any) -> None:
    _settings(comment_moderation=True)
    approved_comment(post, name="Ada Reader", author_email="ada@example.org")
    comment = submit(post)
    assert (
        comment.status == Comment.Status.PENDING and "manual approval" in comment.moderation_reason
    )
    assert (
        submit(
            post, Commenter(user=author), body="The author replies.", ip_address="198.51.100.10"
        ).status
        == Comment.Status.APPROVED
    )


def test_two_links_hold_a_comment(post: Post) -> None:
    _settings(comment_previously_approved=False)
    one = submit(post, body="See https://example.org/a for more.")
    assert one.status == Comment.Status.APPROVED
    two = submit(
        post,
        guest(2),
        body="See https://example.org/a and [this](https://example.org/b).",
        ip_address="198.51.100.3",
    )
    assert two.status == Comment.Status.PENDING
    assert two.moderation_reason == "Contains 2 links (comments with 2 or more are held)."


@pytest.mark.parametrize(
    ("where", "commenter", "body", "ip"),
    [
        ("body", GUEST, "Buy CHEAPPILLS now", "203.0.113.7"),
        ("name", Commenter(name="cheappills fan", email="x@example.org"), "Hello", "203.0.113.7"),
        ("email", Commenter(name="X", email="x@cheappills.example"), "Hello", "203.0.113.7"),
        (
            "url",
            Commenter(name="X", email="x@example.org", url="https://cheappills.example"),
            "Hello",
            "203.0.113.7",
        ),
        ("ip", GUEST, "Hello", "192.0.2.66"),
    ],
)
def test_a_moderation_word_anywhere_holds_the_comment(
    post: Post, where: str, commenter: Commenter, body: str, ip: str
) -> None:
    _settings(comment_previously_approved=False, moderation_keys="cheappills\n192.0.2.66")
    comment = submit(post, commenter, body, ip_address=ip)
    assert comment.status == Comment.Status.PENDING, where
    assert "moderation word" in comment.moderation_reason


def test_a_moderation_word_matches_inside_words_and_the_user_agent(post: Post) -> None:
    _settings(comment_previously_approved=False, moderation_keys="press")
    assert submit(post, body="I use WordPress.").status == Comment.Status.PENDING
    assert (
        submit(
            post,
            guest(2),
            body="Plain words.",
            user_agent="EvilPressBot/1.0",
            ip_address="198.51.100.4",
        ).status
        == Comment.Status.PENDING
    )


def test_a_disallowed_word_sends_the_comment_to_trash(post: Post) -> None:
    _settings(comment_previously_approved=False, disallowed_keys="casino")
    comment = submit(post, body="Visit my Casino")
    assert comment.status == Comment.Status.TRASH
    assert comment.moderation_reason == "Contains the disallowed word “casino”."


def test_the_honeypot_sends_robots_to_spam(post: Post) -> None:
    _settings(comment_previously_approved=False)
    comment = submit(post, honeypot="http://spam.example")
    assert comment.status == Comment.Status.SPAM and "hidden field" in comment.moderation_reason


def test_posting_too_soon_after_the_page_was_shown_is_spam(post: Post) -> None:
    _settings(comment_previously_approved=False, minimum_seconds_on_page=3)
    assert submit(post, seconds_on_page=0.4).status == Comment.Status.SPAM
    assert (
        submit(
            post, guest(2), body="Took my time.", seconds_on_page=3.5, ip_address="198.51.100.5"
        ).status
        == Comment.Status.APPROVED
    )


def test_post_authors_and_moderators_are_approved_at_once(post: Post, author: Any) -> None:
    _settings(comment_moderation=True, moderation_keys="reply")
    assert submit(post, Commenter(user=author), body="My reply").status == Comment.Status.APPROVED


# --- threading and counts ------------------------------------------------------------------


def test_a_top_level_comment_is_its_own_thread_however_it_is_written(post: Post) -> None:
    """The database sets it as it writes the row (decision 0134): the form's comment, a row
    written through the ORM, rows written in bulk (the importers)."""
    _settings(comment_previously_approved=False)
    submitted = submit(post)
    created = Comment.objects.create(post=post, author_name="Orm", body="Made.", body_html="")
    bulk = Comment.objects.bulk_create(
        [Comment(post=post, author_name=f"Bulk {n}", body="Many.", body_html="") for n in range(3)]
    )
    reply = Comment.objects.create(post=post, parent=created, thread=created, depth=1, body="Re.")
    stored = dict(Comment.objects.values_list("pk", "thread_id"))
    for comment in (submitted, created, *bulk):
        assert stored[comment.pk] == comment.pk
    assert submitted.thread_id == submitted.pk  # the object knows it too
    assert stored[reply.pk] == created.pk


def test_replies_nest_and_belong_to_their_thread(post: Post) -> None:
    _settings(comment_previously_approved=False)
    top = approved_comment(post)
    reply = submit(post, parent_id=top.pk)
    deeper = submit(post, guest(2), body="Deeper.", parent_id=reply.pk, ip_address="198.51.100.6")
    assert (reply.depth, deeper.depth) == (1, 2)
    assert reply.thread_id == deeper.thread_id == top.pk


def test_at_the_deepest_level_a_reply_joins_that_level(post: Post) -> None:
    _settings(comment_previously_approved=False, thread_comments_depth=3)
    level0 = approved_comment(post)
    level1 = approved_comment(post, parent=level0)
    level2 = approved_comment(post, parent=level1)
    reply = submit(post, parent_id=level2.pk)
    assert reply.depth == 2 and reply.parent_id == level1.pk


def test_threading_off_makes_every_comment_top_level(post: Post) -> None:
    _settings(comment_previously_approved=False, thread_comments=False)
    top = approved_comment(post)
    assert submit(post, parent_id=top.pk).depth == 0


def test_the_approved_count_is_kept_in_the_post_row(post: Post) -> None:
    _settings(comment_previously_approved=False)
    submit(post)
    submit(
        post,
        body="Second.",
        ip_address="198.51.100.7",
        commenter=Commenter(name="B", email="b@example.org"),
    )
    _settings(comment_moderation=True)
    submit(
        post,
        body="Held.",
        ip_address="198.51.100.8",
        commenter=Commenter(name="C", email="c@example.org"),
    )
    post.refresh_from_db()
    assert post.comment_count == 2


def test_an_account_comment_uses_the_account_details(post: Post) -> None:
    reader = AuthorFactory(
        username="reader",
        is_staff=False,
        email="reader@example.org",
        profile__display_name="Rea Der",
    )
    comment = submit(post, Commenter(user=reader, name="Forged", email="forged@example.org"))
    assert (comment.author_name, comment.author_email, comment.user_id) == (
        "Rea Der",
        "reader@example.org",
        reader.pk,
    )


def test_the_body_is_rendered_once_to_safe_html(post: Post) -> None:
    _settings(comment_previously_approved=False)
    comment = submit(post, body="Hi <script>alert(1)</script> see https://example.org and *this*")
    assert "<script" not in comment.body_html
    assert (
        '<a href="https://example.org" rel="nofollow ugc noopener">https://example.org</a>'
        in comment.body_html
    )
    assert "<em>this</em>" in comment.body_html


def test_nul_characters_are_dropped_before_storing(post: Post) -> None:
    _settings(comment_previously_approved=False)
    comment = submit(
        post, Commenter(name="A\x00da", email="ada@example.org"), body="Hello\x00 there"
    )
    comment.refresh_from_db()
    assert (comment.author_name, comment.body) == ("Ada", "Hello there")
