"""The post a comment is posted to is read lean (only what writing a comment needs): drafts and
private posts stay out of reach, pages are returned to at their address, and a refused comment
shows the whole page again."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from broadsheet.discussion.models import Comment
from broadsheet.publishing.models import Post
from tests.discussion.test_views import _form
from tests.factories import (
    READERS,
    PostFactory,
    TagFactory,
    approved_comment,
    reader_of,
    role_member,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _readers_take_their_time() -> None:
    from broadsheet.discussion.models import DiscussionSettings

    current = DiscussionSettings.current()
    current.minimum_seconds_on_page = 0
    current.save()


@pytest.mark.parametrize("status", [Post.Status.DRAFT, Post.Status.PRIVATE])
def test_posts_a_reader_may_not_see_take_no_comment(
    client: Client, author: Any, status: str
) -> None:
    hidden = PostFactory(title="Not for readers", status=status, authors=[author])
    response = client.post("/comments/post/", _form(hidden))
    assert response.status_code == 404
    assert "the post you are commenting on does not exist" in response.content.decode()
    assert not Comment.objects.exists()


def test_an_editor_sees_a_private_post_but_its_comments_are_closed(
    client: Client, author: Any
) -> None:
    private = PostFactory(title="Staff only", status=Post.Status.PRIVATE, authors=[author])
    client.force_login(role_member("Editor", "ed"))
    response = client.post("/comments/post/", _form(private), headers={"X-Requested-With": "fetch"})
    assert response.status_code == 403 and response.json()["message"].endswith(
        "closed for this item."
    )


def test_a_comment_on_a_page_goes_back_to_the_pages_address(client: Client, author: Any) -> None:
    about = PostFactory(title="About", slug="about", kind=Post.Kind.PAGE, authors=[author])
    team = PostFactory(
        title="Team", slug="team", kind=Post.Kind.PAGE, parent=about, authors=[author]
    )
    response = client.post("/comments/post/", _form(team))
    comment = Comment.objects.get(post=team)
    assert response.status_code == 302
    assert response["Location"] == f"{team.get_absolute_url()}#comment-{comment.pk}"
    assert response["Location"].endswith(f"/about/team/#comment-{comment.pk}")


def test_a_refused_comment_shows_the_whole_page_again(client: Client, author: Any) -> None:
    essay = PostFactory(
        title="Lamps and Ledgers", tags=[TagFactory(name="lighthouses")], authors=[author]
    )
    approved_comment(essay, name="Ada Reader", body="A thoughtful reply.")
    response = client.post("/comments/post/", _form(essay))  # the same words again
    assert response.status_code == 409
    html = response.content.decode()
    assert "Duplicate comment detected" in html
    assert "Lamps and Ledgers" in html and author.display_name in html and "lighthouses" in html
    assert "A paragraph with a note." in html  # the body, which the lean read leaves out


@pytest.mark.parametrize("status", list(Post.Status))
@pytest.mark.parametrize("when", ["never", "past", "future"])
@pytest.mark.parametrize("reader_kind", READERS)
def test_the_written_out_lookup_follows_the_same_rule_as_visible(
    author: Any, status: str, when: str, reader_kind: str
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from broadsheet.publishing.selectors import post_for_comment_submit

    post = PostFactory(status=status, authors=[author])
    published = {"never": None, "past": timezone.now() - timedelta(days=1),
                 "future": timezone.now() + timedelta(days=1)}[when]  # fmt: skip
    Post.objects.filter(pk=post.pk).update(published_at=published)
    reader = reader_of(author, reader_kind)
    expected = Post.objects.visible(reader).filter(pk=post.pk).exists()
    found = post_for_comment_submit(pk=post.pk, user=reader)
    assert (found is not None) == expected
    if found is not None:
        assert (found.pk, found.title, found.published_at) == (post.pk, post.title, published)
