"""What the endpoint and the worker refuse: malformed requests (400, in words), and sources
that would make the server fetch an inside address, a huge body or hostile markup."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from broadsheet.discussion.models import Comment
from broadsheet.publishing.models import Post
from broadsheet.webmention.models import Mention
from tests.factories import PostFactory
from tests.webmention.site import Page, Site, local_allowed, site
from tests.webmention.test_receive import reply_page, run_verifications, send, target_of

__all__ = ["local_allowed", "site"]

pytestmark = pytest.mark.django_db


@pytest.fixture
def essay() -> Post:
    return PostFactory(title="On harbours", slug="on-harbours")


def refused(client: Client, source: Any, target: Any) -> str:
    data = {name: value for name, value in (("source", source), ("target", target)) if value}
    response = client.post("/webmention/", data)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert not Mention.objects.exists()
    return response.content.decode()


def test_a_request_without_both_addresses_is_refused(client: Client, essay: Post) -> None:
    assert "both a source and a target" in refused(client, "https://a.example/", None)
    assert "both a source and a target" in refused(client, None, target_of(essay))


@pytest.mark.parametrize(
    "source",
    ["ftp://files.example.org/reply", "javascript:alert(1)", "file:///etc/passwd", "reply.html"],
)
def test_a_source_that_is_not_a_web_address_is_refused(
    client: Client, essay: Post, source: str
) -> None:
    assert "The source must be an http or https address." in refused(
        client, source, target_of(essay)
    )


def test_the_source_cannot_be_the_target(client: Client, essay: Post) -> None:
    assert "the same address" in refused(client, target_of(essay), target_of(essay) + "#here")


@pytest.mark.parametrize(
    "target",
    [
        "https://elsewhere.example.org/2026/01/01/on-harbours/",
        "http://testserver/",
        "http://testserver/2020/01/01/no-such-essay/",
        "http://testserver/about/",
    ],
)
def test_a_target_that_is_not_one_of_our_essays_is_refused(
    client: Client, essay: Post, target: str
) -> None:
    assert "not a page of this site" in refused(client, "https://a.example/reply", target)


def test_a_draft_is_not_a_target(client: Client) -> None:
    draft = PostFactory(status=Post.Status.DRAFT, slug="draft")
    assert "not a page of this site" in refused(client, "https://a.example/r", target_of(draft))


@pytest.mark.parametrize(
    "hostile",
    ["https://a.example/\x00reply", "https://a.example/" + "x" * 5000, "<script>alert(1)</script>"],
)
def test_hostile_values_are_refused_in_words_never_a_500(
    client: Client, essay: Post, hostile: str
) -> None:
    assert refused(client, hostile, target_of(essay)).strip()


def test_only_a_post_is_received(client: Client) -> None:
    assert client.get("/webmention/").status_code == 405


def verify(client: Client, essay: Post, source: str, capture: Any) -> Mention:
    assert send(client, source, target_of(essay), capture).status_code == 202
    run_verifications()
    return Mention.objects.get()


def test_a_source_on_a_local_address_is_not_fetched_without_the_tests_setting(
    client: Client, essay: Post, site: Site, django_capture_on_commit_callbacks: Any
) -> None:
    site.pages["/reply"] = Page(reply_page(target_of(essay)))
    mention = verify(client, essay, site.url("/reply"), django_capture_on_commit_callbacks)
    assert mention.status == Mention.Status.REFUSED
    assert "127.0.0.1, a private or local address" in mention.reason
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    "inside",
    ["http://127.0.0.1:9/reply", "http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/"],
)
def test_a_source_that_redirects_inside_is_refused(
    client: Client, essay: Post, site: Site, settings: Any, inside: str,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    """The redirect is checked as the first address was: with the tests' setting on only the
    loopback server itself is let through, and with it off not even that."""
    settings.WEBMENTION_ALLOW_PRIVATE = "127.0.0.1" not in inside
    site.pages["/reply"] = Page(status=302, headers=[("Location", inside)])
    mention = verify(client, essay, site.url("/reply"), django_capture_on_commit_callbacks)
    assert mention.status == Mention.Status.REFUSED
    assert "a private or local address" in mention.reason
    assert not Comment.objects.exists()


@pytest.mark.parametrize("path", ["/endless", "/declared"])
def test_a_source_of_fifty_megabytes_is_refused(
    client: Client, essay: Post, site: Site, local_allowed: None, path: str,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    # Its Content-Length says it is too large: refused before a byte of the body is read.
    site.pages["/declared"] = Page(reply_page(target_of(essay)) + " " * (1024 * 1024 + 1))
    mention = verify(client, essay, site.url(path), django_capture_on_commit_callbacks)
    assert mention.status == Mention.Status.REFUSED
    assert "larger than 1 MB (WEBMENTION_MAX_KB)" in mention.reason


def test_a_source_that_does_not_link_to_the_target_is_refused(
    client: Client, essay: Post, site: Site, local_allowed: None,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    site.pages["/reply"] = Page("<p>About <a href='https://example.org/'>something else</a>.</p>")
    mention = verify(client, essay, site.url("/reply"), django_capture_on_commit_callbacks)
    assert (mention.status, mention.reason) == (
        Mention.Status.REFUSED,
        "The source does not link to the target.",
    )


def test_hostile_microformats_are_kept_as_harmless_text(
    client: Client, essay: Post, site: Site, local_allowed: None,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    hostile = (
        '<script>alert(1)</script><img src=x onerror="alert(2)">'
        '<a href="javascript:alert(3)">click</a><p style="position:fixed">Words\x00.</p>'
        + "<p>" + "long " * 40_000 + "</p>"
    )  # fmt: skip
    page = reply_page(target_of(essay), hostile).replace(
        "https://ada.example.org/", "javascript:alert(4)"
    )
    site.pages["/reply"] = Page(page)
    mention = verify(client, essay, site.url("/reply"), django_capture_on_commit_callbacks)
    comment = Comment.objects.get()
    for bad in ("<script", "onerror", "javascript:", "style=", "\x00"):
        assert bad not in comment.body_html and bad not in comment.author_url
    assert "Words" in comment.body_html
    assert len(comment.body) <= 10_000
    assert mention.author_photo == ""  # it named javascript:, not a web address
