"""Threads that know the essay changed, end to end with the real core.anchoring.relocate: an
author publishes a revision, the worker re-locates every response's passage, and the thread
says what became of each (decisions 0050, 0051)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django_tasks_db.models import DBTaskResult

from broadsheet.discussion.models import Anchor, Comment, DiscussionSettings
from broadsheet.discussion.rendering import card_key
from broadsheet.discussion.tasks import rebuild_comment_cards, relocate_anchors
from broadsheet.publishing.models import Post
from broadsheet.publishing.services import post_save
from tests.factories import PostFactory, anchored_comment

pytestmark = pytest.mark.django_db(transaction=True)  # the relocation is queued after commit

OPENING = (
    "The harbour was built in 1820 by the town's fishermen. They paid for the stone "
    "themselves, a penny on every basket landed."
)
LEDGERS = "Nobody kept the accounts, so every figure we have is a guess from the tolls."
STORMS = "The great storm of 1851 took the outer wall and half the boats with it."
BODY = f"{OPENING}\n\n{LEDGERS}[^1]\n\n{STORMS}\n\n[^1]: The toll books survive from 1840 only.\n"


def _run_worker() -> None:
    """What the worker does next: the queued relocations, then the card rebuilds."""
    for queued in DBTaskResult.objects.filter(task_path__endswith="relocate_anchors"):
        relocate_anchors.call(*queued.args_kwargs["args"])
        queued.delete()
    for queued in DBTaskResult.objects.filter(task_path__endswith="rebuild_comment_cards"):
        rebuild_comment_cards.call(*queued.args_kwargs["args"])
        queued.delete()


def _revise(post: Post, body: str) -> Post:
    post.refresh_from_db()
    post.body = body
    return post_save(post=post)


def _li(html: str, comment: Comment) -> str:
    start = html.index(f'<li id="comment-{comment.pk}"')
    return html[start : html.index("</li>", start)]


@pytest.fixture
def essay(author: Any) -> Post:
    return PostFactory(body=BODY, authors=[author])


def test_a_published_revision_tells_each_response_what_became_of_its_passage(
    client: Client, essay: Post
) -> None:
    untouched = anchored_comment(essay, "every figure we have is a guess", body="Untouched.")
    edited = anchored_comment(essay, "a penny on every basket landed", body="Edited.")
    removed = anchored_comment(essay, "took the outer wall", body="Removed.")
    note = anchored_comment(essay, "survive from 1840 only", passage="fn-1", body="A note.")
    _revise(
        essay,
        BODY.replace(
            "a penny on every basket landed", "a halfpenny on every basket landed"
        ).replace(f"{STORMS}\n\n", ""),
    )
    _run_worker()
    state = {c.pk: Anchor.objects.get(pk=c.pk) for c in (untouched, edited, removed, note)}
    assert state[untouched.pk].state == Anchor.State.INTACT
    assert state[note.pk].state == Anchor.State.INTACT
    assert state[edited.pk].state == Anchor.State.EDITED
    assert "halfpenny" in state[edited.pk].current_exact
    assert state[removed.pk].state == Anchor.State.ORPHANED
    assert {a.located_version for a in state.values()} == {2}

    html = client.get(essay.get_absolute_url()).content.decode()
    url = essay.get_absolute_url()
    for comment in (untouched, note):
        assert "revised" not in _li(html, comment)
    assert "The passage now reads: " in _li(html, edited)
    assert "halfpenny on every basket landed" in _li(html, edited)
    assert f'href="{url}v/1/changes/"' in _li(html, edited)
    assert "The passage was removed." in _li(html, removed)
    assert f'<a href="{url}v/1/">The version responded to</a>' in _li(html, removed)
    for comment in (untouched, edited, removed, note):  # all were written on version 1
        assert f'On the version of <a href="{url}v/1/">' in _li(html, comment)
    # The worker rebuilt the cards that changed; the page shows them as stored.
    key = card_key(DiscussionSettings.current())
    assert set(Comment.objects.values_list("card_key", flat=True)) == {key}
    assert "The passage was removed." in Comment.objects.get(pk=removed.pk).card_html


def test_an_essay_revised_twice_is_followed_step_by_step_and_a_restored_text_brings_it_back(
    client: Client, essay: Post
) -> None:
    comment = anchored_comment(essay, "Nobody kept the accounts", body="On the ledgers.")
    _revise(essay, BODY.replace("Nobody kept the accounts", "Nobody kept any accounts"))
    _run_worker()
    anchor = Anchor.objects.get(pk=comment.pk)
    assert anchor.state == Anchor.State.EDITED and anchor.located_version == 2
    _revise(essay, BODY.replace(f"{LEDGERS}[^1]\n\n", "").replace("[^1]: The toll", ""))
    _run_worker()
    anchor.refresh_from_db()
    assert anchor.state == Anchor.State.ORPHANED and anchor.located_version == 3
    _revise(essay, BODY)  # version 4: the original text again
    _run_worker()
    anchor.refresh_from_db()
    assert (anchor.state, anchor.current_exact, anchor.located_version) == (
        Anchor.State.INTACT,
        "Nobody kept the accounts",
        4,
    )
    assert "revised" not in _li(client.get(essay.get_absolute_url()).content.decode(), comment)


def test_a_response_is_never_attached_to_a_look_alike_passage(author: Any) -> None:
    # The same words stand in another paragraph, in another context, from the start.
    elsewhere = "In Lisbon, too: Nobody kept the accounts, and the harbour was a different story."
    essay = PostFactory(body=f"{BODY}\n{elsewhere}\n", authors=[author])
    comment = anchored_comment(essay, "Nobody kept the accounts", body="On the ledgers.")
    assert Anchor.objects.get(pk=comment.pk).prefix == ""  # the first paragraph's
    # The quoted paragraph goes; the look-alike stays.
    _revise(essay, BODY.replace(f"{LEDGERS}[^1]\n\n", "").replace("[^1]: The toll", "The toll")
            + f"\n{elsewhere}\n")  # fmt: skip
    _run_worker()
    anchor = Anchor.objects.get(pk=comment.pk)
    assert anchor.state == Anchor.State.ORPHANED and anchor.current_passage == ""


def test_a_revision_that_does_not_touch_the_passages_changes_no_card(essay: Post) -> None:
    comment = anchored_comment(essay, "took the outer wall")
    before = Comment.objects.get(pk=comment.pk).card_html
    _revise(essay, BODY + "\nA closing paragraph.\n")
    [queued] = DBTaskResult.objects.filter(task_path__endswith="relocate_anchors")
    assert relocate_anchors.call(*queued.args_kwargs["args"]) == 0
    anchor = Anchor.objects.get(pk=comment.pk)
    assert anchor.state == Anchor.State.INTACT and anchor.located_version == 2
    stored = Comment.objects.get(pk=comment.pk)
    assert stored.card_html == before and stored.card_key  # not marked stale
    assert not DBTaskResult.objects.filter(task_path__endswith="rebuild_comment_cards").exists()
