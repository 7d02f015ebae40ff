"""Issue 22 §1: a writer edits or deletes their own comment in its window: an account by its
session, a guest by the signed cookie listing their comments; without JavaScript (a page with
the form) and with it (fetch + JSON)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from broadsheet.discussion.cookies import PENDING_COOKIE
from broadsheet.discussion.forms import shown_at_token
from broadsheet.discussion.models import Comment, CommentRevision, DiscussionSettings
from broadsheet.publishing.models import Post
from tests.factories import AuthorFactory, PostFactory, approved_comment

pytestmark = pytest.mark.django_db
FETCH = {"HTTP_X_REQUESTED_WITH": "fetch"}


@pytest.fixture
def post(author: Any) -> Post:
    return PostFactory(title="Lamps and Ledgers", authors=[author])


@pytest.fixture(autouse=True)
def _open_discussion() -> None:
    current = DiscussionSettings.current()
    current.minimum_seconds_on_page = 0
    current.comment_previously_approved = False
    current.save()


def _write(client: Client, post: Post, body: str = "A first thought.", **more: Any) -> Comment:
    data = {
        "comment": body, "author": "Ada Reader", "email": "ada@example.org", "url": "",
        "post_id": post.pk, "parent_id": "0", "shown_at": shown_at_token(), "hp": "", **more,
    }  # fmt: skip
    response = client.post("/comments/post/", data)
    assert response.status_code == 302, response.content[:300]
    return Comment.objects.order_by("-pk").first()  # type: ignore[return-value]


def _age(comment: Comment, minutes: int) -> None:
    Comment.objects.filter(pk=comment.pk).update(
        created_at=timezone.now() - timedelta(minutes=minutes)
    )


def test_a_guest_edits_their_comment_and_it_says_edited(client: Client, post: Post) -> None:
    comment = _write(client, post)
    assert comment.status == Comment.Status.APPROVED
    assert PENDING_COOKIE in client.cookies  # their approved comment too: theirs to edit
    page = client.get(post.get_absolute_url()).content.decode()
    assert f'href="/comment/{comment.pk}/edit/"' in page
    assert "Edit" not in Client().get(post.get_absolute_url()).content.decode().split(
        "comment-list"
    )[1].split("respond")[0].replace("Reply", "")  # nobody else sees Edit
    form = client.get(f"/comment/{comment.pk}/edit/")
    assert form.status_code == 200 and "A first thought." in form.content.decode()
    response = client.post(f"/comment/{comment.pk}/edit/", {"comment": "A better thought."})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.body == "A better thought." and comment.edited_at is not None
    assert list(CommentRevision.objects.values_list("body", flat=True)) == ["A first thought."]
    html = Client().get(post.get_absolute_url()).content.decode()
    assert "A better thought." in html and 'class="comment-edited">edited <time' in html
    assert "A first thought." not in html


def test_with_javascript_the_edit_answers_json(client: Client, post: Post) -> None:
    comment = _write(client, post)
    response = client.post(f"/comment/{comment.pk}/edit/", {"comment": "*New* words."}, **FETCH)
    assert response.status_code == 200
    assert response.json()["ok"] and "<em>New</em>" in response.json()["html"]


def test_an_edit_into_spam_words_holds_the_comment(client: Client, post: Post) -> None:
    current = DiscussionSettings.current()
    current.moderation_keys = "casino"
    current.save()
    comment = _write(client, post)
    assert Post.objects.get(pk=post.pk).comment_count == 1
    client.post(f"/comment/{comment.pk}/edit/", {"comment": "Visit my casino today."})
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    assert comment.moderation_reason.startswith("Edited by its writer")
    assert Post.objects.get(pk=post.pk).comment_count == 0
    assert "casino" not in Client().get(post.get_absolute_url()).content.decode()
    mine = client.get(post.get_absolute_url()).content.decode()
    assert "casino" in mine and "awaiting moderation" in mine  # still theirs to see


def test_after_the_window_only_moderators_edit(client: Client, post: Post, settings: Any) -> None:
    comment = _write(client, post)
    _age(comment, settings.COMMENT_EDIT_MINUTES + 1)
    assert (
        f"/comment/{comment.pk}/edit/" not in client.get(post.get_absolute_url()).content.decode()
    )
    response = client.post(f"/comment/{comment.pk}/edit/", {"comment": "Too late."})
    assert response.status_code == 403
    assert "ask a moderator" in response.content.decode()
    assert client.post(f"/comment/{comment.pk}/delete/").status_code == 403
    comment.refresh_from_db()
    assert comment.body == "A first thought."


def test_zero_minutes_turns_editing_off(client: Client, post: Post, settings: Any) -> None:
    settings.COMMENT_EDIT_MINUTES = 0
    comment = _write(client, post)
    assert client.post(f"/comment/{comment.pk}/edit/", {"comment": "x"}).status_code in (403, 404)


def test_another_persons_comment_is_a_404(client: Client, post: Post) -> None:
    theirs = approved_comment(post, name="Cora Other", created_at=timezone.now())
    mine = _write(client, post)
    for url in (f"/comment/{theirs.pk}/edit/", f"/comment/{theirs.pk}/delete/"):
        assert client.get(url).status_code == 404
        assert client.post(url, {"comment": "Hijacked."}).status_code == 404
    assert Client().post(f"/comment/{mine.pk}/edit/", {"comment": "Forged."}).status_code == 404
    forged = Client()
    forged.cookies[PENDING_COOKIE] = f"[{theirs.pk}]"
    assert forged.post(f"/comment/{theirs.pk}/edit/", {"comment": "x"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.body == "A fair point."


def test_an_account_edits_by_its_session(client: Client, post: Post) -> None:
    reader = AuthorFactory(username="reader")
    client.force_login(reader)
    comment = _write(client, post)
    assert comment.user_id == reader.pk
    assert f"/comment/{comment.pk}/edit/" in client.get(post.get_absolute_url()).content.decode()
    client.post(f"/comment/{comment.pk}/edit/", {"comment": "Signed-in second thoughts."})
    comment.refresh_from_db()
    assert comment.body == "Signed-in second thoughts."
    other = Client()
    other.force_login(AuthorFactory(username="other"))
    assert other.post(f"/comment/{comment.pk}/edit/", {"comment": "x"}).status_code == 404


@pytest.mark.parametrize("body", ["", "   ", "x" * 70_000])
def test_empty_or_huge_words_are_refused_and_kept(client: Client, post: Post, body: str) -> None:
    comment = _write(client, post)
    response = client.post(f"/comment/{comment.pk}/edit/", {"comment": body})
    assert response.status_code == 400
    comment.refresh_from_db()
    assert comment.body == "A first thought."


def test_hostile_words_are_sanitized(client: Client, post: Post) -> None:
    comment = _write(client, post)
    client.post(f"/comment/{comment.pk}/edit/", {"comment": "<script>alert(1)</script> hi"})
    html = Client().get(post.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in html


def test_a_replayed_edit_form_changes_nothing_more(client: Client, post: Post) -> None:
    comment = _write(client, post)
    for _ in range(2):
        client.post(f"/comment/{comment.pk}/edit/", {"comment": "Same new words."})
    assert CommentRevision.objects.count() == 1


def test_deleting_without_replies_removes_it(client: Client, post: Post) -> None:
    comment = _write(client, post)
    assert "Delete my comment" in client.get(f"/comment/{comment.pk}/delete/").content.decode()
    response = client.post(f"/comment/{comment.pk}/delete/")
    assert response.status_code == 302
    assert not Comment.objects.filter(pk=comment.pk).exists()
    assert Post.objects.get(pk=post.pk).comment_count == 0


def test_deleting_with_replies_leaves_the_tombstone(client: Client, post: Post) -> None:
    comment = _write(client, post)
    reply = approved_comment(post, parent=comment, name="Ben Replier", body="I agree.")
    client.post(f"/comment/{comment.pk}/delete/", **FETCH)
    html = Client().get(post.get_absolute_url()).content.decode()
    assert "This comment was deleted." in html and "I agree." in html
    assert "A first thought." not in html
    assert Comment.objects.get(pk=reply.pk).status == Comment.Status.APPROVED
    # And it cannot be deleted or edited a second time.
    assert client.post(f"/comment/{comment.pk}/delete/").status_code == 404


def test_moderators_see_the_earlier_texts_in_the_queue(client: Client, post: Post) -> None:
    from broadsheet.accounts.models import User

    comment = _write(client, post)
    client.post(f"/comment/{comment.pk}/edit/", {"comment": "Second words."})
    staff = Client()
    staff.force_login(User.objects.create_superuser("editor", "editor@example.org", "pw"))
    html = staff.get("/moderation/").content.decode()
    assert "1 earlier text" in html and "A first thought." in html


def test_a_guests_approved_comment_is_listed_only_for_its_edit_window(
    client: Client, post: Post, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cookie that lists it makes every page personal (never the shared cache): it lasts
    as long as the edit window, a held comment's 30 days (decision 0125)."""
    import time

    from broadsheet.discussion.cookies import pending_ids

    settings.COMMENT_EDIT_MINUTES = 15
    approved = _write(client, post)
    assert approved.status == Comment.Status.APPROVED
    assert client.cookies[PENDING_COOKIE]["max-age"] == 15 * 60
    current = DiscussionSettings.current()
    current.comment_moderation = True
    current.save()
    _age(approved, 1)  # not a flood
    held = _write(client, post, body="A second thought, held.")
    assert held.status == Comment.Status.PENDING
    assert client.cookies[PENDING_COOKIE]["max-age"] == 30 * 24 * 3600
    request = client.get(post.get_absolute_url()).wsgi_request
    assert pending_ids(request) == {approved.pk, held.pk}
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 16 * 60)  # the edit window has closed
    assert pending_ids(request) == {held.pk}
    assert client.get(f"/comment/{approved.pk}/edit/").status_code == 404
