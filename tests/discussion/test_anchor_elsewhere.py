"""A response to a passage carries its quote wherever the comment is shown apart from the
thread: the moderation queue, the emails, the comment feeds, the post's JSON-LD and its
microformats (in-reply-to: the passage's address with its text fragment), and the comment's
edit page. A reply carries the
passage its thread began with. None of them costs a query per comment."""

from __future__ import annotations

import json
import re
from typing import Any

import mf2py
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from broadsheet.accounts.models import User
from broadsheet.discussion.models import Anchor, Comment
from broadsheet.notifications.models import OutgoingEmail
from broadsheet.notifications.services import notify_comment
from broadsheet.publishing.models import Post
from tests.factories import PostFactory, anchored_comment, approved_comment

pytestmark = pytest.mark.django_db

BODY = "The harbour was built in 1820.\n\nNobody kept the accounts, so we guess.\n"
QUOTE = "Nobody kept the accounts"


@pytest.fixture
def post(author: Any) -> Post:
    author.email = "margaret@example.org"
    author.save()
    return PostFactory(title="Lamps", body=BODY, authors=[author])


def _fragment(post: Post, comment: Comment) -> str:
    anchor = Anchor.objects.get(pk=comment.pk)
    return f"{post.get_absolute_url()}#{anchor.passage}:~:text=Nobody%20kept%20the%20accounts"


def test_the_moderation_queue_shows_the_passage_of_a_comment_and_of_a_reply(
    client: Client, post: Post
) -> None:
    client.force_login(User.objects.create_superuser("ed", "ed@example.org", "pw"))
    comment = anchored_comment(post, QUOTE, body="First!", status=Comment.Status.PENDING)
    reply = approved_comment(post, parent=comment, body="A reply.")
    plain = approved_comment(post, body="No passage.")
    html = client.get("/moderation/").content.decode()

    def row(c: Comment) -> str:
        start = html.index(f'id="mod-comment-{c.pk}"')
        return html[start : html.index("</li>", start)]

    quote = f'On the passage <a href="{_fragment(post, comment)}">“{QUOTE}”</a>'
    assert quote in row(comment) and quote in row(reply)
    assert "On the passage" not in row(plain)


def test_the_comment_edit_page_shows_the_passage_as_the_queue_does(
    client: Client, post: Post
) -> None:
    client.force_login(User.objects.create_superuser("ed", "ed@example.org", "pw"))
    comment = anchored_comment(post, QUOTE, body="First!", status=Comment.Status.PENDING)
    reply = approved_comment(post, parent=comment, body="A reply.")
    plain = approved_comment(post, body="No passage.")
    quote = f'On the passage <a href="{_fragment(post, comment)}">“{QUOTE}”</a>'
    for c in (comment, reply):
        assert quote in client.get(f"/moderation/{c.pk}/edit/").content.decode()
    assert "On the passage" not in client.get(f"/moderation/{plain.pk}/edit/").content.decode()


def test_the_queue_costs_the_same_queries_with_anchored_comments_and_replies(
    client: Client, post: Post
) -> None:
    client.force_login(User.objects.create_superuser("ed", "ed@example.org", "pw"))

    def queries(n: int) -> int:
        Comment.objects.all().delete()
        for i in range(n):
            top = anchored_comment(post, QUOTE, body=f"c{i}", status=Comment.Status.PENDING)
            approved_comment(post, parent=top, body=f"r{i}")
        client.get("/moderation/")
        with CaptureQueriesContext(connection) as captured:
            client.get("/moderation/")
        return len(captured)

    assert queries(2) == queries(10)


def test_emails_about_a_response_quote_the_passage(post: Post) -> None:
    comment = anchored_comment(post, QUOTE, body="Did nobody?", name="Ada Reader")
    notify_comment(comment_id=comment.pk)
    email = OutgoingEmail.objects.get(to_address="margaret@example.org")
    fragment = _fragment(post, comment)
    assert re.search(
        rf"On the passage: “{QUOTE}”\nhttps?://[^/\s]+{re.escape(fragment)}\n\nDid nobody\?",
        email.text_body,
    )
    assert re.search(r'On the passage <a href="[^"]+:~:text=Nobody%20kept[^"]*"', email.html_body)
    assert f"“{QUOTE}”" in email.html_body


def test_a_held_response_tells_the_moderators_its_passage(post: Post) -> None:
    User.objects.create_superuser("ed", "ed@example.org", "pw")
    held = anchored_comment(post, QUOTE, body="Held one.", status=Comment.Status.PENDING)
    notify_comment(comment_id=held.pk)
    email = OutgoingEmail.objects.get(to_address="ed@example.org")
    assert f"On the passage: “{QUOTE}”" in email.text_body


def test_a_reply_email_quotes_the_passage_its_thread_is_about(post: Post) -> None:
    comment = anchored_comment(post, QUOTE, body="Did nobody?")
    reply = approved_comment(post, parent=comment, body="Somebody did.")
    notify_comment(comment_id=reply.pk)
    email = OutgoingEmail.objects.get(to_address="margaret@example.org")
    assert f"On the passage: “{QUOTE}”" in email.text_body
    Anchor.objects.filter(pk=comment.pk).update(state=Anchor.State.ORPHANED)
    OutgoingEmail.objects.all().delete()
    notify_comment(comment_id=reply.pk)
    assert "(since removed from the essay)" in OutgoingEmail.objects.get().text_body


def test_a_script_in_a_quote_stays_text_in_the_emails(post: Post) -> None:
    comment = anchored_comment(post, QUOTE)
    Anchor.objects.filter(pk=comment.pk).update(exact="<script>alert(1)</script>")
    notify_comment(comment_id=comment.pk)
    email = OutgoingEmail.objects.get(to_address="margaret@example.org")
    assert "<script>" not in email.html_body and "&lt;script&gt;" in email.html_body


def test_comment_feeds_open_a_response_with_its_passage(
    client: Client, post: Post, settings: Any
) -> None:
    settings.SITE_URL = "https://essays.example.org"
    comment = anchored_comment(post, QUOTE, body="Did nobody?")
    reply = approved_comment(post, parent=comment, body="Somebody did.")
    approved_comment(post, body="No passage.")
    for url in ("/comments/feed/", f"{post.get_absolute_url()}feed/"):
        feed = client.get(url).content.decode()
        link = f"https://essays.example.org{_fragment(post, comment)}"
        quote = f'On the passage &lt;a href="{link}"&gt;“{QUOTE}”&lt;/a&gt;'
        assert feed.count(quote) == 2, url  # the comment and the reply
        assert "&lt;p&gt;No passage.&lt;/p&gt;</description>" in feed  # as it was
    assert reply.pk


def test_the_comment_feed_costs_the_same_queries_with_anchored_comments(
    client: Client, post: Post
) -> None:
    def queries(n: int) -> int:
        Comment.objects.all().delete()
        for i in range(n):
            top = anchored_comment(post, QUOTE, body=f"c{i}")
            approved_comment(post, parent=top, body=f"r{i}")
        client.get("/comments/feed/")
        with CaptureQueriesContext(connection) as captured:
            client.get("/comments/feed/", HTTP_CACHE_CONTROL="no-cache")
        return len(captured)

    assert queries(2) == queries(8)


def _blog_posting(html: str) -> dict[str, Any]:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return next(b for b in map(json.loads, blocks) if b.get("@type") == "BlogPosting")


def test_json_ld_says_what_a_response_is_about(client: Client, post: Post, settings: Any) -> None:
    settings.SITE_URL = "https://essays.example.org"
    comment = anchored_comment(post, QUOTE, body="Did nobody?")
    approved_comment(post, body="No passage.")
    article = _blog_posting(client.get(post.get_absolute_url()).content.decode())
    about, plain = article["comment"]
    assert about["about"] == {
        "@type": "Quotation",
        "text": QUOTE,
        "url": f"https://essays.example.org{_fragment(post, comment)}",
    }
    assert "about" not in plain


def test_microformats_read_the_passage_as_what_the_comment_replies_to(
    client: Client, post: Post
) -> None:
    comment = anchored_comment(post, QUOTE, body="Did nobody?")
    html = client.get(post.get_absolute_url()).content.decode()
    parsed = mf2py.parse(doc=html, url=f"http://testserver{post.get_absolute_url()}")
    [entry] = [item for item in parsed["items"] if "h-entry" in item["type"]]
    [cite] = entry["properties"]["comment"]
    assert cite["properties"]["in-reply-to"] == [f"http://testserver{_fragment(post, comment)}"]


def test_a_script_in_a_quote_stays_text_in_the_json_ld_feeds_and_queue(
    client: Client, post: Post
) -> None:
    payload = "</script><script>alert(1)</script>"
    comment = anchored_comment(post, QUOTE)
    Anchor.objects.filter(pk=comment.pk).update(exact=payload, passage='p-"><b>x</b>')
    Comment.objects.filter(pk=comment.pk).update(card_key="")
    html = client.get(post.get_absolute_url()).content.decode()
    assert payload not in html and "<b>x</b>" not in html
    assert _blog_posting(html)["comment"][0]["about"]["text"] == payload
    feed = client.get("/comments/feed/").content.decode()
    # Text in the item's HTML, which the XML escapes again: never markup of either.
    assert "<script>" not in feed and "&lt;script&gt;" not in feed
    assert "&amp;lt;script&amp;gt;" in feed
    client.force_login(User.objects.create_superuser("ed", "ed@example.org", "pw"))
    queue = client.get("/moderation/").content.decode()
    assert payload not in queue and "&lt;/script&gt;&lt;script&gt;" in queue


def test_a_relocated_passage_changes_the_comment_feeds_validator(
    client: Client, post: Post
) -> None:
    # The relocation runs after the revision that changed the post: its own change must not be
    # answered with a 304 by a validator taken in between.
    comment = anchored_comment(post, QUOTE)
    urls = ("/comments/feed/", f"{post.get_absolute_url()}feed/")
    etags = {url: client.get(url)["ETag"] for url in urls}
    for url in urls:
        assert client.get(url, HTTP_IF_NONE_MATCH=etags[url]).status_code == 304
    Anchor.objects.filter(pk=comment.pk).update(state=Anchor.State.ORPHANED, located_version=2)
    for url in urls:
        answer = client.get(url, HTTP_IF_NONE_MATCH=etags[url])
        assert answer.status_code == 200
        assert "(since removed from the essay)&lt;/blockquote&gt;" in answer.content.decode()
