"""The whole journey against an independent ActivityPub server (tests/federation/peer.py):
discovery, following, an essay delivered, a reply held then approved, the author's answer
delivered back, a like, an edit and a deletion from the other side."""

from __future__ import annotations

import pytest
from django.test import Client

from broadsheet.discussion.models import Comment
from broadsheet.discussion.services import Commenter, comment_submit
from broadsheet.federation.models import Delivery, Follower, Remote
from broadsheet.moderation.services import comment_approve
from broadsheet.publishing.models import Post
from broadsheet.publishing.services import post_save
from tests.factories import AuthorFactory, PostFactory
from tests.federation.conftest import run_worker
from tests.federation.peer import Peer

pytestmark = pytest.mark.django_db(transaction=True)


def _types(peer: Peer) -> list[str]:
    return [item["type"] for item in peer.inbox_items]


def test_a_fediverse_reader_follows_reads_replies_and_is_answered(
    federating: str, peer: Peer
) -> None:
    author = AuthorFactory(username="mhale")
    essay = PostFactory(title="On harbours", slug="on-harbours", authors=[author],
                        body="The tide *turns*.[^1]\n\n[^1]: Twice a day.")  # fmt: skip
    host = federating.split("://", 1)[1]
    run_worker()  # sent to nobody: no one follows yet

    # Discovery and following.
    actor_id = peer.webfinger(f"mhale@{host}")
    actor = peer.fetch(actor_id)
    assert (
        actor["preferredUsername"] == "mhale"
        and "BEGIN PUBLIC KEY" in actor["publicKey"]["publicKeyPem"]
    )
    assert peer.send(actor["inbox"], peer.activity("Follow", actor_id)) == 202
    assert Follower.objects.filter(remote__uri=peer.actor_id).count() == 1
    run_worker()
    assert _types(peer) == ["Accept"] and peer.refused == []

    # A new essay is delivered as an Article, by one task queued in the publishing request.
    second = PostFactory(title="On tides", slug="on-tides", authors=[author],
                         body="Moon and *water*.[^1]\n\n[^1]: See the almanac.")  # fmt: skip
    assert run_worker()[0] == "federate_post"
    create = peer.inbox_items[-1]
    assert create["type"] == "Create" and create["object"]["type"] == "Article"
    assert create["object"]["name"] == "On tides" and "almanac" in create["object"]["content"]
    assert peer.refused == []

    # A reply: held (a first comment from this writer), then approved.
    note = peer.note(create["object"]["id"], "<p>Lovely<script>alert(1)</script> essay</p>")
    assert peer.send(actor["inbox"], peer.activity("Create", note)) == 202
    reply = Comment.objects.get(kind=Comment.Kind.FEDIVERSE, post=second)
    assert reply.status == Comment.Status.PENDING and "script" not in reply.body_html
    assert reply.author_url == f"{peer.base}/@alice"
    assert "Lovely" not in Client().get(second.get_absolute_url()).content.decode()
    comment_approve(comment=reply)
    page = Client().get(second.get_absolute_url()).content.decode()
    assert "Lovely" in page and "Alice" in page
    assert f'href="{note["url"]}"' in page and "The original on 127.0.0.1" in page

    # The author answers on the site: delivered to alice's server, in reply to her note.
    comment_submit(post=second, commenter=Commenter(user=author), body="Thank you!",
                   parent_id=reply.pk)  # fmt: skip
    run_worker()
    answer = peer.inbox_items[-1]
    assert answer["type"] == "Create" and answer["object"]["inReplyTo"] == note["id"]
    assert "Thank you" in answer["object"]["content"]

    # Edited by its author: an Update; deleted by a moderator: a Delete.
    from broadsheet.moderation.services import comment_delete, comment_edit

    mine = Comment.objects.get(parent=reply)
    comment_edit(comment=mine, body="Thank you, truly.", author_name=mine.author_name,
                 author_email=mine.author_email, author_url=mine.author_url)  # fmt: skip
    run_worker()
    assert peer.inbox_items[-1]["type"] == "Update"
    assert "truly" in peer.inbox_items[-1]["object"]["content"]
    comment_delete(comment=mine)
    run_worker()
    assert peer.inbox_items[-1]["type"] == "Delete"
    assert peer.inbox_items[-1]["object"]["id"] == answer["object"]["id"]

    # A like: a face under the essay, not a comment in the thread.
    like = peer.activity("Like", create["object"]["id"])
    assert peer.send(actor["inbox"], like) == 202
    assert Remote.objects.filter(kind="like").count() == 1
    like_comment = Remote.objects.get(kind="like").comment
    assert like_comment is not None and like_comment.mention == "like"
    comment_approve(comment=like_comment)  # held as a first comment from a stranger would be
    page = Client().get(second.get_absolute_url()).content.decode()
    assert "1 like" in page and f'href="{peer.base}/@alice"' in page

    # Edited, then deleted on alice's server.
    note["content"] = "<p>Lovely essay, edited</p>"
    assert peer.send(actor["inbox"], peer.activity("Update", note)) == 202
    reply.refresh_from_db()
    assert "edited" in reply.body_html
    assert peer.send(actor["inbox"], peer.activity("Delete", note["id"])) == 202
    assert not Comment.objects.filter(pk=reply.pk, removed=False).exists()

    # A new version sends Update; unpublishing sends Delete; the Article answers 410.
    second.body = "Moon and water, revised."
    post_save(post=second)
    run_worker()
    assert peer.inbox_items[-1]["type"] == "Update"
    second.status = Post.Status.DRAFT
    post_save(post=second)
    run_worker()
    assert peer.inbox_items[-1]["type"] == "Delete"
    assert Client().get(create["object"]["id"]).status_code == 410
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == len(peer.inbox_items)
    assert essay.is_public  # the first essay was never sent (published before the follow)


def test_leaving_sends_delete_and_the_actors_answer_410(federating: str, peer: Peer) -> None:
    from django.core.management import call_command

    author = AuthorFactory(username="mhale")
    PostFactory(authors=[author])
    run_worker()
    actor_id = peer.follow(federating, "mhale")
    run_worker()
    call_command("federation_leave")
    run_worker()
    assert peer.inbox_items[-1]["type"] == "Delete" and peer.inbox_items[-1]["object"] == actor_id
    assert Client().get(actor_id.replace(federating, "")).status_code == 410
    assert peer.send(f"{actor_id}/inbox", peer.activity("Follow", actor_id)) == 410
    assert not Follower.objects.exists()
