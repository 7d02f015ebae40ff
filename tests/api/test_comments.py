"""Writing through the API: the form's rules, spam scoring, moderation and notices, as the
site's own comment form applies them (discussion.services.comment_submit)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.test import Client
from django.utils import timezone

from broadsheet.discussion.models import Comment, DiscussionSettings
from broadsheet.publishing.models import Post
from tests.api.conftest import bearer, post_json
from tests.factories import approved_comment


def _settings(**changes: Any) -> None:
    settings = DiscussionSettings.current()
    for name, value in changes.items():
        setattr(settings, name, value)
    settings.save()


def _guest(**fields: Any) -> dict[str, Any]:
    return {"name": "Ada", "email": "ada@example.org", "body": "A fair point.", **fields}


def test_a_guest_comment_is_held_and_marked_for_the_moderators(client: Client, essay: Post) -> None:
    response = post_json(client, "/api/v1/comments", _guest(thread=essay.pk))
    assert response.status_code == 201
    data = response.json()
    assert data["status"] == "pending" and data["edit_key"]
    comment = Comment.objects.get(pk=data["id"])
    assert comment.status == "pending" and comment.notice_due  # the worker tells moderators
    assert comment.moderation_reason.startswith("First comment from this author")


def test_the_disallowed_words_bin_a_comment_as_the_form_does(client: Client, essay: Post) -> None:
    _settings(disallowed_keys="casino")
    response = post_json(client, "/api/v1/comments", _guest(thread=essay.pk, body="Cheap casino!"))
    assert response.status_code == 201 and response.json()["status"] == "trash"
    assert client.get(f"/api/v1/threads/{essay.pk}/comments").json()["comments"] == []


def test_a_guest_who_was_approved_before_is_approved_at_once(client: Client, essay: Post) -> None:
    approved_comment(essay, name="Ada", author_email="ada@example.org")
    response = post_json(client, "/api/v1/comments", _guest(thread=essay.pk, body="Again."))
    assert response.json()["status"] == "approved"
    assert client.get(f"/api/v1/threads?post={essay.pk}").json()["comment_count"] == 2


def test_the_form_rules_answer_with_their_code_and_field(client: Client, essay: Post) -> None:
    missing = post_json(client, "/api/v1/comments", _guest(thread=essay.pk, name=""))
    assert missing.status_code == 422
    assert missing.json()["error"]["code"] == "required"
    assert missing.json()["error"]["fields"] == {"name": "Please fill the required fields."}
    post_json(client, "/api/v1/comments", _guest(thread=essay.pk, body="Twice."))
    twice = post_json(client, "/api/v1/comments", _guest(thread=essay.pk, body="Twice."))
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "duplicate"


def test_closed_comments_are_refused(client: Client, essay: Post) -> None:
    Post.objects.filter(pk=essay.pk).update(comments_open=False)
    response = post_json(client, "/api/v1/comments", _guest(thread=essay.pk))
    assert response.status_code == 403 and response.json()["error"]["code"] == "closed"


def test_a_site_that_needs_an_account_refuses_guests_but_takes_a_token(
    client: Client, essay: Post, reader: Any
) -> None:
    _settings(comment_registration=True)
    guest = post_json(client, "/api/v1/comments", _guest(thread=essay.pk))
    assert guest.status_code == 403 and guest.json()["error"]["code"] == "registration"
    signed = post_json(
        client, "/api/v1/comments", {"thread": essay.pk, "body": "Mine."},
        **bearer(reader, "comment"),
    )  # fmt: skip
    assert signed.status_code == 201
    assert signed.json()["author"]["name"] == reader.display_name
    assert signed.json()["edit_key"] is None


def test_a_forged_parent_on_another_post_is_refused(client: Client, essay: Post) -> None:
    from tests.factories import PostFactory

    elsewhere = approved_comment(PostFactory())
    response = post_json(client, "/api/v1/comments", _guest(thread=essay.pk, parent=elsewhere.pk))
    assert response.status_code == 422 and response.json()["error"]["code"] == "parent"


def test_a_reply_to_a_held_comment_is_refused(client: Client, essay: Post) -> None:
    held = approved_comment(essay, status="pending")
    response = post_json(client, "/api/v1/comments", _guest(thread=essay.pk, parent=held.pk))
    assert response.status_code == 403 and response.json()["error"]["code"] == "parent"


def test_a_draft_or_unknown_thread_is_not_found(client: Client, essay: Post) -> None:
    Post.objects.filter(pk=essay.pk).update(status=Post.Status.DRAFT)
    for thread in (essay.pk, 999_999):
        response = post_json(client, "/api/v1/comments", _guest(thread=thread))
        assert response.status_code == 404, thread
    assert not Comment.objects.exists()


def test_a_page_of_another_origin_starts_no_thread(client: Client, db: None) -> None:
    response = post_json(
        client, "/api/v1/comments", _guest(url="https://evil.example/x/", title="Spam")
    )
    assert response.status_code == 404
    assert "EMBED_ALLOWED_ORIGINS" in response.json()["error"]["message"]
    assert not Post.objects.filter(kind=Post.Kind.THREAD).exists()


def test_a_refused_first_comment_leaves_no_empty_thread(client: Client, db: None) -> None:
    response = post_json(
        client, "/api/v1/comments", _guest(url="https://blog.example.org/a/", body="   ")
    )
    assert response.status_code == 422 and response.json()["error"]["code"] == "empty"
    assert not Post.objects.filter(kind=Post.Kind.THREAD).exists()


def test_a_guest_edits_and_deletes_with_the_edit_key(client: Client, essay: Post) -> None:
    made = post_json(client, "/api/v1/comments", _guest(thread=essay.pk)).json()
    path = f"/api/v1/comments/{made['id']}"
    without = client.patch(path, {"body": "Changed."}, content_type="application/json")
    assert without.status_code == 404
    for forged in ("é" * 64, made["edit_key"][:-1], made["edit_key"] + "0", "\x00", "x" * 9000):
        wrong = client.patch(path, {"body": "Changed."}, content_type="application/json",
                             HTTP_X_EDIT_KEY=forged)  # fmt: skip
        assert wrong.status_code == 404, forged
    # The key holds after the comment is read again from the database (its stored time).
    assert len(made["edit_key"]) == 64
    key = {"HTTP_X_EDIT_KEY": made["edit_key"]}
    edited = client.patch(path, {"body": "*Changed*."}, content_type="application/json", **key)
    assert edited.status_code == 200 and edited.json()["html"].strip() == "<p><em>Changed</em>.</p>"
    assert client.delete(path, **key).status_code == 204
    assert not Comment.objects.filter(pk=made["id"]).exists()


def test_nobody_edits_another_persons_comment(client: Client, essay: Post, reader: Any) -> None:
    theirs = approved_comment(essay)
    path = f"/api/v1/comments/{theirs.pk}"
    token = bearer(reader, "comment")
    response = client.patch(path, {"body": "Mine now."}, content_type="application/json", **token)
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    assert client.delete(path, **token).status_code == 404
    assert client.delete(path, HTTP_X_EDIT_KEY="guessed").status_code == 404
    theirs.refresh_from_db()
    assert theirs.body == "A fair point."


def test_the_edit_window_closes(client: Client, essay: Post, reader: Any, settings: Any) -> None:
    settings.API_EDIT_MINUTES = 15
    mine = approved_comment(essay, user=reader, created_at=timezone.now() - timedelta(minutes=16))
    response = client.patch(
        f"/api/v1/comments/{mine.pk}", {"body": "Late."}, content_type="application/json",
        **bearer(reader, "comment"),
    )  # fmt: skip
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "edit_window_closed"


def test_a_reader_edits_their_own_comment_with_a_token(
    client: Client, essay: Post, reader: Any
) -> None:
    mine = approved_comment(essay, user=reader, created_at=timezone.now())
    response = client.patch(
        f"/api/v1/comments/{mine.pk}", {"body": "Better words."},
        content_type="application/json", **bearer(reader, "comment"),
    )  # fmt: skip
    assert response.status_code == 200
    mine.refresh_from_db()
    assert mine.body == "Better words." and mine.status == "approved"


def test_preview_renders_the_markdown_as_the_thread_will(client: Client, db: None) -> None:
    response = post_json(client, "/api/v1/preview", {"body": "**bold** <script>x()</script>"})
    assert response.status_code == 200
    html = response.json()["html"]
    assert "<strong>bold</strong>" in html and "<script" not in html
