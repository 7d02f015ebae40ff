"""Revisions: every save path takes one, the cap, edit conflicts, restore (decision 0038)."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client, override_settings
from django.utils import timezone

from broadsheet.accounts.models import User
from broadsheet.publishing.models import Post, Revision
from broadsheet.publishing.revisions import EditConflict, revision_restore
from broadsheet.publishing.services import post_save, posts_publish_due
from tests.factories import AuthorFactory, PostFactory, role_member
from tests.processes import broadsheet, broadsheet_env

pytestmark = pytest.mark.django_db

BOOK = {"kind": "book", "key": "marsh1998", "title": "Harbours", "issued": "1998",
        "contributors": {"author": [{"family": "Marsh", "given": "Ada"}]}}  # fmt: skip


def _revisions(post: Post) -> list[Revision]:
    return list(Revision.objects.filter(post=post).order_by("id"))


def _draft(**fields: object) -> Post:
    return PostFactory(status=Post.Status.DRAFT, published_at=None, **fields)


def test_every_save_that_changes_the_text_is_a_numbered_revision() -> None:
    writer = AuthorFactory()
    post = _draft(title="First", body="One two three.")
    post.body = "One two four five."
    post_save(post=post, by=writer)
    post.status = Post.Status.DRAFT  # a save that changes nothing takes no revision
    post_save(post=post, by=writer)
    revisions = _revisions(post)
    assert [r.number for r in revisions] == [1, 2]
    assert revisions[1].author == writer and revisions[1].body == "One two four five."
    assert (revisions[1].words_added, revisions[1].words_removed) == (2, 1)
    post.refresh_from_db()
    assert post.revision == 2 and post.version == 0  # a draft has no published version


def test_references_are_kept_as_csl_json_items() -> None:
    post = _draft()
    post_save(post=post, references=[BOOK])
    latest = _revisions(post)[-1]
    assert latest.references == [
        {"id": "marsh1998", "type": "book", "title": "Harbours",
         "author": [{"family": "Marsh", "given": "Ada"}], "issued": {"date-parts": [[1998]]}}
    ]  # fmt: skip


def test_published_saves_are_versions_and_a_scheduled_post_gets_one_when_it_goes_live() -> None:
    post = _draft(body="Draft.")
    post.status, post.body = Post.Status.PUBLISHED, "Published."
    post_save(post=post)
    post.body = "Revised."
    post_save(post=post)
    assert [(r.number, r.version) for r in _revisions(post)] == [(1, None), (2, 1), (3, 2)]
    post.refresh_from_db()
    assert post.version == 2 and post.version_at is not None

    later = PostFactory(
        status=Post.Status.SCHEDULED, published_at=timezone.now() + timedelta(hours=1)
    )
    assert _revisions(later)[-1].version is None
    posts_publish_due(now=timezone.now() + timedelta(hours=2))
    assert _revisions(later)[-1].version == 1


def test_publishing_a_draft_unchanged_makes_its_revision_version_one() -> None:
    post = _draft(body="Ready.")
    post.status = Post.Status.PUBLISHED
    post_save(post=post)
    assert [(r.number, r.version) for r in _revisions(post)] == [(1, 1)]


def test_a_private_post_has_no_public_versions() -> None:
    post = PostFactory(status=Post.Status.PRIVATE)
    assert _revisions(post)[-1].version is None


@pytest.mark.parametrize(
    ("cap", "kept"),
    [(-1, [1, 2, 3, 4, 5]), (0, []), (2, [4, 5])],
)
def test_the_cap_keeps_the_last_n_as_wordpress(cap: int, kept: list[int]) -> None:
    with override_settings(POST_REVISIONS=cap):
        post = _draft(body="v1")
        for n in range(2, 6):
            post.body = f"v{n}"
            post_save(post=post)
    assert [r.number for r in _revisions(post)] == kept
    post.refresh_from_db()
    assert post.revision == 5  # numbers are never reused


def test_the_cap_never_deletes_published_versions_or_refused_saves() -> None:
    with override_settings(POST_REVISIONS=0):
        post = PostFactory(body="v1")
        post.body = "v2"
        post_save(post=post)
        stale = Post.objects.get(pk=post.pk)
        stale.body = "someone else's"
        with pytest.raises(EditConflict):
            post_save(post=stale, based_on=1)
    assert [(r.number, r.version, r.origin) for r in _revisions(post)] == [
        (1, 1, "saved"), (2, 2, "saved"), (None, None, "refused"),
    ]  # fmt: skip


def test_a_save_based_on_an_old_revision_is_refused_and_kept() -> None:
    first, second = AuthorFactory(), AuthorFactory()
    post = _draft(body="Base text.")
    mine, theirs = Post.objects.get(pk=post.pk), Post.objects.get(pk=post.pk)
    mine.body = "My change."
    post_save(post=mine, by=first, based_on=1)
    theirs.body = "Their change <script>alert(1)</script>."
    with pytest.raises(EditConflict) as refused:
        post_save(post=theirs, by=second, based_on=1, references=[BOOK])
    kept = refused.value.revision
    assert kept.pk and kept.origin == Revision.Origin.REFUSED and kept.based_on == 1
    assert kept.author == second and kept.references[0]["id"] == "marsh1998"
    post.refresh_from_db()
    assert post.body == "My change." and post.revision == 2
    assert Revision.objects.get(pk=kept.pk).body == theirs.body  # committed, not rolled back
    assert not post.references.exists()


def test_a_save_based_on_the_current_revision_goes_through() -> None:
    post = _draft(body="Base.")
    post.body = "Next."
    post_save(post=post, based_on=1)
    post.body = "Third."
    post_save(post=post, based_on=2)
    post.refresh_from_db()
    assert post.revision == 3


def test_restore_makes_a_new_revision_and_checks_permission() -> None:
    writer = role_member("Author", "writer")
    post = _draft(body="Original words.", authors=[writer])
    post.body = "Changed words."
    post_save(post=post, references=[BOOK])
    first = _revisions(post)[0]
    stranger = role_member("Author", "stranger")
    with pytest.raises(PermissionDenied):
        revision_restore(revision=first, by=stranger)
    restored = revision_restore(revision=first, by=writer)
    post.refresh_from_db()
    assert post.body == "Original words." and not post.references.exists()
    assert (restored.number, restored.origin, restored.restored_from) == (3, "restored", 1)
    assert restored.author == writer
    # And back again: the references come back with their keys.
    revision_restore(revision=_revisions(post)[1], by=writer)
    assert list(post.references.values_list("key", flat=True)) == ["marsh1998"]


def test_a_refused_save_can_be_restored() -> None:
    post = _draft(body="Base.")
    stale = Post.objects.get(pk=post.pk)
    post.body = "Won."
    post_save(post=post, based_on=1)
    stale.body = "Lost, then restored."
    with pytest.raises(EditConflict) as refused:
        post_save(post=stale, based_on=1)
    revision_restore(revision=refused.value.revision, by=None)
    post.refresh_from_db()
    assert post.body == "Lost, then restored." and post.revision == 3


def test_the_admin_takes_one_revision_with_its_inline_references() -> None:
    admin = User.objects.create_superuser("boss", "boss@example.org", "pw-pw-pw-pw")
    client = Client()
    client.force_login(admin)
    data = {
        "kind": "post", "title": "From the admin", "slug": "from-the-admin", "excerpt": "",
        "body": "Admin body.", "status": "draft", "published_at_0": "", "published_at_1": "",
        "comments_open": "on", "menu_order": "0", "featured_image": "", "parent": "",
        "postauthor_set-TOTAL_FORMS": "1", "postauthor_set-INITIAL_FORMS": "0",
        "postauthor_set-0-author": str(admin.pk), "postauthor_set-0-position": "0",
        "references-TOTAL_FORMS": "1", "references-INITIAL_FORMS": "0",
        "references-0-title": "An inline book", "references-0-kind": "book",
        "references-0-position": "0", "references-0-contributors": "{}",
    }  # fmt: skip
    response = client.post("/admin/publishing/post/add/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    post = Post.objects.get(slug="from-the-admin")
    revisions = _revisions(post)
    assert len(revisions) == 1 and revisions[0].author == admin
    assert [item["title"] for item in revisions[0].references] == ["An inline book"]


def test_publishing_a_markdown_file_takes_a_revision_by_its_author() -> None:
    from broadsheet.publishing.markdown_files import publish_markdown_file

    AuthorFactory(username="mhale")
    text = "---\ntitle: Filed\nauthors: [mhale]\nstatus: draft\n---\n\nFrom a file.\n"
    post = publish_markdown_file(text=text, filename="essay.md").post
    assert [(r.number, r.author.username if r.author else None) for r in _revisions(post)] == [
        (1, "mhale")
    ]


def test_a_wordpress_import_takes_one_imported_revision(tmp_path: Path) -> None:
    from tests.importers.test_wordpress import item, run, write, wxr

    run(write(tmp_path, wxr(item(5, title="Imported <script>x</script>", name="imported"))))
    post = Post.objects.get(slug="imported")
    assert [(r.number, r.origin, r.version) for r in _revisions(post)] == [(1, "imported", 1)]


CONCURRENT = """
import threading
import django
django.setup()
from django.db import connections
from django.utils import timezone
from broadsheet.publishing.models import Post, Revision
from broadsheet.publishing.revisions import EditConflict
from broadsheet.publishing.services import post_save

post_save(post=Post(title="Contested", slug="contested", body="Base.", status="draft"))
post = Post.objects.get(slug="contested")
won = lost = 0
for round in range(10):
    barrier, outcomes = threading.Barrier(2), []
    base = post.revision

    def save(k):
        mine = Post.objects.get(pk=post.pk)
        mine.body = f"Round {round}, writer {k}."
        barrier.wait()
        try:
            post_save(post=mine, based_on=base)
            outcomes.append("saved")
        except EditConflict:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["refused", "saved"], outcomes
    post.refresh_from_db()
print(post.revision, Revision.objects.filter(origin="refused").count())
"""


@pytest.mark.django_db(transaction=True)
def test_two_saves_at_once_on_the_same_revision_one_wins(
    tmp_path: Path, subprocess_database_url: str
) -> None:
    env = broadsheet_env(tmp_path, subprocess_database_url)
    broadsheet(env, "migrate", "--noinput")
    result = subprocess.run(
        [sys.executable, "-c", CONCURRENT], env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["11", "10"]
