"""WordPress → Broadsheet → WXR → Broadsheet loses nothing WXR carries; and a Broadsheet site
(co-authors, references, Markdown, tombstones) comes back from its own WXR export."""

from __future__ import annotations

import gzip
import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from broadsheet.accounts.models import User
from broadsheet.discussion.models import Comment
from broadsheet.importers.models import ImportedObject, ImportRun
from broadsheet.publishing.models import Category, Post, PostRedirect, Reference, Tag
from tests.importers.export_site import build_site

SEED_GZ = Path(__file__).parent / "data" / "seed-site.wxr.xml.gz"

pytestmark = pytest.mark.django_db


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml(text: str) -> str:
    """What XML 1.0 can carry: it has no control characters."""
    return _NOT_XML.sub("", text)


def seconds(moment: Any) -> Any:
    """WXR dates are to the second."""
    return moment.replace(microsecond=0) if moment else moment


def snapshot() -> dict[str, Any]:
    """Everything WXR carries, keyed by what survives a move (slugs, names, dates)."""
    posts = {}
    for post in Post.objects.prefetch_related("categories", "tags", "references"):
        posts[(post.kind, post.slug)] = (
            xml(post.title),
            post.status,
            seconds(post.published_at),
            xml(post.body).strip(),
            xml(post.excerpt).strip(),
            post.comments_open,
            post.sticky,
            post.menu_order,
            post.parent.slug if post.parent else None,
            post.featured_image,
            [link.author.username for link in post.postauthor_set.order_by("position")],
            sorted(c.slug for c in post.categories.all()),
            sorted(t.slug for t in post.tags.all()),
            [(r.key, r.kind, r.title, r.issued, r.accessed) for r in post.references.all()],
            post.comment_count,
        )
    comments = sorted(
        (
            c.post.slug,
            seconds(c.created_at),
            # An account's comment shows the account's name and mail: compared as shown.
            xml(c.display_name),
            c.user.email if c.user else c.author_email,
            c.author_url,
            c.ip_address,
            c.status,
            c.kind,
            c.removed,
            xml(c.body),
            c.user.username if c.user else None,
            c.depth,
            (seconds(c.parent.created_at), xml(c.parent.display_name)) if c.parent else None,
        )
        for c in Comment.objects.select_related("post", "parent", "user")
    )
    return {"posts": posts, "comments": comments}


def move(tmp_path: Path) -> None:
    """Export WXR, empty the site (accounts kept, as on the new site), import the file."""
    path = tmp_path / "moved.xml"
    call_command("export", "wordpress", "--output", str(path), stdout=io.StringIO())
    for model in (Comment, PostRedirect, Reference, ImportedObject, ImportRun):
        model.objects.all().delete()
    Post.objects.filter(parent__isnull=False).delete()
    Post.objects.all().delete()
    Category.objects.filter(parent__isnull=False).delete()
    Category.objects.all().delete()
    Tag.objects.all().delete()
    call_command("import", "wordpress", str(path), stdout=io.StringIO(), stderr=io.StringIO())


def test_wordpress_to_broadsheet_to_wxr_to_broadsheet_loses_nothing(tmp_path: Path) -> None:
    seed = tmp_path / "seed.xml"
    seed.write_bytes(gzip.decompress(SEED_GZ.read_bytes()))
    call_command("import", "wordpress", str(seed), stdout=io.StringIO(), stderr=io.StringIO())
    before = snapshot()
    assert len(before["comments"]) == 2187
    accounts = User.objects.count()
    move(tmp_path)
    after = snapshot()
    assert after["posts"] == before["posts"]
    assert after["comments"] == before["comments"]
    assert User.objects.count() == accounts


def test_a_broadsheet_site_comes_back_from_its_own_wxr(tmp_path: Path, settings: Any) -> None:
    settings.SITE_URL = "https://essays.example.org"
    build_site()
    before = snapshot()
    move(tmp_path)
    after = snapshot()
    for key in before["posts"]:
        assert after["posts"].get(key) == before["posts"][key], key
    assert set(after["posts"]) == set(before["posts"])
    missing = [c for c in before["comments"] if c not in after["comments"]]
    extra = [c for c in after["comments"] if c not in before["comments"]]
    assert (missing, extra) == ([], [])
