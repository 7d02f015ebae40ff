"""The editor: saving through post_save, preview, autosave, roles, conflicts, hostile input."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from broadsheet.accounts.models import User
from broadsheet.publishing.models import Post, Revision
from broadsheet.studio.forms import MAX_BODY
from broadsheet.studio.models import Autosave, ReviewNote
from tests.factories import PostFactory
from tests.html_safety import assert_no_script

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("x")</script>'


def form(**fields: Any) -> dict[str, Any]:
    data = {"title": "On harbours", "body": "A paragraph.", "status": "draft", "do": "save"}
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def draft_by(user: User, **fields: Any) -> Post:
    fields.setdefault("status", Post.Status.DRAFT)
    fields.setdefault("published_at", None)
    return PostFactory(authors=[user], **fields)


def edit_form(post: Post, **fields: Any) -> dict[str, Any]:
    post.refresh_from_db()
    return form(based_on=str(post.revision), **fields)


def test_a_contributor_writes_a_draft_and_submits_it(writer: User) -> None:
    client = logged_in(writer)
    assert client.get("/studio/posts/new/").status_code == 200
    response = client.post("/studio/posts/new/", form())
    post = Post.objects.get(title="On harbours")
    assert response.status_code == 302 and response["Location"] == f"/studio/posts/{post.pk}/"
    assert (post.status, post.published_at, list(post.authors.all())) == ("draft", None, [writer])
    assert post.body_html == "<p>A paragraph.</p>\n" or "A paragraph." in post.body_html
    post.refresh_from_db()
    response = client.post(f"/studio/posts/{post.pk}/", edit_form(post, do="submit"))
    post.refresh_from_db()
    assert response.status_code == 302 and post.status == Post.Status.PENDING
    assert not Post.objects.public().filter(pk=post.pk).exists()
    # Still theirs to edit while pending.
    assert client.get(f"/studio/posts/{post.pk}/").status_code == 200


@pytest.mark.parametrize("forged", ["published", "scheduled", "private"])
def test_a_contributor_cannot_publish_with_a_forged_status(writer: User, forged: str) -> None:
    client = logged_in(writer)
    response = client.post(
        "/studio/posts/new/", form(status=forged, published_at="2020-01-01T10:00")
    )
    assert response.status_code == 400
    assert b"Select a valid choice" in response.content
    assert b"On harbours" in response.content  # the text is kept
    assert not Post.objects.exists()


def test_a_contributor_cannot_press_publish(writer: User) -> None:
    client = logged_in(writer)
    response = client.post("/studio/posts/new/", form(do="publish"))
    assert response.status_code == 403 and not Post.objects.exists()
    assert b"an Editor publishes it" in response.content


def test_a_contributor_cannot_give_a_post_to_someone_else(writer: User, author: User) -> None:
    client = logged_in(writer)
    response = client.post("/studio/posts/new/", form(authors=[author.pk]))
    assert response.status_code == 400 and not Post.objects.exists()
    assert b"Keep yourself among the authors" in response.content
    response = client.post("/studio/posts/new/", form(authors=[author.pk, writer.pk]))
    post = Post.objects.get()
    assert set(post.authors.all()) == {author, writer}


def test_a_subscriber_is_no_author(writer: User) -> None:
    from tests.factories import role_member

    reader = role_member("Subscriber", "reader")
    response = logged_in(writer).post("/studio/posts/new/", form(authors=[writer.pk, reader.pk]))
    assert response.status_code == 400 and not Post.objects.exists()


def test_a_contributor_cannot_edit_a_published_post(writer: User) -> None:
    post = PostFactory(authors=[writer])
    client = logged_in(writer)
    assert client.get(f"/studio/posts/{post.pk}/").status_code == 403
    assert (
        client.post(f"/studio/posts/{post.pk}/", edit_form(post, title="Changed")).status_code
        == 403
    )
    post.refresh_from_db()
    assert post.title != "Changed"


def test_others_drafts_are_not_found_and_public_posts_refused(writer: User, author: User) -> None:
    theirs = draft_by(author)
    public = PostFactory(authors=[author])
    client = logged_in(writer)
    for url in ("", "autosave/", "preview/"):
        method = client.get if url == "" else client.post
        assert method(f"/studio/posts/{theirs.pk}/{url}", form()).status_code == 404
        assert method(f"/studio/posts/{public.pk}/{url}", form()).status_code == 403
    assert client.post(f"/studio/posts/{theirs.pk}/", edit_form(theirs)).status_code == 404
    assert not Autosave.objects.exists()


def test_an_author_publishes_own_and_schedules(author: User) -> None:
    client = logged_in(author)
    client.post("/studio/posts/new/", form(do="publish"))
    post = Post.objects.get()
    assert post.status == Post.Status.PUBLISHED and post.is_public
    later = (timezone.localtime() + timezone.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    client.post("/studio/posts/new/", form(title="Later", do="publish", published_at=later))
    scheduled = Post.objects.get(title="Later")
    assert scheduled.status == Post.Status.SCHEDULED and not scheduled.is_public


def test_an_author_cannot_edit_anothers_post(author: User, writer: User) -> None:
    theirs = draft_by(writer, status=Post.Status.PENDING)
    assert logged_in(author).get(f"/studio/posts/{theirs.pk}/").status_code == 404


def test_an_editor_reviews_a_pending_post_leaves_a_note_and_publishes(
    writer: User, editor: User
) -> None:
    post = draft_by(writer, status=Post.Status.PENDING)
    client = logged_in(editor)
    listing = client.get("/studio/?status=pending")
    assert post.title.encode() in listing.content
    response = client.post(
        f"/studio/posts/{post.pk}/notes/", {"note": f"Tighten the opening {SCRIPT}"}
    )
    assert response.status_code == 302
    note = ReviewNote.objects.get()
    assert note.author == editor
    page = logged_in(writer).get(f"/studio/posts/{post.pk}/").content.decode()
    assert "Tighten the opening &lt;script&gt;" in page and SCRIPT not in page
    post.refresh_from_db()
    client.post(f"/studio/posts/{post.pk}/", edit_form(post, do="publish"))
    post.refresh_from_db()
    assert post.status == Post.Status.PUBLISHED
    assert list(post.authors.all()) == [writer]  # the reviewer is not made an author


def test_only_reviewers_leave_notes(writer: User) -> None:
    post = draft_by(writer)
    assert (
        logged_in(writer).post(f"/studio/posts/{post.pk}/notes/", {"note": "x"}).status_code == 403
    )
    assert not ReviewNote.objects.exists()


def test_the_list_shows_own_posts_to_writers_and_all_to_editors(
    writer: User, author: User, editor: User
) -> None:
    mine, theirs = draft_by(writer, title="Mine"), draft_by(author, title="Theirs")
    page = logged_in(writer).get("/studio/").content
    assert b"Mine" in page and b"Theirs" not in page
    page = logged_in(editor).get("/studio/").content
    assert b"Mine" in page and b"Theirs" in page
    assert mine.pk != theirs.pk
    found = logged_in(editor).get("/studio/?q=thei").content
    assert b"Theirs" in found and b">Mine<" not in found


def test_hostile_text_is_escaped_everywhere(author: User) -> None:
    client = logged_in(author)
    client.post("/studio/posts/new/", form(title=SCRIPT, body=f"Text {SCRIPT}", excerpt=SCRIPT))
    post = Post.objects.get()
    for url in ("/studio/", f"/studio/posts/{post.pk}/"):
        page = client.get(url).content.decode()
        assert SCRIPT not in page
    preview = client.post(f"/studio/posts/{post.pk}/preview/", form(title=SCRIPT, body=SCRIPT))
    assert_no_script(preview.content.decode())
    assert_no_script(post.body_html)
    assert_no_script(post.excerpt_html)


def test_a_huge_text_gets_a_clear_message_and_nothing_is_lost(author: User) -> None:
    client = logged_in(author)
    body = "word " * (MAX_BODY // 5 + 10)
    response = client.post("/studio/posts/new/", form(body=body))
    assert response.status_code == 400 and not Post.objects.exists()
    assert b"a post holds at most" in response.content
    assert body.encode() in response.content
    preview = client.post("/studio/posts/new/preview/", form(body=body))
    assert b"too long to preview" in preview.content
    assert client.post("/studio/posts/new/autosave/", form(body=body)).status_code == 413


def test_preview_renders_unsaved_text_without_saving(author: User) -> None:
    post = draft_by(author, body="Stored text.")
    client = logged_in(author)
    body = "## Part one\n\nNew text.[^1]\n\n## Part two\n\nMore.\n\n[^1]: A note."
    response = client.post(f"/studio/posts/{post.pk}/preview/", form(body=body))
    html = response.content.decode()
    assert "New text." in html and "Contents" in html and "A note." in html
    post.refresh_from_db()
    assert post.body == "Stored text."
    # Without JavaScript: the Preview button shows the same in the page, text kept.
    page = client.post(f"/studio/posts/{post.pk}/", edit_form(post, body=body, do="preview"))
    assert page.status_code == 200 and b"A note." in page.content
    post.refresh_from_db()
    assert post.body == "Stored text."


def test_autosave_keeps_text_apart_from_the_post_and_offers_it_back(author: User) -> None:
    post = draft_by(author, body="Stored text.")
    client = logged_in(author)
    response = client.post(f"/studio/posts/{post.pk}/autosave/", form(body="Typed on."))
    assert response.status_code == 200 and response.json()["message"].startswith("Autosaved")
    client.post(f"/studio/posts/{post.pk}/autosave/", form(body="Typed on and on."))
    assert Autosave.objects.get().body == "Typed on and on."
    post.refresh_from_db()
    assert post.body == "Stored text."
    page = client.get(f"/studio/posts/{post.pk}/").content.decode()
    assert "Load the autosave" in page and "Typed on and on." not in page
    page = client.get(f"/studio/posts/{post.pk}/?restore=autosave").content.decode()
    assert "Typed on and on." in page
    client.post(f"/studio/posts/{post.pk}/", edit_form(post, body="Typed on and on."))
    assert not Autosave.objects.exists()


def test_autosave_and_preview_need_the_csrf_token(author: User) -> None:
    post = draft_by(author)
    client = Client(enforce_csrf_checks=True)
    client.force_login(author)
    for url in ("autosave/", "preview/", ""):
        assert client.post(f"/studio/posts/{post.pk}/{url}", edit_form(post)).status_code == 403
    assert not Autosave.objects.exists()


def test_a_second_save_on_an_old_version_is_refused_and_its_text_kept(
    author: User, editor: User
) -> None:
    post = draft_by(author, body="First text.")
    loaded = str(post.revision)
    logged_in(editor).post(f"/studio/posts/{post.pk}/", edit_form(post, body="Editor's text."))
    response = logged_in(author).post(
        f"/studio/posts/{post.pk}/", form(based_on=loaded, body="Author's text.")
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else saved this post" in html and "Author&#x27;s text." in html
    post.refresh_from_db()
    assert post.body == "Editor's text."
    refused = Revision.objects.get(post=post, origin=Revision.Origin.REFUSED)
    assert (refused.body, refused.author, refused.based_on) == (
        "Author's text.",
        author,
        int(loaded),
    )
    compare = f"/studio/posts/{post.pk}/revisions/compare/?a="
    assert compare in html and f"b={refused.pk}" in html


def test_a_save_without_the_version_it_started_from_is_refused(author: User) -> None:
    post = draft_by(author, body="First text.")
    for forged in (None, "", "abc", "-1", "9" * 40):
        response = logged_in(author).post(
            f"/studio/posts/{post.pk}/", form(based_on=forged, body="X")
        )
        assert response.status_code == 400, forged
        assert b"which version you edited" in response.content
    post.refresh_from_db()
    assert post.body == "First text."
