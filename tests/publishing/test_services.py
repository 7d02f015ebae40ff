from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from broadsheet.publishing.models import Post, PostRedirect
from broadsheet.publishing.services import post_save
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db


def test_saving_a_post_renders_its_body_footnotes_and_contents_once() -> None:
    post = PostFactory(
        body="Intro.\n\n## Section one\n\nText.[^1]\n\n## Section two\n\nMore.\n\n[^1]: Note."
    )
    post.refresh_from_db()
    assert '<h2 id="section-one">' in post.body_html
    assert '<li id="fn-1">' in post.footnotes_html
    assert [e["anchor"] for e in post.toc] == ["section-one", "section-two"]
    assert post.word_count == 7  # headings count as read words too


def test_excerpt_defaults_to_the_opening_paragraph_without_footnote_markers() -> None:
    post = PostFactory(
        body="The opening claim.[^1] Continued.\n\nSecond paragraph.\n\n[^1]: A note.", excerpt=""
    )
    assert post.excerpt_html == "<p>The opening claim. Continued.</p>"


def test_a_written_excerpt_is_used_as_given() -> None:
    post = PostFactory(excerpt="A *short* summary.")
    assert post.excerpt_html == "<p>A <em>short</em> summary.</p>\n"


def test_publishing_stamps_the_publication_date() -> None:
    post = PostFactory(status=Post.Status.DRAFT, published_at=None)
    assert post.published_at is None
    post.status = Post.Status.PUBLISHED
    post_save(post=post)
    assert post.published_at is not None


def test_changing_the_slug_keeps_the_old_address_redirecting() -> None:
    post = PostFactory(slug="first-name")
    old_url = post.get_absolute_url()
    post.slug = "second-name"
    post_save(post=post)
    assert PostRedirect.objects.get(old_path=old_url).post == post


def test_a_chain_of_renames_leads_every_old_address_to_the_current_one() -> None:
    post = PostFactory(slug="one")
    urls = [post.get_absolute_url()]
    for slug in ("two", "three"):
        post.slug = slug
        post_save(post=post)
        urls.append(post.get_absolute_url())
    assert set(PostRedirect.objects.values_list("old_path", flat=True)) == set(urls[:2])
    post.slug = "one"  # back to the first name: that address must answer directly again
    post_save(post=post)
    assert not PostRedirect.objects.filter(old_path=urls[0]).exists()


def test_a_draft_renamed_leaves_no_redirect() -> None:
    post = PostFactory(status=Post.Status.DRAFT, published_at=None, slug="draft-a")
    post.slug = "draft-b"
    post_save(post=post)
    assert not PostRedirect.objects.exists()


def test_a_future_post_is_hidden_until_its_time() -> None:
    post = PostFactory(
        status=Post.Status.SCHEDULED, published_at=timezone.now() + timedelta(hours=1)
    )
    assert not Post.objects.visible().filter(pk=post.pk).exists()
    Post.objects.filter(pk=post.pk).update(published_at=timezone.now() - timedelta(seconds=1))
    assert Post.objects.visible().filter(pk=post.pk).exists()


def test_nul_characters_are_dropped_from_posts() -> None:
    post = PostFactory(title="Lamps\x00", body="Text\x00 here.")
    post.refresh_from_db()
    assert post.title == "Lamps" and "\x00" not in post.body_html


def test_saving_a_post_loaded_before_a_comment_was_approved_keeps_the_count() -> None:
    from tests.factories import approved_comment

    post = PostFactory()
    stale = Post.objects.get(pk=post.pk)  # an editor opens the post
    approved_comment(post)  # meanwhile a comment is approved (count + 1 in the database)
    stale.title = "A better title"
    post_save(post=stale)
    post.refresh_from_db()
    assert (post.title, post.comment_count) == ("A better title", 1)
