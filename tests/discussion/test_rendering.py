from __future__ import annotations

import hashlib
from typing import Any

import pytest

from broadsheet.discussion.rendering import CommentRenderer, avatar_url
from broadsheet.discussion.selectors import comment_page_for_post
from broadsheet.moderation.models import DiscussionSettings
from broadsheet.publishing.models import Post
from tests.factories import PostFactory, approved_comment

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(author: Any) -> Post:
    return PostFactory(authors=[author])


def _html(post: Post, settings: DiscussionSettings) -> str:
    page = comment_page_for_post(post=post, page=None, settings=settings)
    return CommentRenderer(settings=settings, post_author_ids=[]).page(page)


def test_avatars_are_local_identicons_unless_gravatar_is_turned_on(post: Post) -> None:
    comment = approved_comment(post, author_email="Ada@Example.org ")
    settings = DiscussionSettings.current()
    local = avatar_url(comment, settings)
    assert local.startswith("/identicon/") and "example" not in local.lower()
    settings.use_gravatar = True
    digest = hashlib.sha256(b"ada@example.org").hexdigest()
    assert (
        avatar_url(comment, settings)
        == f"https://secure.gravatar.com/avatar/{digest}?s=96&d=identicon&r=g"
    )


def test_avatars_can_be_hidden(post: Post) -> None:
    approved_comment(post)
    settings = DiscussionSettings.current()
    assert 'class="avatar' in _html(post, settings)
    settings.show_avatars = False
    assert 'class="avatar' not in _html(post, settings)


def test_reply_at_the_deepest_level_answers_at_that_level(post: Post) -> None:
    settings = DiscussionSettings.current()
    settings.thread_comments_depth = 2
    top = approved_comment(post)
    reply = approved_comment(post, parent=top)
    html = _html(post, settings)
    assert _reply_target(html, top.pk) == top.pk
    assert _reply_target(html, reply.pk) == top.pk


def _reply_target(html: str, pk: int) -> int:
    """Whom the Reply link of comment `pk` answers (its own article, not a nested one)."""
    import re

    article = html.split(f'<li id="comment-{pk}"', 1)[1].split("</article>", 1)[0]
    found = re.search(r'href="\?replytocom=(\d+)#respond"', article)
    assert found, article
    return int(found.group(1))


def test_comment_markup_escapes_author_fields_and_hides_emails(post: Post) -> None:
    approved_comment(
        post,
        name='<b onmouseover="x">Ada</b>',
        author_email="secret@example.org",
        author_url="javascript:alert(1)",
    )
    html = _html(post, DiscussionSettings.current())
    assert "&lt;b onmouseover=&quot;x&quot;&gt;Ada&lt;/b&gt;" in html
    assert "secret@example.org" not in html and "javascript:" not in html


def test_a_post_author_reply_is_marked(post: Post, author: Any) -> None:
    approved_comment(post, user=author, name="Margaret Hale")
    settings = DiscussionSettings.current()
    page = comment_page_for_post(post=post, page=None, settings=settings)
    html = CommentRenderer(settings=settings, post_author_ids=[author.pk]).page(page)
    assert 'class="comment depth-1 bypostauthor ' in html


def test_an_account_holders_name_links_to_their_profile_page(post: Post) -> None:
    from broadsheet.accounts.models import User

    reader = User.objects.create_user("rea.der", "rea@example.net", "a long pass phrase 42")
    approved_comment(post, user=reader, name="Rea", author_url="https://elsewhere.example.org")
    html = _html(post, DiscussionSettings.current())
    assert '<a class="u-url p-name" href="/people/rea.der/">' in html
    assert "elsewhere.example.org" not in html
