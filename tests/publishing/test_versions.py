"""Published versions at permanent addresses, the banner, history and changes (decision 0039)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from broadsheet.publishing.models import Post
from broadsheet.publishing.services import post_save
from tests.factories import PostFactory, role_member

pytestmark = pytest.mark.django_db

FIRST = "The harbour opened in 1820.\n\nIts ledgers survive.\n"
SECOND = "The harbour opened in 1822.\n\nIts ledgers survive.\n"
THIRD = "The harbour opened in 1822, after a storm.\n\nIts ledgers survive, <script>alert(1)</script>.\n"


@pytest.fixture
def essay() -> Post:
    post = PostFactory(title="On harbours", slug="on-harbours", body=FIRST)
    for body in (SECOND, THIRD):
        post.body = body
        post_save(post=post)
    return post


def _get(client: Client, url: str) -> Any:
    response = client.get(url)
    return response, response.content.decode()


def test_an_old_version_shows_its_text_with_a_banner(client: Client, essay: Post) -> None:
    base = essay.get_absolute_url()
    response, html = _get(client, f"{base}v/1/")
    assert response.status_code == 200
    assert "1820" in html and "1822" not in html.split("version-banner")[1].split("</aside>")[1]
    assert "You are reading version 1, published" in html
    assert f'<a href="{base}">Read the current version</a>' in html
    assert f'<a href="{base}v/1/changes/">See the changes since this version</a>' in html
    assert f'<a href="{base}v/">All versions</a>' in html
    assert '<meta name="robots" content="noindex, follow">' in html


def test_the_current_version_says_so(client: Client, essay: Post) -> None:
    _, html = _get(client, f"{essay.get_absolute_url()}v/3/")
    assert "This is version 3" in html and "the current text" in html
    assert "&lt;script&gt;" not in html or "<script>alert(1)" not in html
    assert "<script>alert(1)</script>" not in html


def test_unknown_versions_drafts_and_private_posts_have_none(client: Client, essay: Post) -> None:
    base = essay.get_absolute_url()
    assert client.get(f"{base}v/4/").status_code == 404
    assert client.get(f"{base}v/0/").status_code == 404
    draft = PostFactory(status=Post.Status.DRAFT, published_at=None, body="Secret draft.")
    assert client.get(f"/preview/{draft.pk}/v/1/").status_code == 404
    private = PostFactory(status=Post.Status.PRIVATE, slug="private-one", body="Private.")
    editor = role_member("Editor", "ed")
    client.force_login(editor)
    assert client.get(private.get_absolute_url()).status_code == 200  # the editor reads it
    assert client.get(f"{private.get_absolute_url()}v/1/").status_code == 404
    assert client.get(f"{private.get_absolute_url()}v/").status_code == 404


def test_draft_revisions_before_publishing_are_not_versions(client: Client) -> None:
    post = PostFactory(status=Post.Status.DRAFT, published_at=None, slug="drafted", body="Draft 1.")
    post.body = "Draft 2, with an unfinished thought."
    post_save(post=post)
    post.body, post.status = "Published text.", Post.Status.PUBLISHED
    post_save(post=post)
    base = post.get_absolute_url()
    _, html = _get(client, f"{base}v/1/")
    assert "Published text." in html and "unfinished" not in html
    assert client.get(f"{base}v/2/").status_code == 404


def test_the_history_lists_every_version_and_the_post_says_updated(
    client: Client, essay: Post
) -> None:
    base = essay.get_absolute_url()
    _, html = _get(client, f"{base}v/")
    assert [f'href="{base}v/{n}/"' in html for n in (1, 2, 3)] == [True] * 3
    assert f'href="{base}v/1/changes/"' in html and f'href="{base}v/3/changes/"' not in html
    _, page = _get(client, base)
    assert "Updated <time" in page and f'<a href="{base}v/">History of this essay</a>' in page
    once = PostFactory(slug="said-once")
    assert "Updated <time" not in _get(client, once.get_absolute_url())[1]


def test_changes_since_a_version_inline_and_side_by_side(client: Client, essay: Post) -> None:
    here = f"{essay.get_absolute_url()}v/1/changes/"
    _, html = _get(client, here)
    assert "<del>1820.\n\n</del><ins>1822, after a storm.\n\n</ins>" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html
    assert f'<a href="{here}?view=side">Side by side</a>' in html
    _, side = _get(client, f"{here}?view=side")
    assert '<table class="diff-side">' in side and "<td>The harbour opened in <del>" in side


def test_version_addresses_follow_a_changed_slug(client: Client, essay: Post) -> None:
    old = essay.get_absolute_url()
    essay.slug = "on-ports"
    post_save(post=essay)
    response = client.get(f"{old}v/1/")
    assert response.status_code == 301
    assert response["Location"] == f"{essay.get_absolute_url()}v/1/"


def test_pages_have_versions_under_their_path(client: Client) -> None:
    page = PostFactory(kind=Post.Kind.PAGE, slug="about", title="About", body="We began.")
    page.body = "We began in 2026."
    post_save(post=page)
    _, html = _get(client, "/about/v/1/")
    assert "We began." in html and "You are reading version 1" in html
    assert client.get("/about/v/").status_code == 200
    assert "<ins>began in 2026.</ins>" in _get(client, "/about/v/1/changes/")[1]
    assert client.get("/about/v/9/").status_code == 404
    assert "History of this page" in _get(client, "/about/")[1]


@pytest.mark.django_db(transaction=True)  # page versions are bumped after the commit
def test_cached_version_pages_change_with_the_post(
    client: Client, essay: Post, settings: Any
) -> None:
    settings.PAGE_CACHE = True
    base = essay.get_absolute_url()
    assert f'href="{base}v/4/"' not in _get(client, f"{base}v/")[1]
    assert client.get(f"{base}v/")["X-Page-Cache"] == "hit"
    essay.body = "A fourth text."
    post_save(post=essay)
    assert f'href="{base}v/4/"' in _get(client, f"{base}v/")[1]
    assert "A fourth text." in _get(client, f"{base}v/4/")[1]


def test_a_version_page_costs_a_fixed_number_of_queries(
    client: Client, essay: Post, django_assert_num_queries: Any
) -> None:
    base = essay.get_absolute_url()
    client.get(f"{base}v/1/")  # settings rows and the navigation cached
    # The post (permalink), its authors, categories, tags, references; the version.
    with django_assert_num_queries(6):
        assert client.get(f"{base}v/1/").status_code == 200


def test_a_version_shows_the_references_it_had(client: Client) -> None:
    book = {"kind": "book", "key": "marsh1998", "title": "Harbours of the North", "issued": "1998",
            "contributors": {"author": [{"family": "Marsh", "given": "Ada"}]}}  # fmt: skip
    post = PostFactory(slug="cited", body="As argued [@marsh1998].")
    post_save(post=post, references=[book])
    post.body = "As argued [@lee2001]."
    post_save(post=post, references=[{**book, "key": "lee2001", "title": "Tides <b>x</b>"}])
    base = post.get_absolute_url()
    _, old = _get(client, f"{base}v/2/")
    assert "Harbours of the North" in old and "Tides" not in old
    _, current = _get(client, f"{base}v/3/")
    assert "Tides &lt;b&gt;x&lt;/b&gt;" in current and "Harbours of the North" not in current


def test_hostile_version_numbers_are_404s(client: Client, essay: Post) -> None:
    base = essay.get_absolute_url()
    for number in ("99999999999999999999999", "2147483648", "00001"):
        assert client.get(f"{base}v/{number}/").status_code in (404, 200), number
        assert client.get(f"{base}v/{number}/changes/").status_code in (404, 200), number
    assert client.get(f"{base}v/99999999999999999999999/").status_code == 404
    assert client.get(f"{base}v/1/changes/?view=<script>").status_code == 200
    assert client.get("/no-such-page/v/3/").status_code == 404


def test_cite_this_essay_on_a_version_is_pinned_to_it(client: Client, essay: Post) -> None:
    base = essay.get_absolute_url()
    _, html = _get(client, f"{base}v/2/")
    assert "Cite this essay" in html
    assert (
        f"Version 2, {Post.objects.get(pk=essay.pk).revisions.get(version=2).created_at:%Y-%m-%d}"
        in html
    )
    assert f"http://testserver{base}v/2/" in html or f"{base}v/2/</a>: the text under it" in html
