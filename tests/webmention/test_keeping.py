"""What a site keeps of the Webmentions it receives, and how it answers for them: the endpoint's
limits (per address, per source host), the admin, the personal-data export and erasure, the JSON
site export, and Post.comment_count leaving likes and reposts out."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from broadsheet.accounts.models import User
from broadsheet.accounts.privacy import personal_data, personal_data_erase
from broadsheet.discussion.models import Comment
from broadsheet.discussion.services import Received, comment_receive, comment_receive_again
from broadsheet.importers.writing import recount_comments
from broadsheet.moderation.services import comment_approve
from broadsheet.publishing.additions import post_marked
from broadsheet.publishing.models import Post
from broadsheet.webmention.models import Mention, Sent
from tests.factories import PostFactory, approved_comment

pytestmark = pytest.mark.django_db


@pytest.fixture
def essay() -> Post:
    return PostFactory(title="On harbours", slug="on-harbours")


def _target(essay: Post) -> str:
    return f"http://testserver{essay.get_absolute_url()}"


def _received(kind: str, name: str = "Ada Lovelace", url: str = "https://ada.example.org/") -> Any:
    return Received(name=name, url=url, body="Nice.", body_html="<p>Nice.</p>",
                    created_at=datetime(2026, 3, 1, tzinfo=UTC), mention=kind)  # fmt: skip


def _mention(essay: Post, kind: str, source: str, **received: str) -> Mention:
    comment = comment_receive(post=essay, received=_received(kind, **received))
    if comment.status != Comment.Status.APPROVED:
        comment = comment_approve(comment=comment)
    return Mention.objects.create(
        source=source, target=_target(essay), post=essay, comment=comment, kind=kind,
        status=Mention.Status.ACCEPTED, author_photo="https://ada.example.org/me.jpg",
    )  # fmt: skip


# --- limits --------------------------------------------------------------------------------


def test_the_endpoint_limits_each_address(client: Client, essay: Post, settings: Any) -> None:
    settings.WEBMENTION_PER_HOUR_IP = 3
    for n in range(3):  # refused requests count too
        assert client.post("/webmention/", {"source": f"https://a{n}.example/"}).status_code == 400
    refused = client.post(
        "/webmention/", {"source": "https://b.example/", "target": _target(essay)}
    )
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert refused["Content-Type"].startswith("text/plain") and not Mention.objects.exists()
    other = client.post("/webmention/", {"source": "https://b.example/", "target": _target(essay)},
                        REMOTE_ADDR="192.0.2.9")  # fmt: skip
    assert other.status_code == 202


def test_the_endpoint_limits_each_source_host(client: Client, essay: Post, settings: Any) -> None:
    settings.WEBMENTION_PER_HOUR_SOURCE = 2
    for n in range(2):
        answer = client.post("/webmention/", {"source": f"https://Blog.example/{n}",
                                              "target": _target(essay)}, REMOTE_ADDR=f"192.0.2.{n}")  # fmt: skip
        assert answer.status_code == 202
    refused = client.post("/webmention/", {"source": "https://blog.example/2",
                                           "target": _target(essay)}, REMOTE_ADDR="192.0.2.50")  # fmt: skip
    assert refused.status_code == 429 and "Retry-After" in refused
    assert Mention.objects.count() == 2
    elsewhere = client.post("/webmention/", {"source": "https://other.example/",
                                             "target": _target(essay)}, REMOTE_ADDR="192.0.2.51")  # fmt: skip
    assert elsewhere.status_code == 202


# --- the count -------------------------------------------------------------------------------


def test_likes_and_reposts_are_not_counted_as_comments(essay: Post, client: Client) -> None:
    _mention(essay, "like", "https://ada.example.org/like")
    _mention(
        essay, "repost", "https://bo.example.org/repost", name="Bo", url="https://bo.example.org/"
    )
    essay.refresh_from_db()
    assert essay.comment_count == 0
    reply = _mention(
        essay, "reply", "https://cy.example.org/reply", name="Cy", url="https://cy.example.org/"
    )
    essay.refresh_from_db()
    assert essay.comment_count == 1
    # A source changed from a reply to a like leaves the count, and comes back.
    assert reply.comment is not None
    comment_receive_again(comment=reply.comment, received=_received("like", "Cy"))
    essay.refresh_from_db()
    assert essay.comment_count == 0
    comment_receive_again(comment=reply.comment, received=_received("reply", "Cy"))
    essay.refresh_from_db()
    assert essay.comment_count == 1
    # The recount after an import agrees with the counters.
    Post.objects.filter(pk=essay.pk).update(comment_count=99)
    recount_comments([essay.pk])
    essay.refresh_from_db()
    assert essay.comment_count == 1
    # What shows the count: the API, the JSON-LD, the comments feed (no likes in it).
    assert client.get(f"/api/v1/threads?post={essay.pk}").json()["comment_count"] == 1
    page = client.get(essay.get_absolute_url()).content.decode()
    assert '"commentCount": 1' in page or '"commentCount":1' in page
    feed = client.get("/comments/feed/").content.decode()
    assert feed.count("<item>") == 1


def test_deleting_a_like_leaves_the_count_alone(essay: Post) -> None:
    from broadsheet.moderation.services import comment_delete, comment_trash

    like = _mention(essay, "like", "https://ada.example.org/like")
    _mention(
        essay, "reply", "https://cy.example.org/reply", name="Cy", url="https://cy.example.org/"
    )
    assert like.comment is not None
    comment_trash(comment=like.comment)
    essay.refresh_from_db()
    assert essay.comment_count == 1
    like.comment.refresh_from_db()
    comment_delete(comment=like.comment)
    essay.refresh_from_db()
    assert essay.comment_count == 1


# --- the admin -------------------------------------------------------------------------------


def test_moderators_see_mentions_and_remove_or_recheck_them(
    essay: Post, django_capture_on_commit_callbacks: Any
) -> None:
    mention = _mention(essay, "reply", "https://ada.example.org/reply")
    Sent.objects.create(post=essay, target="https://elsewhere.example/", status="failed")
    boss = User.objects.create_superuser("boss", "boss@example.org", "a long pass phrase 42")
    client = Client()
    client.force_login(boss)
    listing = client.get("/admin/webmention/mention/")
    assert (
        listing.status_code == 200 and "https://ada.example.org/reply" in listing.content.decode()
    )
    assert client.get(f"/admin/webmention/mention/{mention.pk}/change/").status_code == 200
    sent = client.get("/admin/webmention/sent/")
    assert sent.status_code == 200 and "elsewhere.example" in sent.content.decode()
    assert client.get("/admin/webmention/mention/add/").status_code == 403
    with django_capture_on_commit_callbacks(execute=False):
        client.post("/admin/webmention/mention/",
                    {"action": "check_again", "_selected_action": [mention.pk]})  # fmt: skip
    mention.refresh_from_db()
    assert mention.status == Mention.Status.QUEUED
    client.post(
        "/admin/webmention/mention/", {"action": "remove", "_selected_action": [mention.pk]}
    )
    mention.refresh_from_db()
    assert mention.status == Mention.Status.REMOVED and mention.comment is None
    essay.refresh_from_db()
    assert essay.comment_count == 0 and not Comment.objects.exists()
    with django_capture_on_commit_callbacks(execute=False):
        client.post("/admin/webmention/sent/",
                    {"action": "send_again", "_selected_action": [Sent.objects.get().pk]})  # fmt: skip
    assert Sent.objects.get().status == Sent.Status.QUEUED


def test_a_reader_without_comment_rights_sees_no_mentions(essay: Post) -> None:
    staff = User.objects.create_user("w", "w@example.org", "a long pass phrase 42", is_staff=True)
    client = Client()
    client.force_login(staff)
    assert client.get("/admin/webmention/mention/").status_code == 403
    assert client.get("/admin/webmention/sent/").status_code == 403


# --- personal data ----------------------------------------------------------------------------


def _with_website(website: str) -> User:
    user = User.objects.create_user("ada", "ada@example.net", "a long pass phrase 42")
    user.profile.website = website
    user.profile.save()
    return user


def test_a_persons_mentions_are_exported_by_their_website(essay: Post) -> None:
    _mention(essay, "like", "https://ada.example.org/2026/like")
    _mention(essay, "reply", "https://ada.example.org.evil.example/x", name="Eve",
             url="https://ada.example.org.evil.example/")  # fmt: skip
    _mention(
        essay, "reply", "https://bo.example.org/reply", name="Bo", url="https://bo.example.org/"
    )
    user = _with_website("https://ada.example.org/")
    found = personal_data(email=user.email, user=user)["webmentions"]
    assert [m["source"] for m in found] == ["https://ada.example.org/2026/like"]
    assert found[0]["author_photo"] == "https://ada.example.org/me.jpg"
    assert personal_data(email="ada@example.org", user=None)["webmentions"] == []


def test_erasure_drops_who_wrote_a_mention_and_keeps_its_words(essay: Post) -> None:
    mine = _mention(essay, "reply", "https://ada.example.org/reply")
    theirs = _mention(
        essay, "reply", "https://bo.example.org/r", name="Bo", url="https://bo.example.org/"
    )
    user = _with_website("https://ada.example.org")
    counts = personal_data_erase(email=user.email, user=user, remove_text=False)
    assert counts["webmentions_anonymised"] == 1
    mine.refresh_from_db()
    assert mine.author_photo == "" and mine.comment is not None
    assert (mine.comment.author_name, mine.comment.author_url) == ("Anonymous", "")
    assert mine.comment.body == "Nice."
    theirs.refresh_from_db()
    assert theirs.comment is not None and theirs.comment.author_name == "Bo"


# --- the JSON site export ---------------------------------------------------------------------


def test_the_json_export_keeps_mentions_and_their_types(
    essay: Post, tmp_path: Path, settings: Any
) -> None:
    settings.SITE_URL = "https://essays.example.org"
    _mention(essay, "like", "https://ada.example.org/like")
    _mention(
        essay, "reply", "https://cy.example.org/reply", name="Cy", url="https://cy.example.org/"
    )
    path = tmp_path / "site.json"
    call_command("export", "json", "--output", str(path), stdout=io.StringIO())
    document = json.loads(path.read_text())
    assert [m["kind"] for m in document["mentions"]] == ["like", "reply"]
    assert [c.get("mention") for c in document["comments"]] == ["like", "reply"]

    Mention.objects.all().delete()
    Comment.objects.all().delete()
    Post.objects.all().delete()
    call_command("import", "json", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    restored = {m.source: m for m in Mention.objects.select_related("comment", "post")}
    like = restored["https://ada.example.org/like"]
    assert like.comment is not None and like.comment.mention == "like"
    assert like.post.title == "On harbours" and like.post.comment_count == 1
    assert post_marked(like.post, "webmention")  # its page reads the faces
    # A file written before Webmention (no "mentions", no comment types) still imports.
    del document["mentions"]
    for row in document["comments"]:
        row.pop("mention", None)
    older = tmp_path / "older.json"
    older.write_text(json.dumps(document))
    out = io.StringIO()
    call_command("import", "json", str(older), "--dry-run", stdout=out, stderr=io.StringIO())


def test_the_migration_counts_liked_essays_again(essay: Post) -> None:
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "broadsheet.webmention.migrations.0003_count_without_reactions"
    )
    other = PostFactory(title="Unliked", slug="unliked")
    approved_comment(essay, name="Ada")
    approved_comment(essay, name="Lia", kind="webmention", mention="like")
    approved_comment(essay, name="Rob", kind="webmention", mention="repost")
    approved_comment(other, name="Cy")
    # As counted before decision 0103: every approved comment, likes included.
    Post.objects.filter(pk=essay.pk).update(comment_count=3)
    Post.objects.filter(pk=other.pk).update(comment_count=7)  # not liked: left alone
    migration.recount(apps, None)
    essay.refresh_from_db()
    other.refresh_from_db()
    assert (essay.comment_count, other.comment_count) == (1, 7)
