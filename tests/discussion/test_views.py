"""The comment form over HTTP, with JavaScript off (POST + redirect) and on (fetch + JSON)."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from broadsheet.discussion.cookies import PENDING_COOKIE
from broadsheet.discussion.forms import shown_at_token
from broadsheet.discussion.models import Comment, DiscussionSettings
from broadsheet.publishing.models import Post
from tests.factories import AuthorFactory, PostFactory, approved_comment

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(author: Any) -> Post:
    return PostFactory(title="Lamps and Ledgers", authors=[author])


def _form(post: Post, **fields: Any) -> dict[str, Any]:
    data = {
        "comment": "A thoughtful reply.", "author": "Ada Reader", "email": "ada@example.org", "url": "",
        "post_id": post.pk, "parent_id": "0", "shown_at": shown_at_token(), "hp": "",
    }  # fmt: skip
    data.update(fields)
    return data


@pytest.fixture(autouse=True)
def _readers_take_their_time(settings: Any) -> None:
    current = DiscussionSettings.current()
    current.minimum_seconds_on_page = 0
    current.save()


def test_the_form_shows_wordpress_words(client: Client, post: Post) -> None:
    html = client.get(post.get_absolute_url()).content.decode()
    for words in [
        ">Leave a Reply<", "Your email address will not be published.", "Required fields are marked",
        "Save my name, email, and website in this browser for the next time I comment.", ">Post Comment</button>",
        'name="comment"', 'name="author"', 'name="email"', 'name="url"',
    ]:  # fmt: skip
        assert words in html, words
    assert "csrfmiddlewaretoken" not in html  # the same bytes for every anonymous reader


def test_the_page_is_the_same_for_every_anonymous_reader_but_the_form_timestamp(
    client: Client, post: Post
) -> None:
    first = client.get(post.get_absolute_url()).content.decode()
    second = Client().get(post.get_absolute_url()).content.decode()
    strip = re.compile(r'name="shown_at" value="[^"]*"')
    assert strip.sub("", first) == strip.sub("", second)


def test_guest_comment_without_javascript_redirects_to_the_comment_and_shows_it_pending(
    client: Client, post: Post
) -> None:
    response = client.post("/comments/post/", _form(post, cookies_consent="on"))
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{post.get_absolute_url()}#comment-{comment.pk}"
    assert comment.status == Comment.Status.PENDING
    assert "comment_author" in response.cookies and PENDING_COOKIE in response.cookies
    page = client.get(post.get_absolute_url())
    html = page.content.decode()
    assert f'id="comment-{comment.pk}"' in html and "Your comment is awaiting moderation." in html
    assert "private" in page["Cache-Control"]  # personal page: never in a shared cache
    other = Client().get(post.get_absolute_url()).content.decode()
    assert f'id="comment-{comment.pk}"' not in other and "awaiting moderation" not in other


def test_without_consent_no_details_are_saved(client: Client, post: Post) -> None:
    response = client.post("/comments/post/", _form(post))
    assert "comment_author" not in response.cookies


def test_an_approved_comment_is_public_and_counted(client: Client, post: Post) -> None:
    approved_comment(post, name="Ada Reader", author_email="ada@example.org")
    client.post("/comments/post/", _form(post, comment="Second thoughts."))
    html = Client().get(post.get_absolute_url()).content.decode()
    assert "2 thoughts on “Lamps and Ledgers”" in html
    assert "Second thoughts." in html
    home = Client().get("/").content.decode()
    assert "2 Comments" in home


def test_one_thought(client: Client, post: Post) -> None:
    approved_comment(post)
    assert (
        "One thought on “Lamps and Ledgers”" in client.get(post.get_absolute_url()).content.decode()
    )


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "data:text/html,x", "https://<b>x</b>/", "ftp://files.example"]
)
def test_a_website_that_is_not_a_web_address_is_refused_next_to_its_field(
    client: Client, post: Post, url: str
) -> None:
    # The check every imported address passes too (core.webaddress); "javascript:alert(1)"
    # used to be stored as "https://javascript:alert(1)".
    response = client.post("/comments/post/", _form(post, url=url))
    assert response.status_code == 400
    assert 'id="id_url_error">Please enter a web address starting with https://.' in (
        response.content.decode()
    )
    assert not Comment.objects.exists()


def test_errors_come_back_next_to_the_field_with_the_text_kept(client: Client, post: Post) -> None:
    text = "My <em>careful</em> reply, with “quotes” & ampersands.\nSecond line."
    response = client.post("/comments/post/", _form(post, comment=text, email="not-an-address"))
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_email_error">Please enter a valid email address.</span>' in html
    row = html[html.index('<p class="comment-form-email has-error">') :]
    row = row[: row.index("</p>")]
    assert '<label for="id_email">Email <span class="required"' in row
    assert 'aria-invalid="true"' in row and 'value="not-an-address"' in row
    assert '<p class="comment-form-author">' in html  # the others are not marked
    assert (
        "My &lt;em&gt;careful&lt;/em&gt; reply, with “quotes” &amp; ampersands.\nSecond line."
        in html
    )
    assert 'value="Ada Reader"' in html
    assert not Comment.objects.exists()


def test_closed_comments_are_refused_with_403_and_a_sentence(client: Client, post: Post) -> None:
    Post.objects.filter(pk=post.pk).update(comments_open=False)
    response = client.post("/comments/post/", _form(post))
    assert response.status_code == 403
    assert "Sorry, comments are closed for this item." in response.content.decode()


def test_a_missing_post_is_refused_with_404(client: Client, post: Post) -> None:
    response = client.post("/comments/post/", _form(post, post_id=987654))
    assert response.status_code == 404
    assert "the post you are commenting on does not exist" in response.content.decode()


def test_flood_answers_429(client: Client, post: Post) -> None:
    client.post("/comments/post/", _form(post))
    response = client.post("/comments/post/", _form(post, comment="Again!"))
    assert response.status_code == 429
    assert "You are posting comments too quickly. Slow down." in response.content.decode()


def test_with_javascript_the_comment_comes_back_as_html_to_insert(
    client: Client, post: Post
) -> None:
    top = approved_comment(post, name="Bo Writer")
    response = client.post(
        "/comments/post/", _form(post, parent_id=top.pk), HTTP_X_REQUESTED_WITH="fetch"
    )
    assert response.status_code == 201
    result = json.loads(response.content)
    comment = Comment.objects.exclude(pk=top.pk).get()
    assert result["ok"] and result["id"] == comment.pk and result["parent"] == top.pk
    assert result["html"].startswith(
        f'<li id="comment-{comment.pk}" class="comment is-pending p-comment h-cite">'
    )
    assert "Your comment is awaiting moderation." in result["html"]
    assert PENDING_COOKIE in response.cookies


def test_with_javascript_errors_name_their_field(client: Client, post: Post) -> None:
    response = client.post(
        "/comments/post/", _form(post, comment=""), HTTP_X_REQUESTED_WITH="fetch"
    )
    assert response.status_code == 400
    assert json.loads(response.content) == {
        "ok": False,
        "message": "Please type your comment text.",
        "field": "comment",
    }


def test_reply_without_javascript_shows_leave_a_reply_to(client: Client, post: Post) -> None:
    top = approved_comment(post, name="Ada Reader")
    html = client.get(f"{post.get_absolute_url()}?replytocom={top.pk}").content.decode()
    assert "Leave a Reply to Ada Reader" in html
    assert f'name="parent_id" value="{top.pk}"' in html
    assert 'id="cancel-comment-reply-link" href' in html and "hidden>Cancel reply" not in html


def test_a_cross_site_post_is_refused(client: Client, post: Post) -> None:
    response = client.post("/comments/post/", _form(post), HTTP_ORIGIN="https://evil.example")
    assert response.status_code == 403
    assert not Comment.objects.exists()


def test_a_signed_in_reader_needs_the_csrf_token(post: Post) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(AuthorFactory(username="reader", is_staff=False))
    refused = client.post("/comments/post/", _form(post))
    assert refused.status_code == 403
    page = client.get(post.get_absolute_url()).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token is not None and "You are commenting using your" in page
    accepted = client.post("/comments/post/", _form(post, csrfmiddlewaretoken=token.group(1)))
    assert accepted.status_code == 302


def test_comment_permalink_redirects_to_the_right_page(client: Client, post: Post) -> None:
    settings = DiscussionSettings.current()
    settings.page_comments, settings.comments_per_page, settings.default_comments_page = (
        True,
        2,
        "oldest",
    )
    settings.save()
    comments = [approved_comment(post, name=f"Reader {i}", body=f"Comment {i}.") for i in range(5)]
    response = client.get(f"/comment/{comments[3].pk}/")
    assert response.status_code == 302
    assert (
        response["Location"] == f"{post.get_absolute_url()}comment-page-2/#comment-{comments[3].pk}"
    )
    assert (
        client.get(f"/comment/{comments[0].pk}/")["Location"]
        == f"{post.get_absolute_url()}#comment-{comments[0].pk}"
    )
    page2 = client.get(f"{post.get_absolute_url()}comment-page-2/").content.decode()
    assert "Comment 2." in page2 and "Comment 3." in page2 and "Comment 0." not in page2
    assert "← Older comments" in page2 and "Newer comments →" in page2


def test_pending_comments_have_no_public_permalink(client: Client, post: Post) -> None:
    pending = approved_comment(post, status=Comment.Status.PENDING)
    assert client.get(f"/comment/{pending.pk}/").status_code == 404


def test_a_guests_held_comment_shows_a_neutral_avatar_not_the_typed_emails(
    client: Client, post: Post
) -> None:
    from broadsheet.core.identicon import identicon_key
    from broadsheet.discussion.rendering import HELD_AVATAR

    approved_comment(post, name="Vic Tim", author_email="vic@example.org")
    theirs = f"/identicon/{identicon_key('vic@example.org')}.svg"
    assert theirs in Client().get(post.get_absolute_url()).content.decode()  # public, beside it

    client.post("/comments/post/", _form(post, author="Guess", email="vic@example.org"))
    held = Comment.objects.get(author_name="Guess")
    assert held.status == Comment.Status.PENDING
    html = client.get(post.get_absolute_url()).content.decode()
    card = html[html.index(f'id="comment-{held.pk}"') :]
    card = card[: card.index("</article>")]
    assert theirs not in card and f"/static/{HELD_AVATAR}" in card

    Comment.objects.filter(pk=held.pk).update(created_at=held.created_at - timedelta(minutes=1))
    answer = client.post(
        "/comments/post/",
        _form(post, author="Guess", email="vic@example.org", comment="Again, by script."),
        HTTP_X_REQUESTED_WITH="fetch",
    )
    result = json.loads(answer.content)
    assert theirs not in result["html"] and f"/static/{HELD_AVATAR}" in result["html"]

    # Once approved, the comment shows the avatar of its email like any other.
    from broadsheet.moderation.services import comment_approve

    comment_approve(comment=held)
    public = Client().get(post.get_absolute_url()).content.decode()
    shown = public[public.index(f'id="comment-{held.pk}"') :]
    assert theirs in shown[: shown.index("</article>")]
