"""More than a hundred hostile inputs: each is refused clearly or stored as a harmless comment."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from broadsheet.discussion.forms import shown_at_token
from broadsheet.discussion.models import Comment, DiscussionSettings
from broadsheet.discussion.services import Commenter, CommentRejected, comment_submit
from broadsheet.publishing.models import Post
from tests.discussion.hostile import EMAILS, NAMES, SCRIPTS, URLS
from tests.factories import PostFactory, approved_comment
from tests.hostile_input import form_bodies
from tests.html_safety import assert_harmless

pytestmark = pytest.mark.django_db
_addresses = (f"198.51.{a}.{b}" for a, b in itertools.product(range(100), range(1, 250)))
ACCEPTED_OR_REFUSED = {201, 302, 400, 403, 404, 409, 429}


@pytest.fixture
def open_post(author: Any) -> Post:
    current = DiscussionSettings.current()
    current.comment_previously_approved = False
    current.minimum_seconds_on_page = 0
    current.comment_max_links = 0
    current.save()
    return PostFactory(title="Hostile ground", authors=[author])


def _post(client: Client, post: Post, n: int, **fields: Any) -> Any:
    data = {
        "comment": f"Comment {n}", "author": f"Reader {n}", "email": f"reader{n}@example.org", "url": "",
        "post_id": post.pk, "parent_id": "0", "shown_at": shown_at_token(), "hp": "",
    }  # fmt: skip
    data.update(fields)
    return client.post("/comments/post/", data, REMOTE_ADDR=next(_addresses))


CASES = (
    [{"comment": s} for s in SCRIPTS]
    + [{"author": s} for s in NAMES]
    + [{"url": s} for s in URLS]
    + [{"email": s} for s in EMAILS]
)


def test_there_are_more_than_a_hundred_hostile_inputs() -> None:
    assert len(CASES) >= 100


def test_hostile_inputs_are_refused_or_stored_harmlessly(client: Client, open_post: Post) -> None:
    outcomes = []
    for n, fields in enumerate(CASES):
        response = _post(client, open_post, n, **fields)
        assert response.status_code in ACCEPTED_OR_REFUSED, (fields, response.status_code)
        outcomes.append(response.status_code)
    assert outcomes.count(302) > 80  # most become (sanitized) comments
    for comment in Comment.objects.all():
        assert_harmless(comment.body_html)
    page = Client().get(open_post.get_absolute_url()).content.decode()
    discussion = page[page.index('<ol class="comment-list"') : page.index('id="respond"')]
    assert_harmless(discussion)
    assert "@example.org" not in page  # emails never appear in pages


@pytest.mark.parametrize(
    "parent",
    ["-1", "abc", "1e9", "999999999999999999999999", "0x10", "1; DROP TABLE x", "", " 1", "²"],
)
def test_forged_parent_ids_never_cause_a_server_error(
    client: Client, open_post: Post, parent: str
) -> None:
    assert _post(client, open_post, 1, parent_id=parent).status_code in ACCEPTED_OR_REFUSED


def test_a_parent_from_another_post_is_refused(
    client: Client, open_post: Post, author: Any
) -> None:
    foreign = approved_comment(PostFactory(authors=[author]))
    response = _post(client, open_post, 1, parent_id=str(foreign.pk))
    assert response.status_code == 400
    assert "The comment you are replying to does not exist." in response.content.decode()


@pytest.mark.parametrize(
    "post_id",
    ["", "0", "-5", "abc", "99999999", "1 OR 1=1", "99999999999999999999", "²", "9" * 5000],
)
def test_a_missing_post_is_refused(client: Client, open_post: Post, post_id: str) -> None:
    # A number past the id column's range reached a written-out read: OverflowError, a 500.
    assert _post(client, open_post, 1, post_id=post_id).status_code == 404


def test_a_huge_body_is_refused_and_the_text_kept(client: Client, open_post: Post) -> None:
    response = _post(client, open_post, 1, comment="word " * 14_000)
    assert response.status_code == 400
    assert "Your comment is too long." in response.content.decode()


def test_a_request_body_over_the_limit_is_refused_without_a_server_error(
    client: Client, open_post: Post
) -> None:
    response = _post(client, open_post, 1, comment="x" * 3_000_000)
    assert response.status_code == 400


class TestSubmissionProperties(HypothesisTestCase):
    """Whatever the fields, comment_submit accepts or refuses; it never fails otherwise, and the
    post's count always equals its approved comments."""

    @settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        body=st.text(max_size=400),
        name=st.text(max_size=60),
        email=st.one_of(st.emails(), st.text(max_size=40)),
        url=st.text(max_size=60),
        parent=st.one_of(st.none(), st.integers(min_value=-5, max_value=50)),
        honeypot=st.sampled_from(["", "", "", "x"]),
        seconds=st.floats(min_value=0, max_value=100, allow_nan=False),
    )
    def test_submission(
        self,
        body: str,
        name: str,
        email: str,
        url: str,
        parent: int | None,
        honeypot: str,
        seconds: float,
    ) -> None:
        from tests.factories import AuthorFactory

        post = PostFactory(authors=[AuthorFactory()])
        approved_comment(post)
        try:
            comment = comment_submit(
                post=post, commenter=Commenter(name=name, email=email, url=url), body=body, parent_id=parent,
                ip_address="203.0.113.9", honeypot=honeypot, seconds_on_page=seconds,
            )  # fmt: skip
        except CommentRejected as rejected:
            # A refusal is an accepted outcome here, so pytest.raises does not fit.
            assert rejected.status in {400, 403, 409, 429}  # noqa: PT017
            assert rejected.message  # noqa: PT017
        else:
            assert comment.body.strip() and len(comment.body.encode()) <= 65_525
            assert_harmless(comment.body_html)
        post.refresh_from_db()
        assert (
            post.comment_count
            == post.comments.filter(status=Comment.Status.APPROVED, removed=False).count()
        )


_fuzzed_addresses = (f"203.0.{a}.{b}" for a, b in itertools.product(range(256), range(1, 255)))


@given(data=st.data())
def test_any_comment_post_is_answered_without_a_server_error_and_a_refusal_stores_nothing(
    open_post: Post, data: st.DataObject
) -> None:
    """Arbitrary bytes, invalid UTF-8, repeated and missing fields, huge values, bodies that
    are no form at all: the answer is a comment or a refusal, never a 500, and a refusal
    leaves no comment, subscription or count behind."""
    from broadsheet.notifications.models import Subscription

    parent = approved_comment(open_post) if not open_post.comments.exists() else None
    parent_id = parent.pk if parent else open_post.comments.first().pk  # type: ignore[union-attr]
    good = {
        "comment": "A considered reply.", "author": "Ada", "email": "ada@example.org", "url": "",
        "post_id": str(open_post.pk), "parent_id": str(parent_id), "shown_at": shown_at_token(),
        "hp": "", "subscribe_comments": "1", "subscribe_posts": "1", "cookies_consent": "1",
    }  # fmt: skip
    body, content_type = data.draw(form_bodies(good))
    comments, subscriptions = Comment.objects.count(), Subscription.objects.count()

    response = Client().generic(
        "POST", "/comments/post/", body, content_type=content_type,
        REMOTE_ADDR=next(_fuzzed_addresses),
    )  # fmt: skip

    assert response.status_code < 500
    if response.status_code in (201, 302):
        assert Comment.objects.count() == comments + 1
    else:
        assert response.status_code in ACCEPTED_OR_REFUSED, response.status_code
        assert (Comment.objects.count(), Subscription.objects.count()) == (comments, subscriptions)
    open_post.refresh_from_db()
    approved = open_post.comments.filter(status=Comment.Status.APPROVED, removed=False).count()
    assert open_post.comment_count == approved


@pytest.mark.parametrize("post", ["²", "99999999999999999999", "-1", "x"])
def test_the_identity_box_for_a_post_that_is_no_number_is_not_found(
    client: Client, post: str
) -> None:
    # "²" passed str.isdigit() and then failed int(): a 500.
    assert client.get("/comments/identity/", {"post": post}).status_code == 404
