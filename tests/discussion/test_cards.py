"""Stored comment cards (decision 0017): built when an approved comment is saved, used only
while they match the site-wide inputs, rebuilt after the changes that make them stale, and
never shown stale."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django_tasks_db.models import DBTaskResult

from broadsheet.accounts.models import User
from broadsheet.discussion.models import Comment, DiscussionSettings
from broadsheet.discussion.rendering import card_key
from broadsheet.discussion.tasks import rebuild_comment_cards
from tests.factories import PostFactory, approved_comment

pytestmark = pytest.mark.django_db(transaction=True)  # the rebuilds are queued after commit


def _queued_rebuilds() -> list[Any]:
    return [
        r.args_kwargs["args"]
        for r in DBTaskResult.objects.filter(task_path__endswith="rebuild_comment_cards")
    ]


def test_an_approved_comment_has_its_card_and_a_held_one_none(author: Any) -> None:
    post = PostFactory(authors=[author])
    shown = approved_comment(post, body="Shown to all.")
    held = approved_comment(post, body="Waiting.", status=Comment.Status.PENDING)
    shown.refresh_from_db()
    held.refresh_from_db()
    assert "Shown to all." in shown.card_html
    assert shown.card_key == card_key(DiscussionSettings.current())
    assert (held.card_html, held.card_key) == ("", "")

    held.status = Comment.Status.APPROVED
    held.save(update_fields=["status"])  # approving builds it
    held.refresh_from_db()
    assert "Waiting." in held.card_html and held.card_key


def test_an_edit_is_shown_at_once(client: Client, author: Any) -> None:
    post = PostFactory(authors=[author])
    comment = approved_comment(post, body="First words.")
    comment.body_html = "<p>Better words.</p>"
    comment.save()
    html = client.get(post.get_absolute_url()).content.decode()
    assert "Better words." in html and "First words." not in html


def test_a_renamed_commenter_is_shown_by_the_new_name_at_once_and_rebuilt_by_the_worker(
    client: Client, author: Any
) -> None:
    post = PostFactory(authors=[author])
    reader = User.objects.create_user("rea", "rea@example.net", "a long pass phrase 42")
    reader.profile.display_name = "Rea Old"  # type: ignore[attr-defined]
    reader.profile.save()  # type: ignore[attr-defined]
    comment = approved_comment(post, user=reader, name="Rea", author_email="")
    assert "Rea Old" in Comment.objects.get(pk=comment.pk).card_html

    reader.profile.display_name = "Rea New"  # type: ignore[attr-defined]
    reader.profile.save()  # type: ignore[attr-defined]
    html = client.get(post.get_absolute_url()).content.decode()
    assert "Rea New" in html and "Rea Old" not in html  # the stale card is not used
    assert _queued_rebuilds() == [[reader.pk]]

    assert rebuild_comment_cards.call(reader.pk) == 1
    rebuilt = Comment.objects.get(pk=comment.pk)
    assert "Rea New" in rebuilt.card_html
    assert rebuilt.card_key == card_key(DiscussionSettings.current())


def test_avatar_settings_make_every_card_stale_until_the_worker_rebuilds_them(
    client: Client, author: Any
) -> None:
    post = PostFactory(authors=[author])
    for n in range(3):
        approved_comment(post, body=f"Comment {n}.")
    assert 'class="avatar"' in client.get(post.get_absolute_url()).content.decode()

    settings = DiscussionSettings.current()
    settings.show_avatars = False
    settings.save()
    assert 'class="avatar"' not in client.get(post.get_absolute_url()).content.decode()
    assert _queued_rebuilds() == [[]]
    assert rebuild_comment_cards.call() == 3
    assert not Comment.objects.exclude(card_key=card_key(DiscussionSettings.current())).exists()
    assert rebuild_comment_cards.call() == 0  # nothing left to do


def test_an_import_builds_the_cards_of_what_it_wrote(tmp_path: Any) -> None:
    import gzip
    import io
    from pathlib import Path

    from django.core.management import call_command

    export = Path(__file__).parents[1] / "importers" / "data" / "seed-site.wxr.xml.gz"
    wxr = tmp_path / "site.xml"
    wxr.write_bytes(gzip.decompress(export.read_bytes()))
    call_command("import", "wordpress", str(wxr), stdout=io.StringIO(), stderr=io.StringIO())
    approved = Comment.objects.filter(status=Comment.Status.APPROVED, removed=False)
    assert approved.count() > 2000
    assert not approved.exclude(card_key=card_key(DiscussionSettings.current())).exists()


def test_a_deleted_account_leaves_no_card_linking_to_it(client: Client, author: Any) -> None:
    post = PostFactory(authors=[author])
    reader = User.objects.create_user("gone", "gone@example.net", "a long pass phrase 42")
    comment = approved_comment(post, user=reader, name="Gone Reader", author_email="")
    assert "/people/gone/" in client.get(post.get_absolute_url()).content.decode()

    reader.delete()
    html = client.get(post.get_absolute_url()).content.decode()
    assert "/people/gone/" not in html and "Gone Reader" in html
    assert _queued_rebuilds() == [[]]
    rebuild_comment_cards.call()
    assert "/people/gone/" not in Comment.objects.get(pk=comment.pk).card_html
