"""How discussion.relocation drives core.anchoring.relocate: which anchors it asks about, from
which version's text, with which selector, and what it writes back and declares.

The algorithm itself is core.anchoring's (tests/core/test_anchoring.py); here a small stand-in
records what it was asked and answers as told, so each part of the glue is held on its own.
The whole path with the real algorithm is in test_relocation.py."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from django.test import Client

from broadsheet.core import anchoring
from broadsheet.core.anchoring import Passage, Relocation, Selector
from broadsheet.discussion.models import Anchor, Comment
from broadsheet.discussion.relocation import anchors_relocate
from broadsheet.publishing.models import Post
from broadsheet.publishing.services import post_save
from tests.factories import PostFactory, anchored_comment

pytestmark = pytest.mark.django_db

BODY = "The harbour was built in 1820 by its fishermen.\n\nNobody kept the accounts.\n"


class Recorder:
    """Stands for anchoring.relocate: records each call, answers with `answer(selector)`."""

    def __init__(self, answer: Any) -> None:
        self.calls: list[tuple[list[Selector], list[Passage], list[Passage]]] = []
        self.answer = answer

    def __call__(
        self, selectors: Sequence[Selector], old: Sequence[Passage], new: Sequence[Passage]
    ) -> list[Relocation]:
        self.calls.append((list(selectors), list(old), list(new)))
        return [self.answer(s, new) for s in selectors]


def _in(new: Sequence[Passage], words: str) -> Selector:
    passage = next(p for p in new if words in p.text)
    start = passage.text.index(words)
    return Selector(passage.id, words, "", "", start, start + len(words))


def _revise(post: Post, body: str) -> Post:
    post.refresh_from_db()
    post.body = body
    return post_save(post=post)


@pytest.fixture
def relocate(monkeypatch: pytest.MonkeyPatch) -> Any:
    def install(answer: Any) -> Recorder:
        recorder = Recorder(answer)
        monkeypatch.setattr(anchoring, "relocate", recorder)
        return recorder

    return install


def test_nothing_is_asked_while_every_anchor_is_located_in_the_current_version(
    relocate: Any,
) -> None:
    post = PostFactory(body=BODY)
    anchored_comment(post, "Nobody kept the accounts")
    recorder = relocate(lambda s, new: Relocation("intact", s, 1.0))
    assert anchors_relocate(post_id=post.pk) == 0
    assert recorder.calls == []


def test_a_new_version_asks_from_the_version_responded_to_and_writes_where_it_is_now(
    relocate: Any, client: Client
) -> None:
    post = PostFactory(body=BODY)
    comment = anchored_comment(post, "Nobody kept the accounts")
    anchor = Anchor.objects.get(pk=comment.pk)
    _revise(post, BODY.replace("Nobody kept", "No clerk kept"))
    recorder = relocate(
        lambda s, new: Relocation("edited", _in(new, "No clerk kept the accounts"), 0.9)
    )
    assert anchors_relocate(post_id=post.pk) == 1
    [(selectors, old, new)] = recorder.calls
    assert selectors == [
        Selector(
            anchor.passage, anchor.exact, anchor.prefix, anchor.suffix, anchor.start, anchor.end
        )
    ]
    assert [p.text for p in old] == [
        "The harbour was built in 1820 by its fishermen.",
        "Nobody kept the accounts.",
    ]  # version 1, rendered again
    assert [p.text for p in new][1] == "No clerk kept the accounts."
    anchor.refresh_from_db()
    assert (anchor.state, anchor.current_exact, anchor.located_version) == (
        Anchor.State.EDITED,
        "No clerk kept the accounts",
        2,
    )
    assert anchor.current_passage == new[1].id and anchor.current_start == 0
    # Its card is marked stale at once (rendered in full with the page until rebuilt).
    assert Comment.objects.get(pk=comment.pk).card_key == ""
    assert "The passage now reads" in client.get(post.get_absolute_url()).content.decode()
    assert anchors_relocate(post_id=post.pk) == 0  # done: located in version 2


def test_the_state_says_how_the_words_compare_to_those_responded_to(relocate: Any) -> None:
    post = PostFactory(body=BODY)
    same = anchored_comment(post, "Nobody kept the accounts")
    anchor = Anchor.objects.get(pk=same.pk)
    _revise(post, "A new opening.\n\n" + BODY)
    # The same words, at the same place of a passage with the same id: intact.
    relocate(lambda s, new: Relocation("moved", s, 1.0))
    assert anchors_relocate(post_id=post.pk) == 0
    anchor.refresh_from_db()
    assert anchor.state == Anchor.State.INTACT and anchor.located_version == 2
    _revise(post, "A new opening.\n\n" + BODY.replace("Nobody", "Then nobody"))
    relocate(lambda s, new: Relocation("intact", _in(new, "nobody kept the accounts"), 1.0))
    anchors_relocate(post_id=post.pk)
    anchor.refresh_from_db()
    assert anchor.state == Anchor.State.EDITED  # "Nobody" → "nobody": not the same words
    relocate(lambda s, new: Relocation("edited", _in(new, "kept the accounts"), 1.0))
    _revise(post, BODY.replace("Nobody kept", "They kept"))
    anchors_relocate(post_id=post.pk)
    anchor.refresh_from_db()
    assert anchor.current_exact == "kept the accounts" and anchor.state == Anchor.State.EDITED


def test_an_anchor_is_followed_from_where_it_was_last_found_with_that_texts_context(
    relocate: Any,
) -> None:
    post = PostFactory(body=BODY)
    comment = anchored_comment(post, "Nobody kept the accounts")
    _revise(post, BODY.replace("Nobody kept", "No clerk kept"))
    relocate(lambda s, new: Relocation("edited", _in(new, "clerk kept the accounts"), 0.9))
    anchors_relocate(post_id=post.pk)
    _revise(post, BODY.replace("Nobody kept", "No clerk ever kept"))
    recorder = relocate(lambda s, new: Relocation("orphaned", None, 0.0))
    anchors_relocate(post_id=post.pk)
    [(selectors, old, _)] = recorder.calls
    assert [p.text for p in old][1] == "No clerk kept the accounts."  # version 2
    [selector] = selectors
    assert (selector.exact, selector.prefix, selector.suffix, selector.start) == (
        "clerk kept the accounts",
        "No ",
        ".",
        3,
    )
    anchor = Anchor.objects.get(pk=comment.pk)
    assert anchor.state == Anchor.State.ORPHANED and anchor.current_passage == ""
    assert anchor.current_start is None and anchor.located_version == 3


def test_an_orphaned_anchor_is_looked_for_again_from_the_words_responded_to(
    relocate: Any,
) -> None:
    post = PostFactory(body=BODY)
    comment = anchored_comment(post, "Nobody kept the accounts")
    _revise(post, "Only an opening now.\n")
    relocate(lambda s, new: Relocation("orphaned", None, 0.0))
    anchors_relocate(post_id=post.pk)
    _revise(post, BODY)  # the text came back
    recorder = relocate(
        lambda s, new: Relocation("moved", _in(new, "Nobody kept the accounts"), 1.0)
    )
    assert anchors_relocate(post_id=post.pk) == 1
    [(selectors, old, _)] = recorder.calls
    assert selectors[0].exact == "Nobody kept the accounts"
    assert [p.text for p in old][1] == "Nobody kept the accounts."  # version 1's text
    anchor = Anchor.objects.get(pk=comment.pk)
    assert anchor.state == Anchor.State.INTACT and anchor.located_version == 3


def test_anchors_are_asked_about_once_per_version_they_come_from(relocate: Any) -> None:
    post = PostFactory(body=BODY)
    first = anchored_comment(post, "Nobody kept the accounts")
    _revise(post, BODY + "\nA third paragraph.\n")
    post.refresh_from_db()
    second = anchored_comment(post, "A third paragraph")
    _revise(post, BODY + "\nA third paragraph, longer.\n")
    recorder = relocate(lambda s, new: Relocation("intact", s, 1.0))
    anchors_relocate(post_id=post.pk)
    asked = {tuple(s.exact for s in selectors): len(old) for selectors, old, _ in recorder.calls}
    assert asked == {("Nobody kept the accounts",): 2, ("A third paragraph",): 3}
    assert Anchor.objects.get(pk=first.pk).located_version == 3
    assert Anchor.objects.get(pk=second.pk).located_version == 3


@pytest.mark.django_db(transaction=True)  # the task is queued after the commit
def test_publishing_a_version_queues_the_relocation_only_for_a_post_with_anchors(
    relocate: Any,
) -> None:
    from django_tasks_db.models import DBTaskResult

    from broadsheet.discussion.tasks import relocate_anchors

    anchored, plain = PostFactory(body=BODY), PostFactory(body=BODY)
    comment = anchored_comment(anchored, "Nobody kept the accounts")
    _revise(plain, BODY + "\nMore.\n")
    assert not DBTaskResult.objects.filter(task_path__endswith="relocate_anchors").exists()
    _revise(anchored, BODY + "\nMore.\n")
    [queued] = DBTaskResult.objects.filter(task_path__endswith="relocate_anchors")
    assert queued.args_kwargs["args"] == [anchored.pk]
    relocate(lambda s, new: Relocation("intact", s, 1.0))
    assert relocate_anchors.call(anchored.pk) == 0
    assert Anchor.objects.get(pk=comment.pk).located_version == 2
    # A save that publishes no new version (the same text) queues nothing more.
    _revise(anchored, BODY + "\nMore.\n")
    assert DBTaskResult.objects.filter(task_path__endswith="relocate_anchors").count() == 1


def test_an_anchor_whose_version_text_is_gone_is_left_as_it_was(relocate: Any) -> None:
    from broadsheet.publishing.models import Revision

    post = PostFactory(body=BODY)
    lost = anchored_comment(post, "Nobody kept the accounts")
    _revise(post, BODY + "\nMore.\n")
    post.refresh_from_db()
    kept = anchored_comment(post, "More")
    _revise(post, BODY + "\nMore, and more.\n")
    Revision.objects.filter(post_id=post.pk, version=1).delete()  # say, by hand in the database
    recorder = relocate(lambda s, new: Relocation("edited", _in(new, "More, and more"), 0.9))
    assert anchors_relocate(post_id=post.pk) == 1
    assert [[s.exact for s in selectors] for selectors, _, _ in recorder.calls] == [["More"]]
    assert Anchor.objects.get(pk=lost.pk).located_version == 1
    assert Anchor.objects.get(pk=kept.pk).located_version == 3
