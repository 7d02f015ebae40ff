from __future__ import annotations

import hashlib
import re
from typing import Any

import pytest
from django.test import Client

from broadsheet.core.services import settings_save
from broadsheet.discussion.models import DiscussionSettings
from broadsheet.discussion.rendering import CommentRenderer, avatar_url
from broadsheet.discussion.selectors import comment_page_for_post
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


def test_the_last_level_offers_no_reply(post: Post) -> None:
    settings = DiscussionSettings.current()
    settings.thread_comments_depth = 2
    top = approved_comment(post)
    reply = approved_comment(post, parent=top)
    html = _html(post, settings)
    assert _reply_target(html, top.pk) == top.pk
    assert _reply_target(html, reply.pk) is None


def _chain(post: Post, levels: int) -> list[Any]:
    """A thread `levels` deep: a comment, a reply to it, a reply to that…"""
    made = [approved_comment(post, body="Level 1.")]
    for level in range(2, levels + 1):
        made.append(approved_comment(post, parent=made[-1], body=f"Level {level}."))
    return made


@pytest.mark.django_db(transaction=True)  # the cached pages change after the commit
def test_lowering_the_depth_shows_deeper_replies_at_the_last_level(
    client: Client, post: Post, settings: Any
) -> None:
    """WordPress's Walker_Comment: replies past the limit follow their parent at the last
    level, with no Reply link there. The cached page changes with the setting."""
    settings.PAGE_CACHE = True
    chain = _chain(post, 5)
    sibling = approved_comment(post, parent=chain[1], body="Another at level 3.")
    url = post.get_absolute_url()
    html = client.get(url).content.decode()
    assert [_level(html, c.pk) for c in chain] == [1, 2, 3, 4, 5]
    assert client.get(url)["X-Page-Cache"] == "hit"

    current = DiscussionSettings.current()
    current.thread_comments_depth = 3
    settings_save(settings=current)
    response = client.get(url)
    assert response.get("X-Page-Cache") != "hit"
    html = response.content.decode()
    assert [_level(html, c.pk) for c in [*chain, sibling]] == [1, 2, 3, 3, 3, 3]
    assert [_reply_target(html, c.pk) for c in [*chain, sibling]] == [
        chain[0].pk,
        chain[1].pk,
        None,
        None,
        None,
        None,
    ]
    # Levels 4 and 5 follow level 3 in order, as its siblings, before the later sibling.
    order = [int(pk) for pk in re.findall(r'<li id="comment-(\d+)"', html)]
    assert order == [chain[0].pk, chain[1].pk, chain[2].pk, chain[3].pk, chain[4].pk, sibling.pk]
    third = html.split(f'<li id="comment-{chain[2].pk}"', 1)[1]
    assert third.split("</li>", 1)[0].count("<li") == 0  # nothing nests inside level 3


def _level(html: str, pk: int) -> int:
    """The level a comment is shown at: the reply lists it sits inside, plus one."""
    before, found, _ = html.partition(f'<li id="comment-{pk}" class="comment')
    assert found, pk
    before = before.rpartition('<ol class="comment-list"')[2]
    return before.count('<ol class="children">') - before.count("</ol>") + 1


def _reply_target(html: str, pk: int) -> int | None:
    """Whom the Reply link of comment `pk` answers (its own article, not a nested one)."""
    article = html.split(f'<li id="comment-{pk}"', 1)[1].split("</article>", 1)[0]
    found = re.search(r'href="\?replytocom=(\d+)#respond"', article)
    return int(found.group(1)) if found else None


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
    assert 'class="comment bypostauthor ' in html


def test_an_account_holders_name_links_to_their_profile_page(post: Post) -> None:
    from broadsheet.accounts.models import User

    reader = User.objects.create_user("rea.der", "rea@example.net", "a long pass phrase 42")
    approved_comment(post, user=reader, name="Rea", author_url="https://elsewhere.example.org")
    html = _html(post, DiscussionSettings.current())
    assert '<a class="u-url p-name" href="/people/rea.der/">' in html
    assert "elsewhere.example.org" not in html
