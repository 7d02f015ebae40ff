"""Moderation speaks the site's language: its messages, the public log's sentence, readers'
refusals and the reason form go through gettext (in the pseudo language every translated
string is marked ⟦ ⟧), and English stays as it was (tests/moderation/test_queue.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.translation import ngettext

from broadsheet.accounts.models import User
from broadsheet.discussion.models import Comment, DiscussionSettings
from broadsheet.moderation import bans
from broadsheet.moderation.log import ReasonForm, day, notice
from broadsheet.moderation.models import Ban
from tests.factories import PostFactory
from tests.i18n.test_pseudo_locale import CLOSE, OPEN, in_pseudo, pseudo_locale  # noqa: F401
from tests.i18n.test_pseudo_locale import pytestmark as pseudo_marks

pytestmark = pseudo_marks


def _pending(post: Any, body: str) -> Comment:
    return Comment.objects.create(
        post=post, author_name="Ada", author_email="ada@example.org", body=body,
        body_html=f"<p>{body}</p>", status=Comment.Status.PENDING,
    )  # fmt: skip


@pytest.mark.usefixtures("in_pseudo")
@pytest.mark.parametrize("count", [1, 3])
def test_a_decisions_message_is_one_translated_sentence_by_count(
    client: Client, count: int
) -> None:
    client.force_login(User.objects.create_superuser("editor", "e@example.org", "pw"))
    post = PostFactory()
    ids = [_pending(post, f"pending {n}").pk for n in range(count)]
    response = client.post("/moderation/bulk/", {"action": "approve", "ids": ids}, follow=True)
    said = [str(m) for m in response.context["messages"]]
    expected = ngettext("Comment approved.", "%(count)d comments approved.", count) % {
        "count": count
    }
    assert said == [expected]
    assert expected.startswith(OPEN) and expected.endswith(CLOSE)
    assert ("3 comments approved." if count == 3 else "Comment approved.") in expected


@pytest.mark.usefixtures("in_pseudo")
def test_the_public_logs_sentence_and_the_days_format_are_the_languages() -> None:
    when = timezone.now() - timedelta(days=2)
    named = notice("Ada", when, "Off-topic")
    assert named.startswith(f"{OPEN}A comment by Ada was removed on {day(when)}: Off-topic")
    assert notice("", when, "Spam").startswith(f"{OPEN}A comment was removed on")


@pytest.mark.usefixtures("in_pseudo")
def test_a_bans_refusal_and_the_reason_form_are_translated() -> None:
    ban = Ban(kind=Ban.Kind.EMAIL, value="x@example.org", until=timezone.now() + timedelta(days=3))
    assert bans.refusal(ban).startswith(f"{OPEN}Sorry, you cannot comment here")
    form = ReasonForm({"reason": "other", "reason_text": ""}, settings=DiscussionSettings())
    assert not form.is_valid()
    assert form.errors["reason_text"] == [f"{OPEN}Say in a few words why, for “Other”.{CLOSE}"]
    own, *_rest, other = form.choices()
    assert own[1].startswith(f"{OPEN}The button's own (") and str(other[1]) == f"{OPEN}Other{CLOSE}"


def test_the_queue_in_english_is_as_it_was(client: Client, db: None) -> None:
    client.force_login(User.objects.create_superuser("editor", "e@example.org", "pw"))
    post = PostFactory(title="Lamps")
    comment = _pending(post, "first")
    page = client.get("/moderation/?status=pending").content.decode()
    assert "Comments · Moderation · " in page and "Pending <span" in page
    assert ">Select the comment by Ada</label>" in page
    assert f'In response to <a href="{post.get_absolute_url()}">Lamps</a>' in page
    assert f'<label for="mod-reply-{comment.pk}">Reply to Ada</label>' in page
    assert "<summary>Approve and reply</summary>" in page
    assert "Not while typing in a field. Press <kbd>j</kbd> first to pick a comment." in page
