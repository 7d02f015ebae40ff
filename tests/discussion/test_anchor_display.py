"""A comment that responds to a passage shows the quote in the thread, linking to the passage
with a text fragment; once the essay is revised it says whether the passage changed or went,
and every comment written on an earlier version says which (decision 0051)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from broadsheet.discussion.anchors import passage_fragment, shortened, text_fragment
from broadsheet.discussion.models import Anchor, Comment
from broadsheet.discussion.rendering import CARD_VERSION
from broadsheet.publishing.models import Post
from broadsheet.publishing.services import post_save
from tests.factories import PostFactory, anchored_comment, approved_comment

pytestmark = pytest.mark.django_db

BODY = (
    "The harbour was built in 1820 by the town's fishermen, who paid for it themselves.\n\n"
    "Nobody kept the accounts, so the figures we have are guesses.\n"
)


def _post(body: str = BODY, **fields: Any) -> Post:
    return PostFactory(body=body, **fields)


def _revise(post: Post, body: str) -> Post:
    post.refresh_from_db()
    post.body = body
    return post_save(post=post)


def _page(client: Client, post: Post) -> str:
    return client.get(post.get_absolute_url()).content.decode()


def _li(html: str, comment: Comment) -> str:
    start = html.index(f'<li id="comment-{comment.pk}"')
    return html[start : html.index("</li>", start)]


def test_a_short_quote_is_its_own_text_fragment_with_the_directive_characters_encoded() -> None:
    assert text_fragment("fish, chips & peas - hot") == (
        ":~:text=fish%2C%20chips%20%26%20peas%20%2D%20hot"
    )
    assert passage_fragment("p-abc", "the harbour") == "#p-abc:~:text=the%20harbour"


def test_a_long_quote_is_found_by_its_first_and_last_words() -> None:
    words = " ".join(f"word{n}" for n in range(40))
    assert (
        text_fragment(words)
        == ":~:text=word0%20word1%20word2%20word3,word36%20word37%20word38%20word39"
    )


def test_a_quote_cut_inside_a_word_takes_the_whole_word_from_its_context() -> None:
    # Browsers match text fragments on word boundaries only.
    assert text_fragment("rbour was bui", prefix="The ha", suffix="lt in") == (
        ":~:text=harbour%20was%20built"
    )
    assert text_fragment(" harbour ", prefix="The", suffix="was") == ":~:text=harbour"


def test_a_quote_is_shown_shortened_at_a_word() -> None:
    assert shortened("a " * 10) == "a a a a a a a a a a"
    cut = shortened("word " * 200, 30)
    assert len(cut) <= 30 and cut.endswith("word…")


def test_the_thread_shows_the_quote_linking_to_the_passage_as_the_reply_target(
    client: Client,
) -> None:
    post = _post()
    comment = anchored_comment(post, "paid for it themselves", body="Did they, though?")
    anchor = Anchor.objects.get(pk=comment.pk)
    card = _li(_page(client, post), comment)
    href = f"{post.get_absolute_url()}#{anchor.passage}:~:text=paid%20for%20it%20themselves"
    assert (
        f'<blockquote class="comment-quote"><a class="u-in-reply-to" href="{href}">'
        "paid for it themselves</a></blockquote>"
    ) in card
    assert card.index("comment-quote") < card.index("Did they, though?")
    assert "revised" not in card and "comment-version" not in card
    # The stored card has it (built when the anchor was saved), with the post's address left
    # for the page to write in.
    stored = Comment.objects.get(pk=comment.pk)
    assert 'href="<post>#' in stored.card_html and stored.card_key


def test_a_comment_without_an_anchor_shows_no_quote(client: Client) -> None:
    post = _post()
    comment = approved_comment(post, body="General remark.")
    assert "comment-quote" not in _li(_page(client, post), comment)


def test_cards_are_versioned_for_the_quote() -> None:
    assert CARD_VERSION == "8"  # 8: "edited" with its time (issue 22)


def _located(comment: Comment, **fields: Any) -> None:
    """As the relocation after a revision leaves an anchor (cards marked stale by it)."""
    Anchor.objects.filter(pk=comment.pk).update(**fields)
    Comment.objects.filter(pk=comment.pk).update(card_key="")


def test_an_edited_passage_says_what_it_reads_now_and_links_to_the_version_and_the_diff(
    client: Client,
) -> None:
    post = _post()
    comment = anchored_comment(post, "paid for it themselves")
    _revise(post, BODY.replace("paid for it themselves", "paid for half of it"))
    post.refresh_from_db()
    new_passage = re.search(r'<p id="(p-[^"]+)">The harbour', post.body_html)[1]  # type: ignore[index]
    _located(
        comment,
        state=Anchor.State.EDITED,
        current_passage=new_passage,
        current_exact="paid for half of it",
        located_version=2,
    )
    card = _li(_page(client, post), comment)
    url = post.get_absolute_url()
    anchor = Anchor.objects.get(pk=comment.pk)
    # The quote leads to the words as they were, in version 1.
    assert f'href="{url}v/1/#{anchor.passage}:~:text=paid%20for%20it%20themselves"' in card
    assert "The essay has been revised since this comment. The passage now reads: " in card
    assert (
        f'<a href="{url}#{new_passage}:~:text=paid%20for%20half%20of%20it">“paid for half of it”</a>'
        in card
    )
    assert f'<a href="{url}v/1/">The version responded to</a>' in card
    assert f'<a href="{url}v/1/changes/">What changed</a>' in card
    assert f'On the version of <a href="{url}v/1/">' in card


def test_a_removed_passage_says_so(client: Client) -> None:
    post = _post()
    comment = anchored_comment(post, "Nobody kept the accounts")
    _revise(post, BODY.split("\n\n")[0] + "\n")
    _located(comment, state=Anchor.State.ORPHANED, current_passage="", current_exact="")
    card = _li(_page(client, post), comment)
    assert "The essay has been revised since this comment. The passage was removed." in card
    assert "now reads" not in card
    assert f'href="{post.get_absolute_url()}v/1/changes/"' in card


def test_moved_words_link_to_where_they_are_now_without_a_revision_note(client: Client) -> None:
    post = _post()
    comment = anchored_comment(post, "Nobody kept the accounts")
    _located(comment, state=Anchor.State.MOVED, current_passage="p-elsewhere")
    card = _li(_page(client, post), comment)
    assert (
        f'href="{post.get_absolute_url()}#p-elsewhere:~:text=Nobody%20kept%20the%20accounts"'
        in card
    )
    assert "revised" not in card


def test_every_comment_on_an_earlier_version_says_which_once_the_essay_is_revised(
    client: Client,
) -> None:
    post = _post(published_at=timezone.make_aware(timezone.datetime(2026, 3, 14, 9, 0)))
    plain = approved_comment(post, body="Plain, on version 1.", post_version=1)
    anchored = anchored_comment(post, "Nobody kept the accounts")
    # Stored as it already was (an import, the demo): written on the text the site began with.
    unknown = approved_comment(post, body="From before versions.")  # post_version None
    html = _page(client, post)
    assert "comment-version" not in html  # not revised yet
    _revise(post, BODY + "\nA third paragraph.\n")
    later = approved_comment(post, body="On version 2.", post_version=2)
    html = _page(client, post)
    note = (
        f'<p class="comment-version">On the version of <a href="{post.get_absolute_url()}v/1/">'
        '<time datetime="2026-03-14">March 14, 2026</time></a></p>'
    )
    assert note in _li(html, plain) and note in _li(html, anchored)
    assert note in _li(html, unknown)
    assert "comment-version" not in _li(html, later)


def test_a_script_in_a_quote_is_shown_as_text_and_a_huge_one_shortened(client: Client) -> None:
    post = _post()
    comment = anchored_comment(post, "Nobody kept the accounts")
    hostile = '<script>alert(1)</script>" onmouseover="x ' * 3000  # ~100,000 characters
    Anchor.objects.filter(pk=comment.pk).update(
        exact=hostile, current_exact=hostile, passage='p-"><script>x</script>'
    )
    Comment.objects.filter(pk=comment.pk).update(card_key="")
    card = _li(_page(client, post), comment)
    assert "<script>" not in card and 'onmouseover="' not in card
    assert "&lt;script&gt;" in card
    assert len(card) < 5_000


def _queries(client: Client, post: Post) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(post.get_absolute_url())  # steady state: settings cached
    with CaptureQueriesContext(connection) as run:
        assert client.get(post.get_absolute_url()).status_code == 200
    return len(run.captured_queries)


@pytest.mark.parametrize("stale", [False, True])
def test_responses_on_earlier_versions_cost_the_same_queries_with_2_and_200(
    client: Client, stale: bool
) -> None:
    from broadsheet.discussion.tasks import rebuild_comment_cards

    posts = {n: _post(slug=f"essay-{n}") for n in (2, 200)}
    for n, post in posts.items():
        for i in range(n):
            anchored_comment(post, "Nobody kept the accounts", body=f"On it {i}.")
        _revise(post, BODY.replace("Nobody kept", "No clerk kept"))
        Anchor.objects.filter(post=post).update(state=Anchor.State.EDITED, located_version=2)
        # As the relocation leaves them: stale, rendered in full (anchors loaded with them)
        # until the worker rebuilds them.
        Comment.objects.filter(post=post).update(card_key="")
    if not stale:
        assert rebuild_comment_cards.call() == 202
    plain = _post(slug="plain")
    _revise(plain, BODY + "\nMore.\n")
    approved_comment(plain, body="On the current text.", post_version=2)
    baseline = _queries(client, plain)  # first: whatever is cached once per site is, then
    counts = {n: _queries(client, post) for n, post in posts.items()}
    # One more query than a revised post whose comments are all on its current text: the
    # earlier versions' dates. The cards (stored or rendered) cost none per comment.
    assert counts[2] == counts[200] == baseline + 1 + stale
    html = _page(client, posts[200])
    assert html.count("The essay has been revised since this comment.") == 200
    assert html.count('class="comment-version"') == 200


def test_a_response_posted_through_the_form_has_its_quote_in_its_stored_card(
    client: Client,
) -> None:
    from broadsheet.core.anchoring import Selector
    from broadsheet.discussion.services import Commenter, comment_submit
    from broadsheet.publishing.passages import post_passages

    post = _post()
    second = post_passages(post)[1]
    comment = comment_submit(
        post=post,
        commenter=Commenter(name="Mo", email="mo@example.org", is_moderator=True),
        body="Who kept them, then?",
        anchor=Selector(second.id, "Nobody kept the accounts", "", "", -1, -1),
    )
    stored = Comment.objects.get(pk=comment.pk)
    assert stored.status == Comment.Status.APPROVED and stored.post_version == post.version
    assert "Nobody kept the accounts</a></blockquote>" in stored.card_html and stored.card_key
    card = _li(_page(client, post), comment)
    assert (
        f'href="{post.get_absolute_url()}#{second.id}:~:text=Nobody%20kept%20the%20accounts"'
        in card
    )


def test_a_response_posted_with_javascript_comes_back_with_its_quote_linked(
    client: Client, author: Any
) -> None:
    from broadsheet.discussion.forms import shown_at_token
    from broadsheet.discussion.models import DiscussionSettings
    from broadsheet.publishing.passages import post_passages

    current = DiscussionSettings.current()
    current.minimum_seconds_on_page = 0
    current.save()
    post = _post(authors=[author])
    client.force_login(author)  # the post's author: approved at once
    second = post_passages(post)[1]
    response = client.post(
        "/comments/post/",
        {
            "comment": "Who kept them?",
            "post_id": post.pk,
            "parent_id": "0",
            "shown_at": shown_at_token(),
            "hp": "",
            "anchor_passage": second.id,
            "anchor_exact": "Nobody kept the accounts",
            "anchor_start": "",
            "anchor_end": "",
        },
        HTTP_X_REQUESTED_WITH="fetch",
    )
    assert response.status_code == 201, response.content
    html = response.json()["html"]
    assert f'href="{post.get_absolute_url()}#{second.id}:~:text=Nobody' in html
    assert "<post>" not in html
